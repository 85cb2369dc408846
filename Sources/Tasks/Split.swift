/// Labelled points: `count` inputs of `inputDimension` values and their targets of
/// `outputDimension` values, each flat and row-major (point i is
/// `inputs[i*inputDimension ..< (i+1)*inputDimension]`).
public struct Samples: Sendable, Equatable {
    public let inputs: [Double]
    public let targets: [Double]
    public let inputDimension: Int
    public let outputDimension: Int

    /// Preconditions: positive dimensions and lengths that are whole multiples of them with the
    /// same number of points.
    public init(inputs: [Double], targets: [Double], inputDimension: Int, outputDimension: Int = 1) {
        precondition(inputDimension > 0 && outputDimension > 0, "Samples: dimensions must be positive")
        precondition(inputs.count % inputDimension == 0 && targets.count % outputDimension == 0
                     && inputs.count / inputDimension == targets.count / outputDimension,
                     "Samples: \(inputs.count) inputs of dimension \(inputDimension) do not match "
                     + "\(targets.count) targets of dimension \(outputDimension)")
        self.inputs = inputs
        self.targets = targets
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension
    }

    /// No points.
    public static func empty(inputDimension: Int, outputDimension: Int = 1) -> Samples {
        Samples(inputs: [], targets: [], inputDimension: inputDimension, outputDimension: outputDimension)
    }

    /// Number of points.
    public var count: Int { inputs.count / inputDimension }

    public var isEmpty: Bool { inputs.isEmpty }

    /// Input of point i.
    public func input(_ i: Int) -> ArraySlice<Double> {
        inputs[i * inputDimension ..< (i + 1) * inputDimension]
    }

    /// Target of point i.
    public func target(_ i: Int) -> ArraySlice<Double> {
        targets[i * outputDimension ..< (i + 1) * outputDimension]
    }
}

/// Training, validation and test samples of one task (validation may be empty).
public struct Split: Sendable, Equatable {
    public let train: Samples
    public let validation: Samples
    public let test: Samples

    /// Precondition: the three share input and output dimensions.
    public init(train: Samples, validation: Samples, test: Samples) {
        precondition(
            [validation, test].allSatisfy {
                $0.inputDimension == train.inputDimension && $0.outputDimension == train.outputDimension
            }, "Split: train, validation and test must share dimensions")
        self.train = train
        self.validation = validation
        self.test = test
    }

    public var inputDimension: Int { train.inputDimension }
    public var outputDimension: Int { train.outputDimension }

    /// MGDL's protocol for functions of one variable on [0, 1) (Fang & Xu, 2024, Sec. 3):
    /// `trainCount` equispaced training points (``Grid/equispaced(count:from:to:)``, endpoint
    /// excluded, so the training predictions are also the grid on which spectra are taken), and
    /// validation and test points drawn independently and uniformly from [0, 1), each from its own
    /// seed (``uniformPoints(count:seed:)``: Numerics' SeededGenerator, xoshiro256**), then sorted
    /// ascending.
    ///
    /// The 6000 training points are the paper's; it does not fix the validation and test sizes in
    /// what we could check, so the defaults (2000 each) are ours.
    public static func mgdl(target: (Double) -> Double, trainCount: Int = 6000,
                            validationCount: Int = 2000, testCount: Int = 2000,
                            validationSeed: UInt64 = 1, testSeed: UInt64 = 2,
                            generator: TaskGenerator = .xoshiro) -> Split {
        parameterised(inputDimension: 1, embedding: { [$0] }, target: target, trainCount: trainCount,
                      validationCount: validationCount, testCount: testCount,
                      validationSeed: validationSeed, testSeed: testSeed, generator: generator)
    }

    /// MGDL's protocol on a manifold (Rahaman et al., 2019, Sec. 4): the parameter t follows
    /// ``mgdl(target:trainCount:validationCount:testCount:validationSeed:testSeed:)``, the inputs
    /// are the points γ_q(t) ∈ ℝ² and the targets λ(t). Training inputs are in grid order of t,
    /// so spectra in t are taken on the training predictions as for 1-D tasks.
    public static func mgdl(on manifold: Manifold, target: (Double) -> Double, trainCount: Int = 6000,
                            validationCount: Int = 2000, testCount: Int = 2000,
                            validationSeed: UInt64 = 1, testSeed: UInt64 = 2,
                            generator: TaskGenerator = .xoshiro) -> Split {
        parameterised(inputDimension: 2, embedding: { let p = manifold.point($0); return [p.x, p.y] },
                      target: target, trainCount: trainCount, validationCount: validationCount,
                      testCount: testCount, validationSeed: validationSeed, testSeed: testSeed, generator: generator)
    }

    /// Tancik et al.'s 1-D protocol (Figs. 3–4): train on every `stride`-th point of a dense
    /// `grid` (points 0, c, 2c, …) and test on all the others, in grid order; no validation set.
    /// Inputs are `embedding(t)` (width `inputDimension`), targets `target(t)`.
    public static func interleaved(grid: [Double], stride c: Int, inputDimension: Int = 1,
                                   embedding: (Double) -> [Double] = { [$0] }, target: (Double) -> Double) -> Split {
        precondition(c >= 2 && grid.count > c, "Split.interleaved: need a stride of at least 2 and more grid points than the stride")
        let train = grid.indices.filter { $0 % c == 0 }.map { grid[$0] }
        let test = grid.indices.filter { $0 % c != 0 }.map { grid[$0] }
        func samples(_ ts: [Double]) -> Samples {
            Samples(inputs: ts.flatMap(embedding), targets: ts.map(target), inputDimension: inputDimension)
        }
        return Split(train: samples(train), validation: .empty(inputDimension: inputDimension), test: samples(test))
    }

    /// Uniform points of [0, 1) from a seed, sorted ascending (SeededGenerator uniforms; with
    /// `.numpy`, NumPy's `RandomState(seed).uniform(0, 1, count)`, as Fang & Xu draw theirs).
    public static func uniformPoints(count: Int, seed: UInt64, generator: TaskGenerator = .xoshiro) -> [Double] {
        precondition(count >= 0, "Split.uniformPoints: negative count \(count)")
        var random = TaskRandom(seed: seed, generator: generator)
        return (0..<count).map { _ in random.unit() }.sorted()
    }

    private static func parameterised(inputDimension: Int, embedding: (Double) -> [Double],
                                      target: (Double) -> Double, trainCount: Int, validationCount: Int,
                                      testCount: Int, validationSeed: UInt64, testSeed: UInt64,
                                      generator: TaskGenerator) -> Split {
        precondition(trainCount > 0 && validationCount >= 0 && testCount >= 0,
                     "Split.mgdl: need a positive training count and non-negative validation and test counts")
        func samples(_ ts: [Double]) -> Samples {
            Samples(inputs: ts.flatMap(embedding), targets: ts.map(target), inputDimension: inputDimension)
        }
        return Split(train: samples(Grid.equispaced(count: trainCount)),
                     validation: samples(uniformPoints(count: validationCount, seed: validationSeed, generator: generator)),
                     test: samples(uniformPoints(count: testCount, seed: testSeed, generator: generator)))
    }
}
