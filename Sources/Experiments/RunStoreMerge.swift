import Crypto
import Foundation

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
