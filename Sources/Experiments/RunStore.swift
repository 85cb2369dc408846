import Crypto
import Foundation

/// The version of the training code that produced a stored result. Bump it when a change to the
/// engine, the methods or the runner changes results: every run then trains again.
let engineVersion = "2"

/// A content-addressed store of run results.
///
/// A run's key is the SHA-256 of its canonical declaration (JSON with sorted keys; numbers as
/// Swift prints them, shortest round-trip form) plus `engineVersion`. Each entry is a folder
/// `runs/<key>/` with `spec.json`, `result.json` and `digest.json` (the SHA-256 of each other
/// file, checked on every read and by `verify-store`), written in `tmp/` and renamed into place in
/// one step, so a build killed at any instant leaves either a whole entry or none. `names/` maps a
/// report's run name to the key it last used, which lets `plan` explain a miss.
public final class RunStore {
    public let root: URL
    private var lockDescriptor: Int32 = -1

    public init(root: URL) throws {
        self.root = root
        for folder in ["runs", "tmp", "names"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    /// A store at `root` as it is, creating nothing (see `init(readingFrom:)`).
    init(uncheckedRoot root: URL) {
        self.root = root
    }

    deinit { unlock() }

    /// Takes the store's lock so that two builds cannot clobber each other.
    /// Throws `StoreError.locked` at once if another process holds it.
    public func lock() throws {
        guard lockDescriptor < 0 else { return }
        let path = root.appendingPathComponent("lock").path
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw StoreError(message: "cannot open the lock file \(path)") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw StoreError(message: "another mgdl-report build is using the run store \(root.path); wait for it to finish")
        }
        lockDescriptor = fd
        // Leftovers of killed builds are never read; clear them (but the checkpoints of their
        // runs, which the next build continues from).
        let tmp = root.appendingPathComponent("tmp")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name != Self.checkpointsFolder {
            try? FileManager.default.removeItem(at: tmp.appendingPathComponent(name))
        }
    }

    public func unlock() {
        if lockDescriptor >= 0 {
            flock(lockDescriptor, LOCK_UN)
            close(lockDescriptor)
            lockDescriptor = -1
        }
    }

    /// The canonical bytes a key is computed from: the declaration without its name and profile
    /// (which do not change the result), with sorted keys.
    static func canonicalDeclaration(_ spec: ExperimentSpec) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(anonymous(spec))) ?? Data()
    }

    /// JSON with sorted keys; a diverged run's non-finite numbers are written as "inf", "-inf", "nan".
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// The declaration without what does not change the result: names, profile, sweep label.
    static func anonymous(_ spec: ExperimentSpec) -> ExperimentSpec {
        var anonymous = spec
        anonymous.name = ""
        anonymous.profile = ""
        anonymous.group = ""
        anonymous.label = ""
        anonymous.sweepValues = nil
        anonymous.baseDirectory = ""
        anonymous.repeatOf = nil
        anonymous.repeatIndex = nil
        anonymous.repeatCount = nil
        anonymous.sweepAxes = nil
        return anonymous
    }

    /// The threads the engine computes each run with (OpenBLAS and the data-parallel training
    /// step, set from `-j` and the machine). Results depend on it (the gradient sums are split
    /// and chunked by it), so it is part of a run's key when it is not 1: `-j 1` and `-j 2` never
    /// share a key unless they compute alike. At 1 (the default: one job per CPU) keys are those
    /// of earlier versions. Each entry records it in `compute.json`.
    nonisolated(unsafe) public static var computeThreads = 1

    /// Set by `build --frozen`, which trains nothing: a run computed with any thread count will do.
    nonisolated(unsafe) public static var acceptAnyThreadCount = false

    public static func key(for spec: ExperimentSpec) -> String { key(for: spec, threads: threads(for: spec)) }

    /// Fewer points per optimizer step than this per thread of `computeThreads`, and a run
    /// computes on one thread (see `threads(for:)`).
    public static let oneThreadBelowPointsPerThread = 128

    /// The threads a run computes with: `computeThreads`, except for a run whose optimizer steps
    /// are too small to use them well (fewer than `oneThreadBelowPointsPerThread` points per
    /// thread, known from the declaration: the Rahaman network's 200 points on 2 threads), which
    /// computes on one thread, alone or beside others: the build trains such runs side by side,
    /// as many at once as there are CPUs (`SiteBuilder`), and each gives the bits (and has the key)
    /// of the same run trained alone. Measured on 2 threads (`mgdl-report bench repeats`, ten
    /// 200-point copies): side by side on one thread each took 0.43 of the time of one after the
    /// other on 2 threads (a loaded machine; W2b's 256-point steps gain only 25% from a second
    /// thread on a quiet one).
    public static func threads(for spec: ExperimentSpec) -> Int {
        guard computeThreads > 1, let points = spec.pointsPerStep,
              points < oneThreadBelowPointsPerThread * computeThreads else { return computeThreads }
        return 1
    }

    public static func key(for spec: ExperimentSpec, threads: Int) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("mgdl-report engine \(engineVersion)\n".utf8))
        if threads > 1 { hasher.update(data: Data("threads \(threads)\n".utf8)) }
        if let revision = resultRevision(spec) { hasher.update(data: Data("\(revision)\n".utf8)) }
        hasher.update(data: canonicalDeclaration(spec))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A change that alters the results of some declarations only names them here instead of
    /// bumping `engineVersion`, so that every other key stays valid:
    /// - `mscale 2`: MscaleDNN trains in the engine's one loop (`Trainer`), so batches of more
    ///   than 1024 rows are chunked and several threads take the data-parallel step (its results
    ///   are bit-identical to the former loop's on one thread up to 1024 rows per step);
    /// - `mlp lr_final 2`: `mlp` honours `lr_final` (it used to train at the constant `lr`).
    static func resultRevision(_ spec: ExperimentSpec) -> String? {
        if spec.method == .mscale { return "mscale 2" }
        if spec.method == .mlp && spec.train.finalLearningRate != nil { return "mlp lr_final 2" }
        return nil
    }

    /// The folder of `tmp/` that holds the checkpoints of runs in training (see `checkpointFile`).
    static let checkpointsFolder = "checkpoints"

    /// Where the run with `key` keeps its checkpoint while it trains: in the store's temporary
    /// area, never in its entry (`runs/<key>/`); `removeCheckpoint` deletes it once the run is stored.
    public func checkpointFile(forKey key: String) -> URL {
        root.appendingPathComponent("tmp/\(Self.checkpointsFolder)/\(key).json")
    }

    public func removeCheckpoint(forKey key: String) {
        try? FileManager.default.removeItem(at: checkpointFile(forKey: key))
    }

    private func entry(_ key: String) -> URL { root.appendingPathComponent("runs/\(key)") }

    /// The stored result for a spec, or nil. An entry whose files do not match its digest, or do
    /// not decode, is treated as missing (and replaced when the run is stored again).
    public func result(for spec: ExperimentSpec) -> RunResult? { result(for: spec, key: Self.key(for: spec)) }

    /// The same, for a spec whose key (`key(for:)`) the caller has already computed.
    public func result(for spec: ExperimentSpec, key: String) -> RunResult? {
        let others = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128].filter { $0 != Self.computeThreads }
        for threads in [Self.computeThreads] + (Self.acceptAnyThreadCount ? others : []) {
            let folder = entry(threads == Self.computeThreads ? key : Self.key(for: spec, threads: threads))
            guard let files = try? Self.verifiedFiles(folder, names: ["spec.json", "result.json"]),
                  var result = try? Self.decoder().decode(RunResult.self, from: files["result.json"]!) else { continue }
            result.name = spec.name
            let provenance = Self.provenance(folder)
            result.seconds = provenance?.seconds ?? 0
            result.restoreGradeSeconds(provenance?.gradeSeconds)
            return result
        }
        return nil
    }

    /// When and how an entry was computed: outside its digest, since it depends on the clock.
    public struct EntryProvenance: Codable, Sendable {
        public var seconds: Double
        public var threads: Int
        /// Each grade's (stage's) wall time, for methods with grades; nil otherwise.
        public var gradeSeconds: [Double]? = nil
    }

    static let provenanceName = "provenance.json"

    static func provenance(_ folder: URL) -> EntryProvenance? {
        (try? Data(contentsOf: folder.appendingPathComponent(provenanceName))).flatMap { try? JSONDecoder().decode(EntryProvenance.self, from: $0) }
    }

    /// Stores a result atomically (write in tmp/, then one rename). The stored bytes depend only on
    /// the declaration and the computation: the wall times (the run's and each grade's) go to
    /// `provenance.json`, and are stored as 0 in the result (and read back from the provenance).
    public func store(_ result: RunResult, for spec: ExperimentSpec) throws { try store(result, for: spec, key: Self.key(for: spec)) }

    /// The same, for a spec whose key (`key(for:)`) the caller has already computed.
    public func store(_ result: RunResult, for spec: ExperimentSpec, key: String) throws {
        let encoder = Self.encoder()
        let timeless = result.timeless
        let threads = Self.threads(for: spec)
        let provenance = EntryProvenance(seconds: result.seconds, threads: threads,
                                         gradeSeconds: result.grades.map { $0.map(\.seconds) })
        try install(["spec.json": try encoder.encode(spec), "result.json": try encoder.encode(timeless),
                     "compute.json": try encoder.encode(["threads": threads])],
                    extras: [Self.provenanceName: try encoder.encode(provenance)],
                    at: entry(key), name: key)
    }

    /// Writes files and their digest into a fresh folder in tmp/ and renames it into place. An
    /// entry already there is kept when it verifies and replaced when it does not.
    func install(_ files: [String: Data], extras: [String: Data] = [:], at final: URL, name: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: final.path) {
            if (try? Self.verifiedFiles(final, names: Array(files.keys))) != nil { return }
            // A corrupt entry: set it aside (one rename) and put the new one in its place.
            let aside = root.appendingPathComponent("tmp/corrupt-\(final.lastPathComponent)-\(getpid())")
            try? fm.removeItem(at: aside)
            if rename(final.path, aside.path) == 0 { try? fm.removeItem(at: aside) }
        }
        let staging = root.appendingPathComponent("tmp/\(final.deletingLastPathComponent().lastPathComponent)-\(name)-\(getpid())")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for (file, data) in files.merging(extras, uniquingKeysWith: { a, _ in a }) { try data.write(to: staging.appendingPathComponent(file)) }
        try Self.digestFile(files).write(to: staging.appendingPathComponent(Self.digestName))
        try fm.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        if rename(staging.path, final.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: staging)
            if !fm.fileExists(atPath: final.path) {
                throw StoreError(message: "cannot move the entry into \(final.deletingLastPathComponent().lastPathComponent)/\(name): \(reason)")
            }
        }
    }

    /// The file of an entry that lists the SHA-256 of each of its other files.
    static let digestName = "digest.json"

    static func digestFile(_ files: [String: Data]) throws -> Data {
        try JSONEncoder.sortedKeys.encode(files.mapValues { digest($0) })
    }

    /// The thread count an entry's `compute.json` records (1 when absent).
    static func threads(_ data: Data?) -> Int {
        data.flatMap { try? JSONDecoder().decode([String: Int].self, from: $0) }?["threads"] ?? 1
    }

    /// Why an entry does not verify, or nil when it does.
    public enum EntryProblem: Error, CustomStringConvertible {
        case missing(String)
        case noDigest
        case mismatch(String)

        public var description: String {
            switch self {
            case .missing(let file): return "\(file) is missing"
            case .noDigest: return "no readable \(RunStore.digestName) (an entry from an older version, or damaged)"
            case .mismatch(let file): return "\(file) does not match its digest"
            }
        }
    }

    /// The files of an entry, each checked against the entry's digest; throws `EntryProblem`.
    static func verifiedFiles(_ folder: URL, names: [String]) throws -> [String: Data] {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(digestName)),
              let digests = try? JSONDecoder().decode([String: String].self, from: data) else { throw EntryProblem.noDigest }
        var files: [String: Data] = [:]
        for name in Set(names).union(digests.keys).sorted() {
            guard let expected = digests[name] else { throw EntryProblem.mismatch(name) }
            guard let bytes = try? Data(contentsOf: folder.appendingPathComponent(name)) else { throw EntryProblem.missing(name) }
            guard digest(bytes) == expected else { throw EntryProblem.mismatch(name) }
            files[name] = bytes
        }
        return files
    }

    /// Remembers which declaration a report's run name last used (for `plan`'s reasons).
    public func remember(_ spec: ExperimentSpec, report: String) {
        let url = root.appendingPathComponent("names/\(report)/\(spec.name).json")
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(spec) {
            let tmp = url.appendingPathExtension("tmp-\(getpid())")
            if (try? data.write(to: tmp)) != nil { rename(tmp.path, url.path) }
        }
    }

    /// Why a spec is not in the store: what changed since the declaration this name last used.
    public func missReason(for spec: ExperimentSpec, report: String) -> String {
        let url = root.appendingPathComponent("names/\(report)/\(spec.name).json")
        guard let data = try? Data(contentsOf: url), let previous = try? JSONDecoder().decode(ExperimentSpec.self, from: data) else {
            return "never run"
        }
        let changes = DeclarationKeys.differences(previous, spec)
        if changes.isEmpty { return "declaration unchanged; trained with another engine version or removed from the store" }
        return changes.prefix(4).joined(separator: "; ") + (changes.count > 4 ? "; and \(changes.count - 4) more" : "")
    }

    /// Entries written before entries carried digests (no `digest.json`): a run whose declaration
    /// still hashes to its key and whose result decodes, and a cached figure, get a digest of their
    /// bytes as they are (the run's wall time moves to `provenance.json`). Their content cannot be
    /// checked, only taken as it is, so this is the user's choice (`verify-store --adopt-undigested`),
    /// never done silently. Returns how many entries were adopted. Call it under the lock.
    public func adoptUndigested() -> Int {
        let fm = FileManager.default
        var adopted = 0
        for kind in ["runs", "figures"] {
            let folder = root.appendingPathComponent(kind)
            for key in ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                let entry = folder.appendingPathComponent(key)
                guard !fm.fileExists(atPath: entry.appendingPathComponent(Self.digestName).path) else { continue }
                var files: [String: Data] = [:]
                for name in (try? fm.contentsOfDirectory(atPath: entry.path)) ?? [] {
                    files[name] = try? Data(contentsOf: entry.appendingPathComponent(name))
                }
                var extras: [String: Data] = [:]
                if kind == "runs" {
                    guard let specData = files["spec.json"], let spec = try? JSONDecoder().decode(ExperimentSpec.self, from: specData),
                          Self.key(for: spec, threads: 1) == key,
                          let resultData = files["result.json"], var result = try? Self.decoder().decode(RunResult.self, from: resultData),
                          let provenance = try? Self.encoder().encode(EntryProvenance(seconds: result.seconds, threads: 1)) else { continue }
                    result.seconds = 0
                    guard let timeless = try? Self.encoder().encode(result), let compute = try? Self.encoder().encode(["threads": 1]) else { continue }
                    files = ["spec.json": specData, "result.json": timeless, "compute.json": compute]
                    extras = [Self.provenanceName: provenance]
                }
                guard !files.isEmpty, (try? install(files, extras: extras, at: entry, name: key)) != nil else { continue }
                adopted += 1
            }
        }
        return adopted
    }

    /// Every stored run entry that does not verify (for `verify-store` and `merge-stores`).
    func corruptEntries() -> [String] {
        problems().filter { $0.kind == "runs" }.map(\.key)
    }

    /// Every entry of the store (runs and cached figures) whose content does not verify: its files
    /// are hashed again and compared with its digest; a run's declaration must also hash to its key
    /// and its result must decode. Sorted by kind and key.
    public func problems() -> [(kind: String, key: String, reason: String)] {
        var found: [(kind: String, key: String, reason: String)] = []
        let fm = FileManager.default
        for kind in ["runs", "figures"] {
            let folder = root.appendingPathComponent(kind)
            for key in ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                let entry = folder.appendingPathComponent(key)
                do {
                    let files = try Self.verifiedFiles(entry, names: kind == "runs" ? ["spec.json", "result.json"] : [])
                    if kind == "runs" {
                        guard let decoded = try? JSONDecoder().decode(ExperimentSpec.self, from: files["spec.json"]!),
                              Self.key(for: decoded, threads: Self.threads(files["compute.json"])) == key else {
                            found.append((kind, key, "its declaration does not hash to its key")); continue
                        }
                        guard (try? Self.decoder().decode(RunResult.self, from: files["result.json"]!)) != nil else {
                            found.append((kind, key, "result.json does not decode")); continue
                        }
                    }
                } catch {
                    found.append((kind, key, "\(error)"))
                }
            }
        }
        return found
    }
}

public struct StoreError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A deterministic share of the runs: shard `index` of `count` holds the runs whose key,
/// read as a number (its first 15 hex digits), leaves remainder `index` when divided by `count`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Parses `i/N` with 0 ≤ i < N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        index = i
        count = n
    }

    public func contains(key: String) -> Bool {
        guard let value = UInt64(key.prefix(15), radix: 16) else { return index == 0 }
        return Int(value % UInt64(count)) == index
    }

    public var description: String { "\(index)/\(count)" }
}

extension RunStore {
    /// Copies every entry of `other` that this store lacks (each copy atomic). Returns how many.
    /// Entries that do not verify are refused.
    public func merge(from other: URL) throws -> Int {
        let source = try RunStore(root: other)
        let bad = Set(source.corruptEntries())
        let runs = other.appendingPathComponent("runs")
        var copied = 0
        for key in ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).sorted() where !bad.contains(key) {
            let names = ["spec.json", "result.json"]
            let target = root.appendingPathComponent("runs/\(key)")
            if (try? Self.verifiedFiles(target, names: names)) != nil { continue }
            // Absent here, or damaged here: copy the verified entry (a damaged one is replaced).
            let source = runs.appendingPathComponent(key)
            let extras = (try? Data(contentsOf: source.appendingPathComponent(Self.provenanceName))).map { [Self.provenanceName: $0] } ?? [:]
            try install(try Self.verifiedFiles(source, names: names), extras: extras, at: target, name: key)
            copied += 1
        }
        if !bad.isEmpty {
            throw StoreError(message: "\(bad.count) entr\(bad.count == 1 ? "y" : "ies") of \(other.path) do not verify and were not merged: \(bad.sorted().joined(separator: ", "))")
        }
        return copied
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension RunStore {
    /// SHA-256 of some bytes, as hex.
    public static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Files cached under a key (e.g. a rendered figure), or nil when absent or incomplete.
    /// Entries are written like runs: in tmp/, then one rename.
    /// Entries carry a digest like runs and are checked against it: a damaged entry reads as absent.
    public func cachedFiles(kind: String, key: String, names: [String]) -> [String: Data]? {
        try? Self.verifiedFiles(root.appendingPathComponent("\(kind)/\(key)"), names: names)
    }

    /// Caches files under a key; a damaged entry of that key is replaced.
    public func cache(kind: String, key: String, files: [String: Data]) {
        try? install(files, at: root.appendingPathComponent("\(kind)/\(key)"), name: key)
    }
}

extension RunResult {
    /// The result with every wall time (the run's and each grade's) set to 0: what is persisted
    /// where bytes must depend only on the declaration and the computation.
    public var timeless: RunResult {
        var copy = self
        copy.seconds = 0
        copy.restoreGradeSeconds(grades.map { Array(repeating: 0, count: $0.count) })
        return copy
    }

    /// Puts each grade's wall time back (from a provenance record); nil or a count that does not
    /// match leaves the grades as they are.
    mutating func restoreGradeSeconds(_ seconds: [Double]?) {
        guard let seconds, let current = grades, seconds.count == current.count else { return }
        grades = zip(current, seconds).map { g, s in
            var copy = g
            copy.seconds = s
            return copy
        }
    }
}
