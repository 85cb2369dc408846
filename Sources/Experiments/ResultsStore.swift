import Foundation

// The committed results store: a run store kept in the repository (`results/`), which
// `build --frozen` reads when the run store lacks a run. It holds the runs' entries (declaration,
// compact result, digest, provenance) under the same keys as the run store, and only compact ones:
// - a run that kept its whole prediction at every recorded step is refused (`freezeProblem`);
// - a training-loss curve longer than `LossThinning.wholeUpTo` steps is thinned at `freeze` to
//   the steps a figure or table can show (`RunResult.compactForResults`, `LossThinning`): every
//   kept loss is exactly as trained, the final and lowest losses, the step counts and every table
//   number are unchanged, a loss figure of one run is drawn identically, and a figure of repeated
//   runs differs only by being drawn at the steps all of them kept. A curve of at most 8192 steps
//   is kept whole; the grades' copies of the curve are not stored twice (cut again on reading);
// - of the bulky parts of a result (`ResultPart`: grade outputs, kept predictions, the training
//   grid, learning curves, spectra, plane predictions, layer norms, perturbations, the loss curve
//   beyond the steps run pages, tables and claims read) only those that a figure, table or claim
//   of a report declaring the run reads are kept (`Report.resultPartsRead`), exactly; the others
//   are emptied and listed in `RunResult.omitted`, and a frozen build that reads one fails by name.
// - the result is written compressed (`result.json.xz`, `EntryCompression`; its digest is that of
//   the uncompressed bytes, so keys, digests and `verify-store` are the same as for a plain entry,
//   and a store may hold both forms). `freeze --reencode` converts a store's entries in place (and leaves out what no report reads).
// Runs already trained (by any version with this engine) are compacted when they are frozen, so
// nothing needs training again.
// Beside the runs, `reports/PROFILE/REPORT.json` lists, for each report frozen whole, its runs and
// their keys (`ResultsManifest`).

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
        for (key, _) in Self.lookupKeys(for: spec, key: Self.key(for: spec)) {
            let folder = root.appendingPathComponent("runs/\(key)")
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

    /// Copies the entry of `spec` from this store into `results`, verified, keeping of its
    /// result's bulky parts only `parts` (those the reports declaring it read:
    /// `Report.resultPartsRead`, `ResultPart`); an entry already there with the same bytes is
    /// kept, another one replaced. Returns the bytes the entry takes in `results`; throws `FreezeError` when this store
    /// lacks the run or the run is not compact (`freezeProblem`).
    @discardableResult
    public func freeze(_ spec: ExperimentSpec, into results: RunStore, keeping parts: Set<ResultPart> = Set(ResultPart.allCases)) throws -> Int {
        guard let folder = entryFolder(for: spec), let result = result(for: spec) else {
            throw FreezeError(message: "\(spec.name): not in the run store \(root.path); build it first")
        }
        // Whole predictions at every recorded step are refused only where something reads them.
        if parts.contains(.predictions), let problem = Self.freezeProblem(result, spec: spec) {
            throw FreezeError(message: "\(spec.name): not frozen: \(problem)")
        }
        let names = ["spec.json", "result.json"]
        var files = try Self.verifiedFiles(folder, names: names)
        // Thin a long loss curve; store the grades' copies of it once; leave out what nothing reads.
        if let stored = try? Self.decoder().decode(RunResult.self, from: files["result.json"]!) {
            let compact = stored.compactForResults.keeping(parts)
            if compact != stored { files["result.json"] = try Self.encoder().encode(compact) }
        }
        let extras = (try? Data(contentsOf: folder.appendingPathComponent(Self.provenanceName))).map { [Self.provenanceName: $0] } ?? [:]
        let key = folder.lastPathComponent
        let target = results.root.appendingPathComponent("runs/\(key)")
        // An entry frozen by an earlier version (before curves were thinned) or for other readers is replaced.
        if let present = try? Self.verifiedFiles(target, names: names), present["result.json"] != files["result.json"] {
            try? FileManager.default.removeItem(at: target)
        }
        try results.install(files, extras: extras, compressed: Self.frozenCompressed, at: target, name: key)
        return Self.diskBytes(target)
    }

    /// The files `freeze` writes compressed (`EntryCompression`): the result (spec.json, compute.json
    /// and provenance.json are a few hundred bytes to a few kB).
    public static let frozenCompressed: Set<String> = ["result.json"]

    /// Re-encodes, in place, every entry of this store that verifies into the form `freeze`
    /// writes: compressed (`frozenCompressed`), and, for an entry whose key `parts` lists (run key
    /// -> the parts some report reads: `Report.resultPartsRead(by:)`), without the bulky parts
    /// nothing reads (`RunResult.keeping`, exactly as `freeze` would leave them out; an entry
    /// `parts` does not list keeps all it has). Nothing is read from a run store or trained; an
    /// entry that does not verify is left as it is (`problems()` names it). Returns the entries
    /// rewritten and the bytes every verifying entry took on disk before and after.
    public func reencodeEntries(keeping parts: [String: Set<ResultPart>] = [:]) throws -> (converted: Int, before: Int, after: Int) {
        let runs = root.appendingPathComponent("runs")
        var converted = 0, before = 0, after = 0
        for key in ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).sorted() {
            let folder = runs.appendingPathComponent(key)
            guard var files = try? Self.verifiedFiles(folder, names: ["spec.json", "result.json"]) else { continue }
            before += Self.diskBytes(folder)
            var changed = false
            if let spec = try? JSONDecoder().decode(ExperimentSpec.self, from: files["spec.json"]!), let read = parts[Self.key(for: spec)],
               let stored = try? Self.decoder().decode(RunResult.self, from: files["result.json"]!) {
                let compact = stored.compactForResults.keeping(read)
                if compact != stored {
                    files["result.json"] = try Self.encoder().encode(compact)
                    changed = true
                }
            }
            if changed || Self.compressedFiles(folder) != Self.frozenCompressed {
                let extras = (try? Data(contentsOf: folder.appendingPathComponent(Self.provenanceName))).map { [Self.provenanceName: $0] } ?? [:]
                try install(files, extras: extras, compressed: Self.frozenCompressed, at: folder, name: key, replacing: true)
                guard Self.compressedFiles(folder) == Self.frozenCompressed, (try? Self.verifiedFiles(folder, names: ["spec.json", "result.json"])) == files else {
                    throw StoreError(message: "runs/\(key): could not be re-encoded in place")
                }
                converted += 1
            }
            after += Self.diskBytes(folder)
        }
        return (converted, before, after)
    }

    /// The key under which this store keeps `spec`'s entry (any thread count when
    /// `acceptAnyThreadCount` is set), or nil.
    public func entryKey(for spec: ExperimentSpec) -> String? { entryFolder(for: spec)?.lastPathComponent }

    /// The manifest of `report`'s frozen `profile`, or nil when that report was never frozen.
    public func manifest(report: String, profile: String) -> ResultsManifest? {
        (try? Data(contentsOf: ResultsManifest.file(in: root, report: report, profile: profile)))
            .flatMap { try? JSONDecoder().decode(ResultsManifest.self, from: $0) }
    }

    /// Writes the manifest of a report whose every run is frozen (sorted keys: the same runs give the same bytes).
    public func writeManifest(_ manifest: ResultsManifest) throws {
        let file = ResultsManifest.file(in: root, report: manifest.report, profile: manifest.profile)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        var data = try JSONEncoder.sortedKeys.encode(manifest)
        data.append(0x0A)
        try data.write(to: file, options: .atomic)
    }
}

/// What `freeze` committed of one report and profile: each run's name and key
/// (`results/reports/PROFILE/REPORT.json`). A frozen build checks the report against it.
public struct ResultsManifest: Codable, Sendable, Equatable {
    public var report: String
    public var profile: String
    /// Run name -> the key of its entry in `runs/`.
    public var runs: [String: String]

    public init(report: String, profile: String, runs: [String: String]) {
        self.report = report; self.profile = profile; self.runs = runs
    }

    static func file(in root: URL, report: String, profile: String) -> URL {
        root.appendingPathComponent("reports/\(profile)/\(report).json")
    }

    /// Why the committed results do not build `specs` (the report's runs in `profile`, as
    /// declared now) from `results`, or nil when they do: a committed run whose entry is gone or
    /// does not verify, or declarations that changed since the report was frozen.
    /// `absent` names the runs that neither store has.
    public func problem(specs: [ExperimentSpec], absent: Set<String>, in results: RunStore) -> String? {
        let declared = Set(specs.map(\.name))
        var missing: [String] = [], changed: [String] = []
        for spec in specs where absent.contains(spec.name) {
            if let committed = runs[spec.name],
               (try? RunStore.verifiedFiles(results.root.appendingPathComponent("runs/\(committed)"), names: ["spec.json", "result.json"])) == nil {
                missing.append(spec.name)
            } else {
                changed.append(spec.name)
            }
        }
        let dropped = runs.keys.filter { !declared.contains($0) }.sorted()
        var parts: [String] = []
        if !missing.isEmpty { parts.append("committed run(s) missing from the results store or not verifying: \(missing.joined(separator: ", "))") }
        if !changed.isEmpty || !dropped.isEmpty {
            parts.append("the declarations changed since they were frozen (\((changed + dropped).joined(separator: ", "))): "
                         + "train the profile and freeze it again (docs/committed-results.md)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

// Committed checkpoints: a paper profile too long for one sitting continues in the next from the
// repository. `freeze --with-checkpoints` copies the checkpoint of each declared run still in
// training (the run store's `tmp/checkpoints/KEY.json`: weights, optimizer state, RNG, schedule
// position and the measurements recorded so far; `RunCheckpoint`) into the results store as
// `checkpoints/KEY.json.xz` (xz, `EntryCompression`), beside the runs already finished; and
// `build --carry-over` restores the finished runs from the results store and, for a run it
// trains whose run store has no checkpoint of its own, starts from the committed one. The key
// names the declaration, the engine version and the thread count, so a checkpoint is only ever
// read by the run it was written by; continuing from it is bit-identical to training without the
// interruption (`CommittedCheckpointTests`). `freeze` removes a committed checkpoint once its run
// is frozen finished.
extension RunStore {
    /// The folder of a results store that holds the checkpoints of runs still in training.
    public static let committedCheckpointsFolder = "checkpoints"

    /// Where a results store keeps the committed checkpoint of the run with `key`.
    public func committedCheckpointFile(forKey key: String) -> URL {
        root.appendingPathComponent("\(Self.committedCheckpointsFolder)/\(key).json\(EntryCompression.suffix)")
    }

    /// The keys `spec` may have been trained under, with their thread counts: the one it computes
    /// with here (`threads(for:)`) first, then the others (`storedThreadCounts`).
    static func threadKeys(for spec: ExperimentSpec) -> [(key: String, threads: Int)] {
        let own = threads(for: spec)
        return ([own] + storedThreadCounts.filter { $0 != own }).map { (key(for: spec, threads: $0), $0) }
    }

    /// `threadKeys`' keys alone.
    static func candidateKeys(for spec: ExperimentSpec) -> [String] { threadKeys(for: spec).map(\.key) }

    /// Copies the checkpoint of `spec`'s run, still in training in this run store, into the
    /// results store `results` (compressed; a file with the same bytes is left as it is). Returns
    /// the bytes it takes there, or nil when this store holds no readable checkpoint of the run.
    public func freezeCheckpoint(_ spec: ExperimentSpec, into results: RunStore) throws -> Int? {
        for key in Self.candidateKeys(for: spec) {
            let file = checkpointFile(forKey: key)
            guard let data = try? Data(contentsOf: file), RunCheckpoint.decode(data) != nil else { continue }
            let target = results.committedCheckpointFile(forKey: key)
            let compressed = try EntryCompression.compress(data)
            if (try? Data(contentsOf: target)) != compressed {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                let partial = target.appendingPathExtension("partial")
                try compressed.write(to: partial)
                guard rename(partial.path, target.path) == 0 else {
                    try? FileManager.default.removeItem(at: partial)
                    throw FreezeError(message: "\(spec.name): cannot write \(target.path)")
                }
            }
            return compressed.count
        }
        return nil
    }

    /// Removes the committed checkpoints of `spec`'s run (every thread count's) from this results
    /// store: the run is frozen finished, or its declaration was trained again whole.
    public func removeCommittedCheckpoints(of spec: ExperimentSpec) {
        for key in Self.candidateKeys(for: spec) {
            let file = committedCheckpointFile(forKey: key)
            if FileManager.default.fileExists(atPath: file.path) { try? FileManager.default.removeItem(at: file) }
        }
        let folder = root.appendingPathComponent(Self.committedCheckpointsFolder)
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Puts the committed checkpoint of the run with `key` from the results store `results` in
    /// this run store's temporary area, where the run continues from it, unless this store has a
    /// checkpoint of the run already (its own is never older than a committed one it started
    /// from). Returns whether it did; a committed checkpoint that does not decompress or decode is
    /// not used (the run starts over).
    public func seedCheckpoint(forKey key: String, from results: RunStore) -> Bool {
        let own = checkpointFile(forKey: key)
        guard !FileManager.default.fileExists(atPath: own.path),
              let stored = try? Data(contentsOf: results.committedCheckpointFile(forKey: key)),
              let data = try? EntryCompression.decompress(stored), RunCheckpoint.decode(data) != nil else { return false }
        do {
            try FileManager.default.createDirectory(at: own.deletingLastPathComponent(), withIntermediateDirectories: true)
            let partial = own.appendingPathExtension("partial")
            try data.write(to: partial)
            return rename(partial.path, own.path) == 0
        } catch {
            return false
        }
    }

    /// The checkpoint a build would continue the run with `key` from (this run store's own,
    /// else the one committed to `results` when given: `seedCheckpoint`): the optimizer steps it
    /// has done and whether it is the committed one; nil when there is none that reads.
    public func checkpointProgress(forKey key: String, committedIn results: RunStore?) -> (steps: Int, committed: Bool)? {
        if let own = RunCheckpoint.read(checkpointFile(forKey: key)) { return (own.stepsDone, false) }
        guard let results, let stored = try? Data(contentsOf: results.committedCheckpointFile(forKey: key)),
              let data = try? EntryCompression.decompress(stored), let committed = RunCheckpoint.decode(data) else { return nil }
        return (committed.stepsDone, true)
    }

    /// A checkpoint of `spec`'s run written on another thread count than the one it computes
    /// with here (`threads(for:)`), in this run store or committed to `results`: such a
    /// checkpoint has another key, and only a build computing on its thread count continues it
    /// (its bits depend on the count). Its thread count, steps done and file; nil when there is
    /// none, or when the run has a checkpoint of its own key.
    public func checkpointOnOtherThreads(for spec: ExperimentSpec, committedIn results: RunStore?) -> (threads: Int, steps: Int, file: URL)? {
        let keys = Self.threadKeys(for: spec)
        guard checkpointProgress(forKey: keys[0].key, committedIn: results) == nil else { return nil }
        for (key, threads) in keys.dropFirst() {
            guard let progress = checkpointProgress(forKey: key, committedIn: results) else { continue }
            let file = progress.committed ? results!.committedCheckpointFile(forKey: key) : checkpointFile(forKey: key)
            return (threads, progress.steps, file)
        }
        return nil
    }

    /// The committed checkpoints of this results store: key -> bytes on disk.
    public func committedCheckpoints() -> [String: Int] {
        let folder = root.appendingPathComponent(Self.committedCheckpointsFolder)
        var found: [String: Int] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasSuffix(".json\(EntryCompression.suffix)") {
            let key = String(name.dropLast(".json\(EntryCompression.suffix)".count))
            found[key] = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0
        }
        return found
    }
}
