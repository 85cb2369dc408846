import Foundation
import Numerics

/// Rahaman et al.'s generalised spectrum on real data (ICML 2019, Sec. 4, Exp. 4; the authors'
/// notebook `ICML_MNISTWithKernels.ipynb`): the eigenvectors of a Gaussian (RBF) kernel matrix
/// over the samples play the role of Fourier modes, ordered by decreasing eigenvalue, so that a
/// larger eigen-index n is a higher "frequency" (a function that varies faster between nearby
/// samples).
///
/// K_ij = exp(−‖x_i − x_j‖² / (2σ²)) over the N samples, with ‖x_i − x_j‖² computed as
/// ‖x_i‖² + ‖x_j‖² − 2⟨x_i, x_j⟩ (one BLAS `dgemm`, clamped at 0; for MNIST pixels in [0, 1] the
/// rounding error is below 10⁻¹² of a squared distance), decomposed by LAPACK
/// (``SymmetricEigendecomposition``: vectors of nearly equal eigenvalues are fixed only up to
/// their near-eigenspace). Memory N² Doubles (N = 2000: 32 MB), time O(N²d + N³).
public struct GaussianKernelSpectrum: Sendable {
    /// σ, in the units of the inputs.
    public let width: Double
    public let eigen: SymmetricEigendecomposition

    /// The largest number of samples accepted (the matrix alone is 800 MB there).
    public static let maximumSamples = 10_000

    /// The spectrum of the kernel over `count` samples of `dimension` values each (`inputs`
    /// row-major). Throws when there are fewer than two samples or more than `maximumSamples`,
    /// or when LAPACK fails.
    public init(inputs: [Double], dimension d: Int, width: Double) throws {
        precondition(d > 0 && inputs.count % d == 0 && width > 0, "GaussianKernelSpectrum: \(inputs.count) values of dimension \(d), width \(width)")
        let n = inputs.count / d
        guard n >= 2 else { throw TaskError("a kernel spectrum needs at least two training samples, found \(n)") }
        guard n <= Self.maximumSamples else {
            throw TaskError("a kernel spectrum over \(n) training samples is too large (at most \(Self.maximumSamples))")
        }
        var gram = [Double](repeating: 0, count: n * n)
        gemm(transposeA: false, transposeB: true, m: n, n: n, k: d, alpha: 1.0, a: inputs, lda: d, b: inputs, ldb: d,
             beta: 0.0, c: &gram, ldc: n)
        let squaredNorms = (0..<n).map { gram[$0 * n + $0] }
        let scale = -1 / (2 * width * width)
        var kernel = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let distance2 = max(0, squaredNorms[i] + squaredNorms[j] - 2 * gram[i * n + j])
                let k = i == j ? 1 : exp(scale * distance2)
                kernel[i * n + j] = k
                kernel[j * n + i] = k
            }
        }
        self.width = width
        do { eigen = try SymmetricEigendecomposition(symmetric: kernel, dimension: n) } catch {
            throw TaskError("the kernel's eigendecomposition failed: \(error)")
        }
    }

    /// N, the number of samples (and of eigenvectors).
    public var count: Int { eigen.dimension }

    /// The notebook's high-frequency noise ("hfn"): Σₙ (n/(N − 1))^γ vₙ, n = 0 … N − 1 from the
    /// largest eigenvalue down (the coefficients are `linspace(0, 1, N) ** γ`): nothing along the
    /// top eigenvector, full weight along the last. One value per sample.
    public func noise(exponent gamma: Double) -> [Double] {
        let last = Double(count - 1)
        return eigen.synthesize((0..<count).map { pow(Double($0) / last, gamma) })
    }

    /// The spectrum of `f` (one value per sample): |⟨vₙ, f⟩| averaged over bins of `bin`
    /// consecutive eigen-indices (the notebook's `bin_mean`; the last bin holds what is left
    /// when `bin` does not divide N).
    public func binnedMagnitudes(of f: [Double], bin: Int) -> [Double] {
        precondition(bin > 0, "GaussianKernelSpectrum.binnedMagnitudes: bin \(bin)")
        let c = eigen.coefficients(of: f)
        return stride(from: 0, to: count, by: bin).map { start in
            let end = min(start + bin, count)
            return c[start..<end].reduce(0) { $0 + abs($1) } / Double(end - start)
        }
    }

    /// The first eigen-index of each bin of `bin` (the x positions of a binned spectrum).
    public func binStarts(bin: Int) -> [Int] { Array(stride(from: 0, to: count, by: bin)) }
}
