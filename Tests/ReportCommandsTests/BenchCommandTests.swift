import Foundation
import XCTest

/// `mgdl-report bench` as a user runs it: one JSON line per workload with the peers' fields. Only
/// the shape of the output is checked here (speed is measured by the command, in a release
/// build, never by a test).
final class BenchCommandTests: XCTestCase, BuiltBinaryTesting {
    func line(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(["bench"] + arguments, in: FileManager.default.temporaryDirectory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = try XCTUnwrap(result.stdout.split(separator: "\n").last.map(String.init), result.stdout)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// The float64 workload trains `mgdl_mb`'s network in float64 and compares it with the float64
    /// FMA peak, half the float32 one the float32 workloads report.
    func testFloat64WorkloadReportsItsPrecisionAndTheFloat64Peak() throws {
        let f64 = try line(["mgdl_mb_f64", "--threads", "1", "--steps", "1"])
        XCTAssertEqual(f64["workload"] as? String, "mgdl_mb_f64")
        XCTAssertEqual(f64["precision"] as? String, "float64")
        XCTAssertEqual(f64["steps"] as? Int, 24, "one epoch of 6000 samples in minibatches of 256")
        let loss = try XCTUnwrap(f64["final_loss"] as? Double)
        XCTAssertTrue(loss.isFinite && loss > 0, "\(loss)")
        let f32 = try line(["mgdl_mb", "--threads", "1", "--steps", "1"])
        XCTAssertEqual(f32["precision"] as? String, "float32")
        let peak64 = try XCTUnwrap(f64["fma_peak_gflops_per_cpu"] as? Double), peak32 = try XCTUnwrap(f32["fma_peak_gflops_per_cpu"] as? Double)
        // Each peak is the best of 3 short runs, in separate processes: within 25% of half.
        XCTAssertEqual(peak64 / peak32, 0.5, accuracy: 0.125, "float64 peak \(peak64) against float32 \(peak32)")
        let unknown = try run(["bench", "mgdl_mb_f32"], in: FileManager.default.temporaryDirectory)
        XCTAssertEqual(unknown.status, 2, "an unknown workload is bad input: exit 2")
        XCTAssertTrue(unknown.stderr.contains("mgdl_mb_f64"), "the error lists the workloads: \(unknown.stderr)")
    }
}
