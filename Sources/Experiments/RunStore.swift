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
    public func result(for spec: ExperimentSpec, key: String) -> RunResult? { stored(spec, key: key)?.result }

    /// The stored result for a spec, the key of the entry it was read from and the threads it
    /// was computed with: `key`, or, when `acceptAnyThreadCount` is set, the key of the same run
    /// computed with another thread count (`lookupKeys`). Nil when no entry verifies and decodes.
    public func stored(_ spec: ExperimentSpec, key: String) -> (result: RunResult, key: String, threads: Int)? {
        for (candidate, threads) in Self.lookupKeys(for: spec, key: key) {
            let folder = entry(candidate)
            guard let files = try? Self.verifiedFiles(folder, names: ["spec.json", "result.json"]),
                  var result = try? Self.decoder().decode(RunResult.self, from: files["result.json"]!) else { continue }
            result = result.withGradeLosses  // a thinned entry of the results store (`compactForResults`)
                .restoringImages(spec: spec)  // an image run frozen as 8-bit panels (`EightBitImages`)
            result.name = spec.name
            let provenance = Self.provenance(folder)
            result.seconds = provenance?.seconds ?? 0
            result.restoreGradeSeconds(provenance?.gradeSeconds)
            return (result, candidate, threads)
        }
        return nil
    }

    /// The keys an entry of `spec` is looked for under: `key` (its key on this machine's thread
    /// count), then, when `acceptAnyThreadCount` is set (`build --frozen`, `--carry-over`,
    /// `freeze`), its keys at every other thread count (`threadKeys`).
    static func lookupKeys(for spec: ExperimentSpec, key: String) -> [(key: String, threads: Int)] {
        let own = threads(for: spec)
        guard acceptAnyThreadCount else { return [(key, own)] }
        return [(key, own)] + threadKeys(for: spec).dropFirst()
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

    /// Writes files and their digest into a fresh folder in tmp/ and renames it into place; the
    /// files named in `compressed` are written compressed (`EntryCompression`), the digest being
    /// of their uncompressed bytes either way. An entry already there is kept when it verifies and
    /// has its files in the same form (and `replacing` is not set), and replaced otherwise.
    func install(_ files: [String: Data], extras: [String: Data] = [:], compressed: Set<String> = [], at final: URL, name: String,
                 replacing: Bool = false) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: final.path) {
            if !replacing, (try? Self.verifiedFiles(final, names: Array(files.keys))) != nil,
               Self.compressedFiles(final) == compressed.intersection(files.keys) {
                return
            }
            // A corrupt entry, or one in the other form: set it aside (one rename) and put the new one in its place.
            try fm.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let aside = root.appendingPathComponent("tmp/corrupt-\(final.lastPathComponent)-\(getpid())")
            try? fm.removeItem(at: aside)
            if rename(final.path, aside.path) == 0 { try? fm.removeItem(at: aside) }
        }
        let staging = root.appendingPathComponent("tmp/\(final.deletingLastPathComponent().lastPathComponent)-\(name)-\(getpid())")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for (file, data) in files.merging(extras, uniquingKeysWith: { a, _ in a }) {
            if compressed.contains(file), files[file] != nil {
                try EntryCompression.compress(data).write(to: staging.appendingPathComponent(file + EntryCompression.suffix))
            } else {
                try data.write(to: staging.appendingPathComponent(file))
            }
        }
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

    /// The files of the entry in `folder` that it stores compressed (`EntryCompression`): those of
    /// its digest present only as `name` + `EntryCompression.suffix`.
    static func compressedFiles(_ folder: URL) -> Set<String> {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(digestName)),
              let digests = try? JSONDecoder().decode([String: String].self, from: data) else { return [] }
        let fm = FileManager.default
        return Set(digests.keys.filter {
            !fm.fileExists(atPath: folder.appendingPathComponent($0).path)
                && fm.fileExists(atPath: folder.appendingPathComponent($0 + EntryCompression.suffix).path)
        })
    }

    /// The bytes the files of the entry in `folder` take on disk (compressed ones as they are).
    static func diskBytes(_ folder: URL) -> Int {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).reduce(0) { total, file in
            total + (((try? fm.attributesOfItem(atPath: folder.appendingPathComponent(file).path))?[.size] as? NSNumber)?.intValue ?? 0)
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
        /// A compressed file (`EntryCompression`) that does not decompress.
        case undecodable(String)

        public var description: String {
            switch self {
            case .missing(let file): return "\(file) is missing"
            case .undecodable(let file): return "\(file) does not decompress (damaged)"
            case .noDigest: return "no readable \(RunStore.digestName) (an entry from an older version, or damaged)"
            case .mismatch(let file): return "\(file) does not match its digest"
            }
        }
    }

    /// The files of an entry, each checked against the entry's digest; throws `EntryProblem`. A
    /// file may be stored compressed (`name` + `EntryCompression.suffix`, read when `name` is
    /// absent): its bytes are then the decompressed ones, which the digest is of.
    static func verifiedFiles(_ folder: URL, names: [String]) throws -> [String: Data] {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(digestName)),
              let digests = try? JSONDecoder().decode([String: String].self, from: data) else { throw EntryProblem.noDigest }
        var files: [String: Data] = [:]
        for name in Set(names).union(digests.keys).sorted() {
            guard let expected = digests[name] else { throw EntryProblem.mismatch(name) }
            let bytes: Data
            if let plain = try? Data(contentsOf: folder.appendingPathComponent(name)) {
                bytes = plain
            } else if let packed = try? Data(contentsOf: folder.appendingPathComponent(name + EntryCompression.suffix)) {
                // The compressed form (the committed results store): the digest is the uncompressed bytes'.
                guard let unpacked = try? EntryCompression.decompress(packed) else { throw EntryProblem.undecodable(name + EntryCompression.suffix) }
                bytes = unpacked
            } else {
                throw EntryProblem.missing(name)
            }
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
