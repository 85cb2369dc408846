@testable import Experiments
import Foundation
import Learning
@testable import ReportSite
import XCTest

/// The committed results store keeps each result compressed (`result.json.xz`, `EntryCompression`)
/// under the digest of its uncompressed bytes; `freeze` leaves out layer norms and perturbation
/// measurements that nothing reads.
final class CompressedResultsTests: XCTestCase {
    func testCompressionRoundTripsIsDeterministicAndRefusesDamage() throws {
        let json = try RunStore.encoder().encode(CommittedResultsTests.curve(20_000, seed: 5))
        let packed = try EntryCompression.compress(json)
        XCTAssertEqual(try EntryCompression.decompress(packed), json, "round trip")
        XCTAssertEqual(try EntryCompression.compress(json), packed, "the same bytes give the same file")
        XCTAssertEqual(Array(packed.prefix(6)), [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "an xz stream")
        XCTAssertLessThan(packed.count * 2, json.count)
        XCTAssertEqual(try EntryCompression.decompress(try EntryCompression.compress(Data())), Data())
        var flipped = packed
        flipped[packed.count / 2] ^= 0x10
        XCTAssertThrowsError(try EntryCompression.decompress(flipped), "a flipped bit")
        XCTAssertThrowsError(try EntryCompression.decompress(packed.prefix(packed.count - 12)), "truncated")
        XCTAssertThrowsError(try EntryCompression.decompress(packed + Data([0, 0, 0, 0])), "bytes after the stream")
        XCTAssertThrowsError(try EntryCompression.decompress(json), "not xz")
    }

    /// The long two-grade run of `CommittedResultsTests`, trained into a run store and frozen into
    /// two results stores.
    func testFrozenEntryIsCompressedReadsBackIdenticallyAndTwoFreezesGiveTheSameBytes() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("compressed-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let report = try ReportSiteTests.report(CommittedResultsTests.text, id: "long")
        let spec = report.experiments[0]
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        try store.store(CommittedResultsTests.long(Runner.run(spec)), for: spec)
        let key = RunStore.key(for: spec)
        let a = try RunStore(root: dir.appendingPathComponent("a")), b = try RunStore(root: dir.appendingPathComponent("b"))
        let onDisk = try store.freeze(spec, into: a)
        try store.freeze(spec, into: b)
        let folder = dir.appendingPathComponent("a/runs/\(key)")
        XCTAssertFalse(fm.fileExists(atPath: folder.appendingPathComponent("result.json").path))
        let packed = try Data(contentsOf: folder.appendingPathComponent("result.json.xz"))

        // Round trip: the compressed file holds exactly the JSON a plain freeze writes, and the
        // digest is that JSON's.
        let stored = try RunStore.decoder().decode(RunResult.self, from: Data(contentsOf: dir.appendingPathComponent("store/runs/\(key)/result.json")))
        let plain = try RunStore.encoder().encode(stored.compactForResults)
        XCTAssertEqual(try EntryCompression.decompress(packed), plain)
        let digests = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("digest.json")))
        XCTAssertEqual(digests["result.json"], RunStore.digest(plain))
        XCTAssertEqual(Set(digests.keys), ["spec.json", "result.json", "compute.json"], "the digest names the files, not their form")
        XCTAssertEqual(a.result(for: spec)?.timeless, try RunStore.decoder().decode(RunResult.self, from: plain).withGradeLosses.named(spec.name).timeless)
        XCTAssertEqual(a.problems().count, 0)
        XCTAssertEqual(onDisk, RunStore.diskBytes(folder))
        print("compressed results: a 60,000-step two-grade run frozen: \(plain.count) bytes of JSON, \(packed.count) compressed")
        XCTAssertLessThan(packed.count * 2, plain.count)

        // Determinism: two freezes give the same bytes, file by file; freezing again rewrites nothing.
        let names = try fm.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(names, ["compute.json", "digest.json", "provenance.json", "result.json.xz", "spec.json"])
        XCTAssertEqual(names, try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("b/runs/\(key)").path).sorted())
        for name in names {
            XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent(name)),
                           try Data(contentsOf: dir.appendingPathComponent("b/runs/\(key)/\(name)")), name)
        }
        let inode = try fm.attributesOfItem(atPath: folder.appendingPathComponent("result.json.xz").path)[.systemFileNumber] as? NSNumber
        try store.freeze(spec, into: a)
        XCTAssertEqual(try fm.attributesOfItem(atPath: folder.appendingPathComponent("result.json.xz").path)[.systemFileNumber] as? NSNumber, inode,
                       "an entry already frozen in this form is kept")
    }

    func testVerifyStoreCatchesADamagedCompressedEntry() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("compressed-bad-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let report = try ReportSiteTests.report(CommittedResultsTests.text, id: "long")
        let spec = report.experiments[0]
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        try store.store(Runner.run(spec), for: spec)
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        try store.freeze(spec, into: results)
        let key = RunStore.key(for: spec)
        let file = dir.appendingPathComponent("results/runs/\(key)/result.json.xz")
        let good = try Data(contentsOf: file)
        XCTAssertNotNil(results.result(for: spec))

        // A flipped bit: the file no longer decompresses.
        var flipped = good
        flipped[good.count / 2] ^= 0x01
        try flipped.write(to: file)
        XCTAssertNil(results.result(for: spec), "a damaged entry is never read")
        XCTAssertEqual(results.problems().map(\.key), [key])
        XCTAssertEqual(results.problems().first?.reason, "result.json.xz does not decompress (damaged)")
        let manifest = ResultsManifest(report: "long", profile: "quick", runs: [spec.name: key])
        XCTAssertTrue(manifest.problem(specs: [spec], absent: [spec.name], in: results)?.contains("missing from the results store or not verifying: g") == true)

        // A whole xz file of other bytes (one digit changed): it decompresses but does not match the digest.
        let text = try XCTUnwrap(String(data: try EntryCompression.decompress(good), encoding: .utf8))
        let digit = try XCTUnwrap(text.range(of: "e-"))
        let changed = text.replacingCharacters(in: text.index(before: digit.lowerBound)..<digit.lowerBound,
                                               with: text[text.index(before: digit.lowerBound)] == "1" ? "2" : "1")
        try EntryCompression.compress(Data(changed.utf8)).write(to: file)
        XCTAssertNil(results.result(for: spec))
        XCTAssertEqual(results.problems().first?.reason, "result.json does not match its digest")

        // Freezing again replaces the damaged entry.
        try store.freeze(spec, into: results)
        XCTAssertEqual(try Data(contentsOf: file), good)
        XCTAssertEqual(results.problems().count, 0)
    }

    /// A results store holding plain entries (an earlier version's) and compressed ones reads both,
    /// and `reencodeEntries` converts the plain ones in place: same digests, same results.
    func testMixedStoreReadsBothFormsAndReencodesInPlace() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("compressed-mixed-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let report = try ReportSiteTests.report(FrozenPartsTests.text, id: "parts")
        let (g, h) = (report.experiments[0], report.experiments[1])
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        for spec in [g, h] { try store.store(Runner.run(spec), for: spec) }
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        try store.freeze(g, into: results)
        XCTAssertEqual(try results.merge(from: dir.appendingPathComponent("store")), 1, "h copied as the run store has it: plain")
        let hFolder = dir.appendingPathComponent("results/runs/\(RunStore.key(for: h))")
        let gFolder = dir.appendingPathComponent("results/runs/\(RunStore.key(for: g))")
        XCTAssertEqual(RunStore.compressedFiles(hFolder), [])
        XCTAssertEqual(RunStore.compressedFiles(gFolder), ["result.json"])
        XCTAssertEqual(results.problems().count, 0)
        XCTAssertEqual(results.result(for: h), store.result(for: h))
        XCTAssertEqual(results.result(for: g)?.losses, store.result(for: g)?.losses)
        let hDigest = try Data(contentsOf: hFolder.appendingPathComponent("digest.json"))
        let gBytes = try fm.contentsOfDirectory(atPath: gFolder.path).sorted().map { try Data(contentsOf: gFolder.appendingPathComponent($0)) }
        let plainH = try Data(contentsOf: hFolder.appendingPathComponent("result.json"))

        let (converted, before, after) = try results.reencodeEntries()
        XCTAssertEqual(converted, 1)
        XCTAssertLessThan(after, before)
        XCTAssertEqual(RunStore.compressedFiles(hFolder), ["result.json"])
        XCTAssertFalse(fm.fileExists(atPath: hFolder.appendingPathComponent("result.json").path))
        XCTAssertEqual(try EntryCompression.decompress(try Data(contentsOf: hFolder.appendingPathComponent("result.json.xz"))), plainH)
        XCTAssertEqual(try Data(contentsOf: hFolder.appendingPathComponent("digest.json")), hDigest, "the digest is unchanged")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: gFolder.path).sorted().map { try Data(contentsOf: gFolder.appendingPathComponent($0)) }, gBytes,
                       "an entry already compressed is left as it is")
        XCTAssertEqual(results.result(for: h), store.result(for: h))
        XCTAssertEqual(results.problems().count, 0)
        XCTAssertEqual(try results.reencodeEntries().converted, 0)
        // Merging a compressed store into a run store writes plain entries, which read the same.
        let merged = try RunStore(root: dir.appendingPathComponent("merged"))
        XCTAssertEqual(try merged.merge(from: dir.appendingPathComponent("results")), 2)
        XCTAssertEqual(merged.result(for: h), store.result(for: h))
        XCTAssertEqual(RunStore.compressedFiles(dir.appendingPathComponent("merged/runs/\(RunStore.key(for: h))")), [])
    }

    /// An mlp recording layer norms and perturbations that nothing reads: `freeze` leaves them out,
    /// the pages stay byte-identical, and a figure or claim that reads them later fails the frozen
    /// build by name.
    static let norms = """
        ---
        version: 1
        title: "Norms"
        ---

        ```experiment s
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 2}, points: 32}
        model: {widths: [1, 16, 16, 1]}
        train: {lr: 3.0e-3, steps: 60, record_every: 10, keep_predictions: [30, 60], record_norms: true, perturb: {directions: 2, max: 2, deltas: 3, seed: 7}}
        ```

        ```figure heat
        kind: spectral_evolution
        run: s
        ```

        ```figure loss
        kind: loss
        run: s
        ```

        ```claim low-first
        kind: order
        statement: "Low frequencies first."
        run: s
        ```
        """

    func testUnreadNormsAndPerturbationsAreLeftOutAndAReaderFailsByName() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("frozen-norms-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let (report, results, _) = try FrozenPartsTests.freezeAndCompare(Self.norms, id: "norms", in: dir)
        let spec = report.experiments[0]
        let frozen = try XCTUnwrap(results.result(for: spec))
        XCTAssertEqual(frozen.omitted?.filter { [.layerNorms, .perturbation, .spectra, .predictions].contains($0) }, [.layerNorms, .perturbation])
        XCTAssertNil(frozen.layerNorms)
        XCTAssertNil(frozen.perturbation)
        let whole = try XCTUnwrap(RunStore(readingFrom: dir.appendingPathComponent("store")).result(for: spec))
        XCTAssertNotNil(whole.layerNorms)
        XCTAssertEqual(frozen.spectra, whole.spectra, "what a figure reads is kept exactly")
        XCTAssertEqual(report.resultPartsRead()["s"], [.spectra, .predictions, .lossCurve])

        // What reads them: their figures and the robustness claim.
        let everyKind = try ReportSiteTests.report(FrozenPartsTests.everyKind, id: "every")
        XCTAssertEqual(everyKind.resultPartsRead()["s"].map { $0.isSuperset(of: [.layerNorms, .perturbation]) }, true)

        func build(_ extra: String, _ name: String) throws -> (BuildSummary, String) {
            try (Self.norms + extra).write(to: dir.appendingPathComponent("reports/norms.md"), atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent(name)
            var builder = SiteBuilder(reportsDirectory: dir.appendingPathComponent("reports"), templatesDirectory: ReportSiteTests.templates,
                                      outputDirectory: out, profile: "quick", storeDirectory: dir.appendingPathComponent("empty-\(name)"), frozen: true)
            builder.resultsDirectory = dir.appendingPathComponent("results")
            let summary = try builder.build()
            return (summary, try String(contentsOf: out.appendingPathComponent("norms/index.html"), encoding: .utf8))
        }
        let (withNorms, normsPage) = try build("\n\n```figure norms\nkind: layer_norms\nrun: s\n```\n", "with-norms")
        XCTAssertEqual(withNorms.failedRuns, ["norms/s"])
        XCTAssertTrue(normsPage.contains("frozen without its layer norms, which a figure, table or claim of the report now reads"), normsPage)
        let (withClaim, claimPage) = try build("\n\n```claim robust\nkind: robustness_order\nstatement: \"High frequencies are the least robust.\"\nrun: s\n```\n", "with-claim")
        XCTAssertEqual(withClaim.failedRuns, ["norms/s"])
        XCTAssertTrue(claimPage.contains("frozen without its perturbation measurements"), claimPage)
    }
}

extension CompressedResultsTests {
    /// A loss curve that no loss figure (nor a curves figure of the loss) reads keeps only the
    /// steps the run page, tables and claims read: the final and lowest loss, the step counts
    /// and each grade's steps unchanged; a loss figure added later fails the frozen build by name.
    func testUnreadLossCurveKeepsTheStepsPagesReadAndAReaderFailsByName() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("frozen-loss-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let text = """
            ---
            version: 1
            title: "Loss"
            ---

            ```experiment g
            method: mgdl
            task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 64, split: mgdl, validation: 32, test: 32}
            model: {grades: [[8], [8]]}
            train: {lr: 1.0e-2, epochs: 20, record_every: 5}
            ```

            ```table per-grade
            kind: rse
            grades: true
            run: g
            ```

            ```figure errors
            kind: curves
            metric: rse
            run: g
            ```

            ```claim low-loss
            kind: value
            statement: "A final loss."
            source: "none: a test"
            run: g
            metric: final_loss
            paper: 0.01
            within: {factor: 1000}
            ```
            """
        let (report, results, _) = try FrozenPartsTests.freezeAndCompare(text, id: "loss", in: dir)
        let spec = report.experiments[0]
        let whole = try XCTUnwrap(RunStore(readingFrom: dir.appendingPathComponent("store")).result(for: spec))
        let frozen = try XCTUnwrap(results.result(for: spec))
        XCTAssertTrue(frozen.omitted?.contains(.lossCurve) == true)
        XCTAssertLessThanOrEqual(frozen.losses.count, 6)
        XCTAssertGreaterThan(whole.losses.count, 20)
        XCTAssertEqual(frozen.stepCount, whole.stepCount)
        XCTAssertEqual(frozen.gradeStepCounts, whole.gradeStepCounts)
        XCTAssertEqual(frozen.losses.last, whole.losses.last)
        XCTAssertEqual(frozen.lowestLoss?.step, whole.lowestLoss?.step)
        XCTAssertEqual(frozen.lowestLoss?.loss, whole.lowestLoss?.loss)
        XCTAssertEqual(frozen.grades?.map { $0.losses.last }, whole.grades?.map { $0.losses.last }, "each grade's last loss")
        for (step, loss) in zip(frozen.lossStepNumbers, frozen.losses) { XCTAssertEqual(loss, whole.losses[step], "step \(step): exact") }

        // A thinned 60,000-step curve: the same steps read, the same numbers.
        let long = CommittedResultsTests.long(whole)
        let kept = long.compactForResults.keeping([])
        XCTAssertEqual(kept.omitted?.contains(.lossCurve), true)
        XCTAssertEqual(kept.withGradeLosses.stepCount, 60_000)
        XCTAssertEqual(kept.withGradeLosses.gradeStepCounts, [30_000, 30_000])
        XCTAssertEqual(kept.lowestLoss?.step, long.lowestLoss?.step)
        XCTAssertEqual(kept.losses.last, long.losses.last)
        XCTAssertEqual(kept.withGradeLosses.grades?.map { $0.losses.last }, long.grades?.map { $0.losses.last })

        // The report now draws the loss: the frozen build fails the run, naming what it lacks.
        try (text + "\n\n```figure loss\nkind: loss\nrun: g\n```\n").write(to: dir.appendingPathComponent("reports/loss.md"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("with-loss")
        var builder = SiteBuilder(reportsDirectory: dir.appendingPathComponent("reports"), templatesDirectory: ReportSiteTests.templates,
                                  outputDirectory: out, profile: "quick", storeDirectory: dir.appendingPathComponent("empty-loss"), frozen: true)
        builder.resultsDirectory = dir.appendingPathComponent("results")
        let summary = try builder.build()
        XCTAssertEqual(summary.failedRuns, ["loss/g"])
        let page = try String(contentsOf: out.appendingPathComponent("loss/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("frozen without its training-loss curve"), page)
    }
}

private extension RunResult {
    func named(_ name: String) -> RunResult {
        var copy = self
        copy.name = name
        return copy
    }
}
