/// Image regression: learn the map from pixel coordinates to pixel values
/// (Tancik et al., 2020, Sec. 6 "2D images"; MGDL, Fang & Xu, 2024, Sec. 3.3).
///
/// Coordinates: pixel (row, column) of an H x W image sits at (x, y) = (column/W, row/H) in
/// [0, 1)², the `meshgrid(linspace(0, 1, N, endpoint=False))` of Tancik et al.'s notebook.
/// Targets are the pixel's channels (1 grey, 3 RGB). Points are listed row by row.
public struct ImageTask: Sendable, Equatable {
    /// Which pixels train and which test (the evaluation protocol).
    public enum Evaluation: String, Sendable, Equatable, CaseIterable, Codable {
        /// Train on the pixels with even row and even column (a quarter of the image, the
        /// regular grid at half resolution); test on the pixels with odd row and odd column
        /// (disjoint from training, the same half-resolution grid shifted by one pixel).
        case tancik
        /// Train on the same even grid; test on the full image (every pixel, so the test
        /// prediction is the reconstruction and its PSNR is the paper's).
        case mgdl
    }

    public let image: Image

    public init(image: Image) {
        self.image = image
    }

    /// Loads, optionally centre-crops to a square, and optionally resizes (box filter) a PNG:
    /// the usual preparation (Tancik et al. crop 512 x 512 centres; the MGDL images are square).
    public static func load(contentsOf path: String, as colour: Image.Colour, cropToSquare: Bool = false,
                            resizeTo size: (width: Int, height: Int)? = nil) throws -> ImageTask {
        var image = try Image.load(contentsOf: path, as: colour)
        if cropToSquare { image = image.centreCroppedToSquare() }
        if let size {
            guard size.width > 0 && size.height > 0 else {
                throw TaskError("image \(path): resize to \(size.width)x\(size.height) is not a positive size")
            }
            image = image.resized(width: size.width, height: size.height)
        }
        return ImageTask(image: image)
    }

    /// The text image of `seed` (``TextImage``, 512 x 512), optionally resized (box filter).
    public static func text(seed: UInt64, as colour: Image.Colour, resizeTo size: (width: Int, height: Int)? = nil) throws -> ImageTask {
        var image = try TextImage.render(seed: seed).converted(to: colour)
        if let size {
            guard size.width > 0 && size.height > 0 else {
                throw TaskError("text image \(seed): resize to \(size.width)x\(size.height) is not a positive size")
            }
            image = image.resized(width: size.width, height: size.height)
        }
        return ImageTask(image: image)
    }

    /// The oriented sinusoid image (``SinusoidImage``) at size × size, in `colour` (RGB: three
    /// equal channels). Throws a ``TaskError`` when the size does not resolve the wave.
    public static func sinusoid(_ wave: SinusoidImage, size: Int, as colour: Image.Colour) throws -> ImageTask {
        guard size > 0, wave.resolves(size: size) else {
            let k = wave.waveVector
            throw TaskError("sinusoid image at \(wave.angle)°, frequency \(wave.frequency): wave vector (\(k.x), \(k.y)) is not resolved by a \(size) x \(size) image (each component must be below \(size / 2))")
        }
        return ImageTask(image: wave.render(size: size).converted(to: colour))
    }

    /// (x, y) = (column/W, row/H) of every pixel, row by row, flat (x₀, y₀, x₁, y₁, ...).
    public static func coordinates(width: Int, height: Int) -> [Double] {
        var result = [Double]()
        result.reserveCapacity(2 * width * height)
        for row in 0..<height {
            for column in 0..<width {
                result.append(Double(column) / Double(width))
                result.append(Double(row) / Double(height))
            }
        }
        return result
    }

    /// The pixels whose (row, column) satisfy `keep`, in row order, as samples.
    public func samples(where keep: (_ row: Int, _ column: Int) -> Bool) -> Samples {
        var inputs = [Double]()
        var targets = [Double]()
        for row in 0..<image.height {
            for column in 0..<image.width where keep(row, column) {
                inputs.append(Double(column) / Double(image.width))
                inputs.append(Double(row) / Double(image.height))
                for c in 0..<image.channels { targets.append(image[row, column, c]) }
            }
        }
        return Samples(inputs: inputs, targets: targets, inputDimension: 2, outputDimension: image.channels)
    }

    /// Every pixel, row by row: the test set of ``Evaluation/mgdl``.
    public var allPixels: Samples { samples { _, _ in true } }

    /// The training and test samples of an evaluation protocol; validation is empty (neither paper holds
    /// out validation pixels). Counts for H x W: train ⌈H/2⌉⌈W/2⌉; test ⌊H/2⌋⌊W/2⌋ (Tancik)
    /// or HW (MGDL).
    public func split(_ evaluation: Evaluation) -> Split {
        let train = samples { row, column in row % 2 == 0 && column % 2 == 0 }
        let test: Samples
        switch evaluation {
        case .tancik: test = samples { row, column in row % 2 == 1 && column % 2 == 1 }
        case .mgdl: test = allPixels
        }
        return Split(train: train, validation: .empty(inputDimension: 2, outputDimension: image.channels),
                     test: test)
    }
}
