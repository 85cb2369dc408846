import Foundation
import XCTest
@testable import Tasks

/// The signal ensembles of Tancik et al.'s amplitude-optimisation notebook.
final class PowerLawEnsembleTests: XCTestCase {
    /// Each signal is the real part of (1/N) Σ_k (1 + min(k, N − k))^(−α)(a_k + i b_k) e^{2πijk/N}
    /// (the draws a_k, b_k in order, signal after signal), evaluated here by the direct sum; the
    /// ensemble is min–max normalised together. Agreement to 10⁻¹² (FFTW against a direct sum of
    /// 16 terms of size ≤ 1).
    func testSignalsAreTheRealPartOfTheInverseDFTNormalisedTogether() {
        let N = 16, alpha = 1.5, count = 3
        let signals = PowerLawEnsemble.signals(points: N, exponent: alpha, count: count, seed: 5)
        var random = TaskRandom(seed: 5)
        var raw: [[Double]] = []
        for _ in 0..<count {
            var re = [Double](), im = [Double]()
            for k in 0..<N {
                let decay = pow(Double(1 + min(k, N - k)), -alpha)
                re.append(decay * random.gaussian()); im.append(decay * random.gaussian())
            }
            raw.append((0..<N).map { j in
                (0..<N).reduce(0) { sum, k in
                    let angle = 2 * Double.pi * Double(j * k) / Double(N)
                    return sum + re[k] * cos(angle) - im[k] * sin(angle)
                } / Double(N)
            })
        }
        let low = raw.flatMap { $0 }.min()!, high = raw.flatMap { $0 }.max()!
        for (signal, expected) in zip(signals, raw) {
            for (value, r) in zip(signal, expected) { XCTAssertEqual(value, (r - low) / (high - low) - 0.5, accuracy: 1e-12) }
        }
        let all = signals.flatMap { $0 }
        XCTAssertEqual(all.min()!, -0.5, accuracy: 1e-15)
        XCTAssertEqual(all.max()!, 0.5, accuracy: 1e-15)
        XCTAssertEqual(PowerLawEnsemble.signals(points: N, exponent: alpha, count: count, seed: 5), signals, "deterministic")
    }
}
