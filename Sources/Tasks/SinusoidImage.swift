import Foundation

/// Tancik et al.'s oriented sinusoid images (NeurIPS 2020, App. A.5, Fig. 11; the authors'
/// notebook `Experiments/axis_aligned_ex.ipynb`): one plane wave of a given orientation and
/// frequency on the unit square, to show that positional encoding, whose frequencies lie on the
/// coordinate axes, fits waves along the axes and fails off them, while Gaussian Fourier
/// features are isotropic.
///
/// The wave vector is `frequency · (cos θ, sin θ)` with θ = `angle` in degrees, counted from the
/// x axis (columns, to the right) towards the y axis (rows, downwards: row 0 is the top), each
/// component rounded to the nearest integer (ties to even, as NumPy's `np.round`), as the
/// notebook does, so that the image is periodic on the unit square. With (k_x, k_y) the rounded
/// components, the pixel at (row, column) of a size × size image holds
///
///     (1 + cos 2π(k_x · column/size + k_y · row/size)) / 2   ∈ [0, 1],
///
/// the notebook's cos(2π(a x + b y)) ∈ [−1, 1] mapped onto [0, 1] (our images' value range and
/// PSNR peak; its mean squared error is a quarter of the notebook's, so a PSNR is 6.02 dB above
/// the notebook's). Values are exact to rounding of `cos` (no resampling): a size must resolve
/// the wave, |k_x| and |k_y| below size / 2 (``resolves(size:)``).
public struct SinusoidImage: Sendable, Equatable {
    /// Orientation θ of the wave vector in degrees (any finite number; θ and θ + 180° give the
    /// same image).
    public let angle: Double
    /// Length of the wave vector before rounding, in cycles per unit length (the notebook's
    /// "radius", 5, 10, 15 or 20).
    public let frequency: Double

    /// Preconditions: both finite, frequency ≥ 0.
    public init(angle: Double, frequency: Double) {
        precondition(angle.isFinite && frequency.isFinite && frequency >= 0,
                     "SinusoidImage: finite angle and frequency ≥ 0, got \(angle)°, \(frequency)")
        self.angle = angle
        self.frequency = frequency
    }

    /// The rounded wave vector (k_x, k_y) in cycles per unit length along columns and rows.
    public var waveVector: (x: Int, y: Int) {
        let theta = angle * Double.pi / 180
        func rounded(_ value: Double) -> Int { Int(value.rounded(.toNearestOrEven)) }
        return (rounded(frequency * cos(theta)), rounded(frequency * sin(theta)))
    }

    /// Whether a size × size image holds the wave without aliasing: |k_x|, |k_y| < size / 2.
    public func resolves(size: Int) -> Bool {
        let k = waveVector
        return 2 * abs(k.x) < size && 2 * abs(k.y) < size
    }

    /// The size × size grey image. Precondition: size ≥ 1.
    public func render(size: Int) -> Image {
        precondition(size > 0, "SinusoidImage: size must be positive, got \(size)")
        let k = waveVector
        var pixels = [Double]()
        pixels.reserveCapacity(size * size)
        for row in 0..<size {
            for column in 0..<size {
                // The phase in cycles, reduced modulo 1 with integers, so that cos is evaluated on
                // [0, 2π) whatever the size and frequency.
                let cycles = (k.x * column + k.y * row) % size
                let phase = 2 * Double.pi * Double(cycles < 0 ? cycles + size : cycles) / Double(size)
                pixels.append((1 + cos(phase)) / 2)
            }
        }
        return Image(width: size, height: size, channels: 1, pixels: pixels)
    }
}
