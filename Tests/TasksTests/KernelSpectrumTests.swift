import Foundation
import Numerics
import Tasks
import XCTest

/// Rahaman et al.'s generalised spectrum: a Gaussian kernel's eigenvectors over the samples.
final class KernelSpectrumTests: XCTestCase {
    /// Two tight pairs of points far apart: the kernel is block diagonal with blocks
    /// [[1, a], [a, 1]], a = exp(−d²/2σ²); eigenvalues 1 + a (the pairs' sums, smooth) then
    /// 1 − a (the pairs' differences, the highest "frequency").
    func testTwoPairsHaveSumsThenDifferences() throws {
        let x: [Double] = [0, 0, 0.5, 0, 100, 0, 100, 0.5]   // (0,0), (0.5,0), (100,0), (100,0.5)
        let spectrum = try GaussianKernelSpectrum(inputs: x, dimension: 2, width: 1)
        let a = exp(-0.25 / 2)
        XCTAssertEqual(spectrum.count, 4)
        XCTAssertEqual(spectrum.eigen.values[0], 1 + a, accuracy: 1e-12)
        XCTAssertEqual(spectrum.eigen.values[1], 1 + a, accuracy: 1e-12)
        XCTAssertEqual(spectrum.eigen.values[2], 1 - a, accuracy: 1e-12)
        XCTAssertEqual(spectrum.eigen.values[3], 1 - a, accuracy: 1e-12)
        // The top two vectors are constant on each pair, the last two alternate within a pair.
        for j in 0..<2 {
            let v = spectrum.eigen.vector(j)
            XCTAssertEqual(v[0], v[1], accuracy: 1e-12); XCTAssertEqual(v[2], v[3], accuracy: 1e-12)
        }
        for j in 2..<4 {
            let v = spectrum.eigen.vector(j)
            XCTAssertEqual(v[0], -v[1], accuracy: 1e-12); XCTAssertEqual(v[2], -v[3], accuracy: 1e-12)
        }
        // The noise Σ (n/3)^γ v_n: with γ large it is almost the last vector alone.
        let noise = spectrum.noise(exponent: 40)
        let last = spectrum.eigen.vector(3)
        for i in 0..<4 { XCTAssertEqual(noise[i], last[i], accuracy: 1e-6) }
        // Its coefficients are (n/3)^γ: nothing on the top vector.
        let c = spectrum.eigen.coefficients(of: spectrum.noise(exponent: 2))
        for n in 0..<4 { XCTAssertEqual(c[n], pow(Double(n) / 3, 2), accuracy: 1e-12) }
        XCTAssertEqual(spectrum.binnedMagnitudes(of: spectrum.noise(exponent: 2), bin: 3), [(0 + 1.0 / 9 + 4.0 / 9) / 3, 1], accuracy: 1e-12)
        XCTAssertEqual(spectrum.binStarts(bin: 3), [0, 3])
    }

    /// The kernel kind of label noise adds β times the noise to a single output; the radial kinds are unchanged.
    func testKernelNoiseOnSamples() throws {
        let x: [Double] = [0, 0, 0.5, 0, 100, 0, 100, 0.5]
        let spectrum = try GaussianKernelSpectrum(inputs: x, dimension: 2, width: 1)
        let samples = Samples(inputs: x, targets: [-1, -1, 1, 1], inputDimension: 2, outputDimension: 1)
        let noisy = LabelNoise(kernelEigenvectorsAmplitude: 0.5, exponent: 2).applied(to: samples, kernel: spectrum)
        let noise = spectrum.noise(exponent: 2)
        for i in 0..<4 { XCTAssertEqual(noisy.targets[i], samples.targets[i] + 0.5 * noise[i], accuracy: 1e-15) }
        XCTAssertThrowsError(try GaussianKernelSpectrum(inputs: [1, 2], dimension: 2, width: 1), "one sample has no spectrum")
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
