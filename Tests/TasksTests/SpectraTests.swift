import Foundation
import Numerics
import Tasks
import XCTest

final class SpectraTests: XCTestCase {
    /// A unit sinusoid with an arbitrary phase completes k periods on the grid: bin k reads 1,
    /// every other bin reads 0 (no leakage), to FFTW's rounding.
    func testUnitSinusoidReadsOneAtItsFrequency() {
        let n = 256
        let k = 17
        let x = Grid.equispaced(count: n)
        let signal = x.map { sin(2 * Double.pi * Double(k) * $0 + 1.234) }
        let spectrum = Spectra.amplitudeSpectrum(signal)
        XCTAssertEqual(spectrum.count, n / 2 + 1)
        XCTAssertEqual(spectrum[k], 1, accuracy: 1e-12)
        for bin in spectrum.indices where bin != k {
            XCTAssertEqual(spectrum[bin], 0, accuracy: 1e-12, "bin \(bin)")
        }
        let relative = Spectra.relativeAmplitudes(of: signal.map { 0.5 * $0 }, at: [k, 3], reference: [0.5, 1])
        XCTAssertEqual(relative[0], 1, accuracy: 1e-12)
        XCTAssertEqual(relative[1], 0, accuracy: 1e-12)
    }

    /// The mean and the Nyquist bin are not shared with a mirror bin: scaled by 1/n.
    func testMeanAndNyquistScaling() {
        let n = 8
        let signal = (0..<n).map { 0.25 + 0.5 * ($0 % 2 == 0 ? 1.0 : -1.0) }
        let spectrum = Spectra.amplitudeSpectrum(signal)
        XCTAssertEqual(spectrum[0], 0.25, accuracy: 1e-14)
        XCTAssertEqual(spectrum[n / 2], 0.5, accuracy: 1e-14)
        XCTAssertEqual(spectrum[1], 0, accuracy: 1e-14)
    }

    /// Raw FFTW conventions: unnormalised forward transform, inverse ∘ forward = n · identity.
    func testFourierTransformConventions() {
        let signal: [Double] = [1, 2, 0, -1, 3]
        let (re, im) = FourierTransform.spectrum(signal)
        XCTAssertEqual(re.count, 3)
        // Hand DFT: X_k = Σ x_j e^{-2πi jk/n}.
        for k in 0..<3 {
            var r = 0.0, i = 0.0
            for (j, v) in signal.enumerated() {
                let angle = -2 * Double.pi * Double(j * k) / 5
                r += v * cos(angle); i += v * sin(angle)
            }
            XCTAssertEqual(re[k], r, accuracy: 1e-12)
            XCTAssertEqual(im[k], i, accuracy: 1e-12)
        }
        XCTAssertEqual(FourierTransform.amplitudes(signal)[0], 5, accuracy: 1e-12)
        let back = FourierTransform.inverse(re: re, im: im, count: 5).map { $0 / 5 }
        for (a, b) in zip(back, signal) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(FourierTransform.amplitudes([]), [])
    }

    /// Planning is serialised: concurrent transforms give the serial answer.
    func testConcurrentTransformsAgree() {
        let signal = (0..<1000).map { sin(Double($0) * 0.37) + 0.1 * Double($0 % 7) }
        let expected = FourierTransform.amplitudes(signal)
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 16)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            results[i] = FourierTransform.amplitudes(signal) == expected
        }
        XCTAssertTrue(results.allSatisfy { $0 })
    }

    func testEvolutionAndTargetReferencedAmplitudes() {
        let n = 128
        let target = SumOfSines(frequencies: [4, 9], amplitudes: .xDependent, phases: [0.3, 1.1])
        let targetSamples = target.sampledOnUnitGrid(count: n)
        let relative = Spectra.relativeAmplitudes(of: targetSamples, at: [4, 9], targetSamples: targetSamples)
        XCTAssertEqual(relative[0], 1, accuracy: 1e-12)
        XCTAssertEqual(relative[1], 1, accuracy: 1e-12)
        let rows = Spectra.evolution(of: [targetSamples.map { $0 * 0 }, targetSamples.map { $0 / 2 }],
                                     at: [4], reference: [Spectra.amplitudeSpectrum(targetSamples)[4]])
        XCTAssertEqual(rows[0][0], 0, accuracy: 1e-12)
        XCTAssertEqual(rows[1][0], 0.5, accuracy: 1e-12)
    }
}

final class MetricsTests: XCTestCase {
    func testRSEAndMSEByHand() {
        // Errors (1, -1, 0), Σe² = 2; Σy² = 1 + 4 + 9 = 14.
        let target: [Double] = [1, 2, 3]
        let prediction: [Double] = [0, 3, 3]
        XCTAssertEqual(Metrics.rse(prediction: prediction, target: target), 2.0 / 14, accuracy: 1e-15)
        XCTAssertEqual(Metrics.mse(prediction: prediction, target: target), 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(Metrics.rse(prediction: [0, 0, 0], target: target), 1)
    }

    func testPSNRClampsPredictionFirst() {
        // Target all 0.5; prediction 0.6 → MSE 0.01 → PSNR 20 dB.
        XCTAssertEqual(Metrics.psnr(prediction: [0.6, 0.4], target: [0.5, 0.5]), 20, accuracy: 1e-12)
        // 1.7 is clamped to 1 (error 0.5) and -3 to 0 (error 0.5): MSE 0.25 → 10 log10(4).
        XCTAssertEqual(Metrics.psnr(prediction: [1.7, -3], target: [0.5, 0.5]), 10 * log10(4.0), accuracy: 1e-12)
        // Peak 255: MSE 255²/100 → 20 dB.
        XCTAssertEqual(Metrics.psnr(prediction: [25.5], target: [0], peak: 255), 20, accuracy: 1e-12)
        XCTAssertEqual(Metrics.psnr(prediction: [0.5], target: [0.5]), .infinity)
    }

    func testDenseParameterCount() {
        // 1 → 3 → 2: (1+1)·3 + (3+1)·2 = 14.
        XCTAssertEqual(Metrics.denseParameterCount(widths: [1, 3, 2]), 14)
    }
}
