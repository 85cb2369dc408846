import Foundation

// The committed results store: a run store kept in the repository (`results/`), which
// `build --frozen` reads when the run store lacks a run. It holds the runs' entries as the store
// writes them (declaration, compact result, digest, provenance), and only compact ones: a run
// that kept its whole prediction at every recorded step is refused (see `freezeProblem`).

/// Why a run cannot go into the results store.
public struct FreezeError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension RunStore {
    /// Opens a store only to read it (a committed results store): creates no folder and takes no
    /// lock. Reading an absent folder finds nothing.
    public convenience init(readingFrom root: URL) {
        self.init(uncheckedRoot: root)
    }

    /// The folder of the stored entry for `spec` (any thread count when `acceptAnyThreadCount`
    /// is set), or nil when there is none that verifies.
    func entryFolder(for spec: ExperimentSpec) -> URL? {
        let others = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128].filter { $0 != Self.computeThreads }
        for threads in [Self.computeThreads] + (Self.acceptAnyThreadCount ? others : []) {
            let folder = root.appendingPathComponent("runs/\(Self.key(for: spec, threads: threads))")
            if (try? Self.verifiedFiles(folder, names: ["spec.json", "result.json"])) != nil { return folder }
        }
        return nil
    }

    /// Why a stored result is not compact enough to commit, or nil: a run that kept its whole
    /// prediction at every recorded step (an `mlp` with `record_every` and no `keep_predictions`)
    /// would put every raw snapshot into the repository.
    static func freezeProblem(_ result: RunResult, spec: ExperimentSpec) -> String? {
        let asked = Set(spec.train.keepPredictions ?? []).count
        if result.snapshots.count > asked + 2 {
            return "it keeps \(result.snapshots.count) whole predictions (every recorded step); declare train.keep_predictions "
                + "(the steps a fit figure shows) to record the spectra compactly"
        }
        return nil
    }

    /// Copies the entry of `spec` from this store into `results`, verified (an entry already
    /// there that verifies is kept). Returns the bytes copied; throws `FreezeError` when this
    /// store lacks the run or the run is not compact (`freezeProblem`).
    @discardableResult
    public func freeze(_ spec: ExperimentSpec, into results: RunStore) throws -> Int {
        guard let folder = entryFolder(for: spec), let result = result(for: spec) else {
            throw FreezeError(message: "\(spec.name): not in the run store \(root.path); build it first")
        }
        if let problem = Self.freezeProblem(result, spec: spec) {
            throw FreezeError(message: "\(spec.name): not frozen: \(problem)")
        }
        let names = ["spec.json", "result.json"]
        let files = try Self.verifiedFiles(folder, names: names)
        let extras = (try? Data(contentsOf: folder.appendingPathComponent(Self.provenanceName))).map { [Self.provenanceName: $0] } ?? [:]
        let key = folder.lastPathComponent
        try results.install(files, extras: extras, at: results.root.appendingPathComponent("runs/\(key)"), name: key)
        return files.values.reduce(0) { $0 + $1.count } + extras.values.reduce(0) { $0 + $1.count }
    }
}
