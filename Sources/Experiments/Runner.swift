import Foundation
import Learning
import Numerics
import Tasks

/// What a run produced: enough to draw every figure and table without training again.
public struct RunResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ok, failed }

    public var name: String
    public var status: Status
    /// Why the run failed (nil when it succeeded).
    public var message: String?
    /// Inputs of the grid the network is trained and evaluated on.
    public var inputs: [Double]
    public var target: [Double]
    public var frequencies: [Int]
    /// The target's own amplitude at each frequency, 2|DFT(target)(k)|/n (with `spectrumBand`
    /// b, the sum over the bins k − b … k + b, as the recorded spectra).
    public var targetAmplitudes: [Double]
    /// `train.spectrum_band`: the recorded spectra and `targetAmplitudes` are sums over the
    /// bins within ± this of each frequency (nil: the bin itself).
    public var spectrumBand: Int?
    /// Training loss at every optimizer step.
    public var losses: [Double]
    public var snapshots: [Snapshot]
    public var seconds: Double
    public var parameterCount: Int
    /// Relative squared error of the final prediction on the grid.
    public var finalRSE: Double?
    /// Methods other than `mlp`: one entry per grade (MGDL), stage (MSNN) or network.
    public var grades: [GradeResult]?
    /// Step index where each grade after the first starts (into `losses`).
    public var gradeBoundaries: [Int]?
    public var trainRSE: Double?
    public var validationRSE: Double?
    public var testRSE: Double?
    /// Image tasks: the image's shape; `target`, the prediction and each grade's output are then
    /// whole images (row by row, channels interleaved), and PSNR is given on train and test pixels.
    public var image: ImageShape?
    public var trainPSNR: Double?
    public var testPSNR: Double?
    /// Image tasks with several grades: the PSNR of the sum of grades 1 to l on the training and
    /// test pixels, one per grade (as `trainPSNR`, `testPSNR`: unclamped predictions).
    public var gradeTrainPSNR: [Double]?
    /// `train.plane` (manifold tasks): every grade's own output on a grid over the plane.
    public var plane: PlanePredictions?

    /// Each grade's own output on the `size` × `size` cell centres of [−extent, extent]² (row
    /// by row from the bottom, y = −extent + (i + ½)·2·extent/size, x alike), and the curve's q.
    public struct PlanePredictions: Codable, Sendable, Equatable {
        public var size: Int
        public var extent: Double
        public var q: Double
        /// grades[l][i · size + j]: grade l's own output at row i (y), column j (x).
        public var grades: [[Double]]

        /// The cell centres along one axis.
        public var centres: [Double] {
            (0..<size).map { -extent + (Double($0) + 0.5) * 2 * extent / Double(size) }
        }
    }
    public var gradeTestPSNR: [Double]?
    /// Classification targets: the fraction of samples whose predicted class is the clean
    /// target's class (train: against the clean training labels, whatever noise was trained on).
    public var trainAccuracy: Double?
    public var validationAccuracy: Double?
    public var testAccuracy: Double?
    /// The training loss function of the whole model on the validation set (clean targets) at
    /// every recorded step (methods other than mlp that record, with a validation set).
    public var validationCurve: [Learning.CurvePoint]?

    public struct ImageShape: Codable, Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var channels: Int
    }

    public struct Snapshot: Codable, Sendable, Equatable {
        public var step: Int
        public var prediction: [Double]
    }

    /// Compact recording: the amplitude 2|DFT(prediction)(k)|/N at each target frequency k (in
    /// the order of `frequencies`) at each recorded step; nil when predictions were kept whole
    /// in `snapshots` instead.
    public var spectra: [SpectrumSnapshot]?

    public struct SpectrumSnapshot: Codable, Sendable, Equatable {
        public var step: Int
        public var amplitudes: [Double]
    }

    /// Learning curves: at each recorded step, the loss (MSE) and the task's metric (RSE; PSNR
    /// for images) on the training, validation and test sets (nil where a set is absent). nil
    /// when nothing was recorded; an `mlp` that kept its predictions derives them (`curvePoints`).
    public var curves: [CurvePoint]?

    public struct CurvePoint: Codable, Sendable, Equatable {
        public init(step: Int, trainLoss: Double? = nil, validationLoss: Double? = nil, testLoss: Double? = nil,
                    trainMetric: Double? = nil, validationMetric: Double? = nil, testMetric: Double? = nil) {
            self.step = step; self.trainLoss = trainLoss; self.validationLoss = validationLoss; self.testLoss = testLoss
            self.trainMetric = trainMetric; self.validationMetric = validationMetric; self.testMetric = testMetric
        }
        public var step: Int
        public var trainLoss: Double?
        public var validationLoss: Double?
        public var testLoss: Double?
        /// RSE, or PSNR (dB) for image tasks.
        public var trainMetric: Double?
        public var validationMetric: Double?
        public var testMetric: Double?
    }

    /// The learning curves: recorded, or (an mlp's) computed from its whole recorded predictions.
    public var curvePoints: [CurvePoint] {
        if let curves { return curves }
        guard image == nil, grades == nil, !target.isEmpty else { return [] }
        return snapshots.filter { $0.prediction.count == target.count }.map { snapshot in
            CurvePoint(step: snapshot.step, trainLoss: Runner.mse(snapshot.prediction, target), validationLoss: nil, testLoss: nil,
                       trainMetric: Metrics.rse(prediction: snapshot.prediction, target: target),
                       validationMetric: nil, testMetric: nil)
        }
    }

    /// Methods other than `mlp`: the learning rate each grade (stage) starts from.
    public var gradeLearningRates: [Double]?

    /// `train.record_norms`: the spectral norm of every weight matrix at each recorded step.
    public var layerNorms: [LayerNormSnapshot]?

    /// `train.perturb`: the normalised spectrum of the trained model under parameter perturbations.
    public var perturbation: Perturbation?

    public struct Perturbation: Codable, Sendable, Equatable {
        /// The perturbation sizes δ (the norm of θ − θ*).
        public var deltas: [Double]
        public var directions: Int
        /// ratios[i][j]: at deltas[i] and the j-th target frequency, |f̃_θ(k)| / |f̃_θ*(k)|,
        /// the mean over the directions.
        public var ratios: [[Double]]
    }

    public struct LayerNormSnapshot: Codable, Sendable, Equatable {
        public var step: Int
        /// One per layer, input to output.
        public var norms: [Double]
    }
}

/// Progress of one training, for the build's progress display.
public struct RunProgress: Sendable {
    public let run: String
    public let step: Int
    public let totalSteps: Int
    public let loss: Double
}

/// Trains declared experiments on our engine.
public enum Runner {
    /// Runs one experiment. Never throws: a failure is a `RunResult` with status `.failed`.
    /// With `checkpoints`, the training saves its state (and what was recorded) into
    /// `checkpoints.file` every `policy.interval` seconds, and a run whose file holds a
    /// checkpoint continues from it: the result is bit-identical to an uninterrupted run's. The
    /// caller removes the file once the result is stored.
    public static func run(_ spec: ExperimentSpec, progress: ((RunProgress) -> Void)? = nil,
                           checkpoints: RunCheckpointing? = nil) -> RunResult {
        let function: (Double) -> Double
        do {
            function = try targetFunction(spec)
        } catch {
            return failed(spec, "invalid task: \(error)")
        }
        let grid = Grid.equispaced(count: spec.task.points)
        let target = grid.map(function)
        let targetSpectrum = target.isEmpty ? [] : Spectra.amplitudeSpectrum(target)
        let band = spec.train.spectrumBand ?? 0
        var result = RunResult(name: spec.name, status: .ok, message: nil, inputs: grid, target: target,
                               frequencies: spec.task.frequencies,
                               targetAmplitudes: Spectra.amplitudes(in: targetSpectrum, at: spec.task.frequencies, halfWidth: band),
                               spectrumBand: spec.train.spectrumBand,
                               losses: [], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        let precision64 = spec.train.precision == .float64
        let resume = checkpoints.flatMap { RunCheckpoint.read($0.file) }
        let training: Training
        do {
            training = try methodToTrain(spec)
        } catch {
            return failed(spec, "\(error)")
        }
        switch training {
        case .network:
            if precision64 {
                trainNetwork(Double.self, spec: spec, grid: grid, target: target, into: &result, progress: progress,
                             checkpoints: checkpoints, resume: resume)
            } else {
                trainNetwork(Float.self, spec: spec, grid: grid, target: target, into: &result, progress: progress,
                             checkpoints: checkpoints, resume: resume)
            }
        case .method(let method):
            if precision64 {
                fitMethod(Double.self, spec: spec, method: method, function: function, into: &result, progress: progress,
                          checkpoints: checkpoints, resume: resume)
            } else {
                fitMethod(Float.self, spec: spec, method: method, function: function, into: &result, progress: progress,
                          checkpoints: checkpoints, resume: resume)
            }
        }
        if let checkpoints, checkpoints.policy.interrupted {
            result.status = .failed
            result.message = "interrupted after \(checkpoints.policy.saved) checkpoint(s)"
        }
        return result
    }

    /// What trains a declaration: one network on the target's grid (`mlp`), or a method fitted by `fit`.
    enum Training {
        case network
        case method(Method)
    }

    /// A declaration the engine cannot train as written (e.g. built in code, past the reader).
    struct DeclarationError: Error, CustomStringConvertible {
        let description: String
    }

    /// What trains `spec`: every method maps to its own (no fallback). Throws for an MscaleDNN
    /// declaration whose activation is not one of MscaleDNN's.
    static func methodToTrain(_ spec: ExperimentSpec) throws -> Training {
        switch spec.method {
        case .mlp: return .network
        case .sgdl: return .method(.sgdl(hidden: spec.model.hidden))
        case .mgdl: return .method(.mgdl(grades: spec.model.grades))
        case .mscale, .mscaleGroups:
            guard let activation = MscaleActivation(rawValue: spec.model.activation.rawValue) else {
                throw DeclarationError(description: "method \(spec.method) takes activation \(MscaleActivation.allCases.map(\.rawValue).joined(separator: " or ")), not \(spec.model.activation.rawValue)")
            }
            return .method(spec.method == .mscale ? .mscale(scales: spec.model.scales, hidden: spec.model.hidden, activation: activation)
                           : .mscaleGroups(scales: spec.model.scales, hidden: spec.model.hidden, activation: activation))
        case .adaptiveActivation:
            return .method(.adaptive(hidden: spec.model.hidden, activation: spec.model.activation, factor: spec.model.factor ?? 10))
        case .phaseShift:
            return .method(.phaseShift(bands: spec.model.bands ?? 1, bandWidth: spec.model.bandWidth ?? 1, hidden: spec.model.hidden,
                                       activation: spec.model.activation))
        case .multistage: return .method(.multistage(stages: spec.model.stages, hidden: spec.model.hidden))
        }
    }

    /// The declared optimizer (Adam or SGD) at `learningRate`: the one place the choice is read.
    static func optimizer(_ spec: ExperimentSpec, learningRate: Double) -> Optimizer {
        switch spec.train.optimizer {
        case .sgd: return .sgd(learningRate: learningRate, momentum: 0)
        case .adam: return .adam(learningRate: learningRate)
        }
    }

    /// Constant at the optimizer's rate, or (with `lr_final`) exponential decay from `initial` to it.
    static func schedule(initial: Double, final: Double?) -> LearningRateSchedule {
        final.map { .exponential(initial: initial, final: $0) } ?? .constant
    }

    /// Mean squared error over every element.
    static func mse(_ prediction: ArraySlice<Double>, _ target: ArraySlice<Double>) -> Double {
        guard !target.isEmpty else { return .nan }
        var sum = 0.0
        for (p, t) in zip(prediction, target) { sum += (p - t) * (p - t) }
        return sum / Double(target.count)
    }

    static func mse(_ prediction: [Double], _ target: [Double]) -> Double { mse(prediction[...], target[...]) }

    /// A failed result for `spec` that says why.
    public static func failed(_ spec: ExperimentSpec, _ message: String) -> RunResult {
        RunResult(name: spec.name, status: .failed, message: message, inputs: [], target: [],
                  frequencies: spec.task.frequencies, targetAmplitudes: [], spectrumBand: nil, losses: [], snapshots: [],
                  seconds: 0, parameterCount: 0, finalRSE: nil)
    }

    /// The declared target as a function of x.
    static func targetFunction(_ spec: ExperimentSpec) throws -> (Double) -> Double {
        if spec.task.kind == .formula {
            let formula = try Formula(spec.task.formula ?? "", variables: ["x"])
            return { formula($0) }
        }
        if spec.task.kind == .powerLaw {
            let noise = PowerLawNoise.sumOfSines(exponent: spec.task.exponent ?? 1, maxFrequency: spec.task.maxFrequency ?? 32,
                                                 seed: spec.task.noiseSeed ?? spec.seed)
            return { noise($0) }
        }
        if spec.task.kind == .bandLimitedPowerLaw {
            let signal = BandLimitedPowerLaw(points: spec.task.points, exponent: spec.task.exponent ?? 1,
                                             seed: spec.task.noiseSeed ?? spec.seed)
            return { signal($0) }
        }
        if !spec.task.kind.isSampledFunction { return { _ in 0 } }
        let phases = spec.task.phases
            ?? SumOfSines.seededPhases(count: spec.task.frequencies.count, seed: spec.task.phaseSeed ?? spec.seed,
                                       generator: spec.task.generator ?? .xoshiro)
        let amplitudes: SumOfSines.Amplitudes
        switch spec.task.amplitudeProfile {
        case .decreasing: amplitudes = .decreasing
        case .increasing: amplitudes = .increasing
        case .rahamanIncreasing: amplitudes = .rahamanIncreasing
        case .xDependent: amplitudes = .xDependent
        case .explicit: amplitudes = .explicit(spec.task.amplitudes)
        case .constant: amplitudes = .constant(spec.task.amplitudes.first ?? 1)
        }
        let sines = try SumOfSines.validated(frequencies: spec.task.frequencies.map(Double.init),
                                             amplitudes: amplitudes, phases: phases)
        return { sines($0) }
    }

    /// SGDL, MGDL, MscaleDNN or multi-stage, behind the declared input features.
    private static func fitMethod<T: RealScalar>(_: T.Type, spec: ExperimentSpec, method: Method, function: (Double) -> Double,
                                                 into result: inout RunResult, progress: ((RunProgress) -> Void)?,
                                                 checkpoints: RunCheckpointing?, resume: RunCheckpoint?) {
        var split: Split
        var evaluation: Samples?
        var imageTask: ImageTask?
        if spec.task.kind == .image {
            do {
                let size = spec.task.size.map { (width: $0, height: $0) }
                imageTask = try ImageTask.load(contentsOf: spec.resolve(spec.task.file ?? ""), as: spec.task.colour ?? .rgb,
                                               cropToSquare: true, resizeTo: size)
            } catch {
                result.status = .failed
                result.message = "cannot load the image: \(error)"
                return
            }
            split = imageTask!.split(spec.task.imageProtocol ?? .tancik)
            evaluation = imageTask!.allPixels
        } else if spec.task.kind == .dataset {
            do {
                let dataset = try LabelledDataset.load(contentsOf: spec.resolve(spec.task.file ?? "")).scaledToUnitInterval()
                split = try Split.classification(dataset, classes: spec.task.classes ?? [], encoding: spec.task.targets ?? .oneHot,
                                                 validationFraction: spec.task.validationFraction ?? 0.2,
                                                 testFraction: spec.task.testFraction ?? 0, seed: spec.task.splitSeed ?? 0)
            } catch {
                result.status = .failed
                result.message = "cannot load the dataset: \(error)"
                return
            }
        } else if let q = spec.task.manifoldQ {
            let manifold = Manifold(q: q)
            if spec.task.split == .interleaved {
                split = Split.interleaved(grid: Grid.equispaced(count: spec.task.points), stride: spec.task.stride ?? 2,
                                          inputDimension: 2, embedding: { let p = manifold.point($0); return [p.x, p.y] }, target: function)
            } else if spec.task.split == .mgdl {
                split = Split.mgdl(on: manifold, target: function, trainCount: spec.task.points, validationCount: spec.task.validation,
                                   testCount: spec.task.test, validationSeed: spec.task.validationSeed, testSeed: spec.task.testSeed,
                                   generator: spec.task.generator ?? .xoshiro)
            } else {
                let t = Grid.equispaced(count: spec.task.points)
                split = Split(train: Samples(inputs: manifold.embed(t), targets: t.map(function), inputDimension: 2),
                              validation: .empty(inputDimension: 2), test: .empty(inputDimension: 2))
            }
        } else if spec.task.split == .interleaved {
            split = Split.interleaved(grid: Grid.equispaced(count: spec.task.points), stride: spec.task.stride ?? 2,
                                      inputDimension: 1, embedding: { [$0] }, target: function)
        } else if spec.task.split == .mgdl {
            split = Split.mgdl(target: function, trainCount: spec.task.points, validationCount: spec.task.validation,
                               testCount: spec.task.test, validationSeed: spec.task.validationSeed, testSeed: spec.task.testSeed,
                               generator: spec.task.generator ?? .xoshiro)
        } else {
            let grid = Grid.equispaced(count: spec.task.points)
            split = Split(train: Samples(inputs: grid, targets: grid.map(function), inputDimension: 1),
                          validation: .empty(inputDimension: 1), test: .empty(inputDimension: 1))
        }
        // Classification of a function's sign, and label noise on the training targets only:
        // validation and test keep the clean targets, which every metric is measured against.
        if spec.task.kind != .dataset, let encoding = spec.task.targets {
            split = split.classifyingSign(as: encoding)
        }
        let cleanTrain = split.train
        if let noise = spec.task.noise {
            split = Split(train: noise.applied(to: split.train), validation: split.validation, test: split.test)
        }
        func matrices(_ samples: Samples) -> (x: Matrix<T>, y: Matrix<T>)? {
            guard !samples.isEmpty else { return nil }
            return (Matrix<T>(rows: samples.count, cols: samples.inputDimension, values: samples.inputs.map { T($0) }),
                    Matrix<T>(rows: samples.count, cols: samples.outputDimension, values: samples.targets.map { T($0) }))
        }
        guard let train = matrices(split.train) else {
            result.status = .failed
            result.message = "the training set is empty"
            return
        }
        let features = spec.features.mapping
        var training = MethodTraining(optimizer: optimizer(spec, learningRate: spec.train.learningRate),
                                      schedule: schedule(initial: spec.train.learningRate, final: spec.train.finalLearningRate),
                                      loss: spec.train.loss ?? .mse, batchSize: spec.train.batch,
                                      epochs: spec.train.steps, seed: spec.seed,
                                      initializer: spec.model.initializer)
        if spec.model.output == .sigmoid { training.outputActivation = .sigmoid }
        training.lbfgsIterations = spec.train.lbfgs ?? 0
        training.perGrade = spec.train.grades?.map { grade in
            GradeSchedule(optimizer: optimizer(spec, learningRate: grade.learningRate),
                          schedule: schedule(initial: grade.learningRate, final: grade.finalLearningRate), epochs: grade.steps)
        }
        // Classification: predictions on every set (train, validation, test in order) for the accuracies.
        let encoding = spec.task.targets
        if encoding != nil && evaluation == nil {
            evaluation = Samples(inputs: split.train.inputs + split.validation.inputs + split.test.inputs,
                                 targets: cleanTrain.targets + split.validation.targets + split.test.targets,
                                 inputDimension: split.inputDimension, outputDimension: split.outputDimension)
        }
        var divergedAt: Int?
        let evaluated = evaluation.flatMap { matrices($0)?.x } ?? train.x
        // `train.plane`: the grid over the plane is evaluated after training only, behind the
        // evaluation rows (never recorded, never in a metric), and cut off again below.
        var planeCentres: [Double] = []
        if let plane = spec.train.plane, spec.task.manifoldQ != nil, evaluated.cols == 2 {
            planeCentres = (0..<plane.size).map { -plane.extent + (Double($0) + 0.5) * 2 * plane.extent / Double(plane.size) }
        }
        let evaluateOn = planeCentres.isEmpty ? evaluated
            : Matrix<T>(rows: evaluated.rows + planeCentres.count * planeCentres.count, cols: 2,
                        values: evaluated.values + planeCentres.flatMap { y in planeCentres.flatMap { x in [T(x), T(y)] } })
        // Recorded inputs: the evaluation inputs, then the validation and test sets (for the curves).
        let validationSet = matrices(split.validation), testSet = matrices(split.test)
        // Classification's evaluation inputs already hold the validation and test rows, in the
        // order the curves read them: they are not appended (and predicted) a second time.
        let evaluatesEverySet = encoding != nil && imageTask == nil
        let recordedInputs: Matrix<T> = {
            if evaluatesEverySet { return evaluated }
            let parts = [evaluated] + [validationSet?.x, testSet?.x].compactMap { $0 }
            return parts.count == 1 ? evaluated
                : Matrix(rows: parts.reduce(0) { $0 + $1.rows }, cols: evaluated.cols, values: parts.flatMap(\.values))
        }()
        let outWidth = split.train.outputDimension
        // Classification evaluates every set, training rows first: the snapshots, spectra and the
        // training curve take the training rows; the validation and test rows follow.
        let evalCount = (evaluatesEverySet ? split.train.count : evaluated.rows) * outWidth
        let validationTargets = split.validation.targets, testTargets = split.test.targets
        // Images: PSNR on the protocol's training and test pixels of the whole-image prediction.
        var imageMasks: (train: [Int], test: [Int])?
        if let image = imageTask?.image {
            var trainIdx: [Int] = [], testIdx: [Int] = []
            let mgdlProtocol = spec.task.imageProtocol == .mgdl
            for row in 0..<image.height { for column in 0..<image.width {
                let base = (row * image.width + column) * image.channels
                let indices = Array(base..<(base + image.channels))
                if row % 2 == 0 && column % 2 == 0 { trainIdx += indices }
                if mgdlProtocol || (row % 2 == 1 && column % 2 == 1) { testIdx += indices }
            } }
            imageMasks = (trainIdx, testIdx)
        }
        var records = resume?.records ?? RunCheckpoint.Records()
        let lossFunction = spec.train.loss ?? .mse
        func curvePoint(_ step: Int, _ all: [Double]) -> RunResult.CurvePoint {
            let prediction = all[0..<evalCount]
            var point = RunResult.CurvePoint(step: step)
            if let image = imageTask?.image, let masks = imageMasks {
                func psnr(_ idx: [Int]) -> (Double, Double) {
                    let p = idx.map { min(max(prediction[$0], 0), 1) }, t = idx.map { image.pixels[$0] }
                    return (mse(p, t), Metrics.psnr(prediction: p, target: t))
                }
                (point.trainLoss, point.trainMetric) = psnr(masks.train)
                (point.testLoss, point.testMetric) = psnr(masks.test)
                return point
            }
            let trainTargets = split.train.targets
            point.trainLoss = mse(prediction, trainTargets[...])
            point.trainMetric = Metrics.rse(prediction: Array(prediction), target: trainTargets)
            var offset = evalCount
            if validationSet != nil {
                let v = Array(all[offset..<(offset + validationTargets.count)])
                point.validationLoss = mse(v, validationTargets)
                point.validationMetric = Metrics.rse(prediction: v, target: validationTargets)
                offset += validationTargets.count
            }
            if testSet != nil {
                let t = Array(all[offset..<(offset + testTargets.count)])
                point.testLoss = mse(t, testTargets)
                point.testMetric = Metrics.rse(prediction: t, target: testTargets)
            }
            return point
        }
        // Snapshots (train.record_every): the spectrum at the target's frequencies at every
        // recorded step (1-D and manifold targets, on the training grid), whole predictions only
        // at `keep_predictions` (images: reconstructions) and the last step. Classification
        // evaluates every set, training rows first: snapshots keep the training rows.
        let keep = Set(spec.train.keepPredictions ?? [])
        let frequencies = imageTask == nil ? spec.task.frequencies : []
        let recording = spec.train.recordSnapshots != true ? nil : ModelRecording(everyEpochs: spec.train.recordEvery, inputs: recordedInputs) { step, all in
            records.curves.append(curvePoint(step, all))
            let prediction = Array(all[0..<evalCount])
            if !frequencies.isEmpty {
                let spectrum = Spectra.amplitudeSpectrum(prediction)
                records.spectra.append(RunResult.SpectrumSnapshot(step: step, amplitudes: Spectra.amplitudes(in: spectrum, at: frequencies,
                                                                                                            halfWidth: spec.train.spectrumBand ?? 0)))
            }
            if keep.contains(step) { records.kept.append(RunResult.Snapshot(step: step, prediction: prediction)) }
            // The validation curve in the training loss's own terms (bce for classification),
            // against the clean validation targets.
            if validationSet != nil {
                let v = Array(all[evalCount..<(evalCount + validationTargets.count)])
                records.validationCurve.append(Learning.CurvePoint(step: step, value: lossFunction.value(prediction: v, target: validationTargets)))
            }
        }
        let fitCheckpoints = checkpoints.map { c in
            FitCheckpoints(policy: c.policy, resume: resume?.fit) { state in
                RunCheckpoint(fit: state, records: records).write(to: c.file)
            }
        }
        var fitted = fit(method: method, features: features, training: training, train: train,
                         validation: validationSet, test: testSet,
                         evaluateOn: evaluateOn, recording: recording, progress: { step, total, loss in
            if !loss.isFinite { divergedAt = step; return false }
            progress?(RunProgress(run: spec.name, step: step, totalSteps: total, loss: loss))
            return true
        }, checkpoints: fitCheckpoints)
        if let plane = spec.train.plane, let q = spec.task.manifoldQ, !planeCentres.isEmpty {
            let start = evaluated.rows * outWidth
            result.plane = RunResult.PlanePredictions(size: plane.size, extent: plane.extent, q: q,
                                                      grades: fitted.grades.map { Array($0.output[start...]) })
            fitted = fitted.restricted(to: 0..<start)
        }
        if let encoding, let all = evaluation {
            let d = split.outputDimension
            let sets = [(split.train.count, \RunResult.trainAccuracy), (split.validation.count, \RunResult.validationAccuracy),
                        (split.test.count, \RunResult.testAccuracy)]
            var start = 0
            for (count, key) in sets {
                let range = (start * d)..<((start + count) * d)
                if count > 0 {
                    result[keyPath: key] = encoding.accuracy(prediction: Array(fitted.prediction[range]), target: Array(all.targets[range]),
                                                             outputDimension: d, logits: spec.train.loss == .bce)
                }
                start += count
            }
            // Keep the predictions on the training set only, as for the other tasks.
            let trainRange = 0..<(split.train.count * d)
            fitted = fitted.restricted(to: trainRange)
        }
        if let image = imageTask?.image {
            result.inputs = []
            result.target = image.pixels
            result.image = RunResult.ImageShape(width: image.width, height: image.height, channels: image.channels)
            // PSNR (peak 1, predictions clamped to [0, 1]) on the training and test pixels of the protocol.
            func pixels(_ values: [Double], _ keep: (Int, Int) -> Bool) -> [Double] {
                var out: [Double] = []
                for row in 0..<image.height { for column in 0..<image.width where keep(row, column) {
                    let base = (row * image.width + column) * image.channels
                    out += values[base..<(base + image.channels)]
                } }
                return out
            }
            let isTrain: (Int, Int) -> Bool = { $0 % 2 == 0 && $1 % 2 == 0 }
            let isTest: (Int, Int) -> Bool = spec.task.imageProtocol == .mgdl ? { _, _ in true } : { $0 % 2 == 1 && $1 % 2 == 1 }
            result.trainPSNR = Metrics.psnr(prediction: pixels(fitted.prediction, isTrain), target: pixels(image.pixels, isTrain))
            result.testPSNR = Metrics.psnr(prediction: pixels(fitted.prediction, isTest), target: pixels(image.pixels, isTest))
            if fitted.grades.count > 1 {
                var sum = [Double](repeating: 0, count: image.pixels.count)
                var train: [Double] = [], test: [Double] = []
                for grade in fitted.grades where grade.output.count == sum.count {
                    for i in sum.indices { sum[i] += grade.output[i] }
                    train.append(Metrics.psnr(prediction: pixels(sum, isTrain), target: pixels(image.pixels, isTrain)))
                    test.append(Metrics.psnr(prediction: pixels(sum, isTest), target: pixels(image.pixels, isTest)))
                }
                if train.count == fitted.grades.count { result.gradeTrainPSNR = train; result.gradeTestPSNR = test }
            }
        } else {
            result.inputs = split.train.inputDimension == 1 ? split.train.inputs : Grid.equispaced(count: split.train.count)
            result.target = split.train.targets
            let spectrum = Spectra.amplitudeSpectrum(result.target)
            result.targetAmplitudes = Spectra.amplitudes(in: spectrum, at: spec.task.frequencies, halfWidth: spec.train.spectrumBand ?? 0)
        }
        result.losses = fitted.losses
        result.validationCurve = records.validationCurve.isEmpty ? nil : records.validationCurve
        result.snapshots = records.kept.filter { $0.step != fitted.losses.count }
            + [RunResult.Snapshot(step: fitted.losses.count, prediction: fitted.prediction)]
        if recording != nil && !frequencies.isEmpty { result.spectra = records.spectra }
        if recording != nil { result.curves = records.curves }
        result.seconds = fitted.seconds
        result.parameterCount = fitted.parameterCount
        result.grades = fitted.grades
        result.gradeLearningRates = fitted.grades.indices.map { g in
            spec.train.grades.flatMap { g < $0.count ? $0[g].learningRate : nil } ?? spec.train.learningRate
        }
        result.gradeBoundaries = fitted.gradeBoundaries
        result.trainRSE = fitted.trainRSE
        result.validationRSE = fitted.validationRSE
        result.testRSE = fitted.testRSE
        result.finalRSE = fitted.trainRSE
        if let step = divergedAt ?? fitted.losses.firstIndex(where: { !$0.isFinite }) {
            result.status = .failed
            result.message = "training diverged: the loss became non-finite at step \(step); lower train.lr or check the data"
        } else if !fitted.trainRSE.isFinite {
            result.status = .failed
            result.message = "the fitted model's predictions are not finite"
        }
    }
}

extension Runner {
    /// Rahaman et al.'s robustness measurement (Fig. 3): the trained parameters θ* are moved to
    /// θ* + δ·θ̂ for `spec.directions` directions θ̂ (independent standard normal entries drawn
    /// from `spec.seed`, divided by their Euclidean norm over every weight and bias) and each δ of
    /// `spec.sizes`; the amplitude 2|DFT(prediction)(k)|/N at each target frequency, divided by the
    /// trained network's own amplitude there, is averaged over the directions. The network is
    /// left with θ*. Directions are drawn in Double; parameters are rounded to T once per δ.
    static func perturbation<T: RealScalar>(of network: Network<T>, on x: Matrix<T>, frequencies: [Int],
                                            _ spec: ExperimentSpec.PerturbSpec) -> RunResult.Perturbation {
        func amplitudes() -> [Double] {
            let spectrum = Spectra.amplitudeSpectrum(network.predict(x).values.map { Double($0) })
            return frequencies.map { $0 < spectrum.count ? spectrum[$0] : 0 }
        }
        let trained = network.flatParameters
        let theta = trained.map { Double($0) }
        let reference = amplitudes()
        let sizes = spec.sizes
        var sums = [[Double]](repeating: [Double](repeating: 0, count: frequencies.count), count: sizes.count)
        var generator = SeededGenerator(seed: spec.seed)
        var direction = [Double](repeating: 0, count: theta.count)
        var moved = trained
        for _ in 0..<spec.directions {
            for i in direction.indices { direction[i] = generator.normal() }
            let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in direction.indices { direction[i] /= norm }
            for (row, delta) in sizes.enumerated() {
                for i in moved.indices { moved[i] = T(theta[i] + delta * direction[i]) }
                network.flatParameters = moved
                for (j, a) in amplitudes().enumerated() { sums[row][j] += a / reference[j] }
            }
        }
        network.flatParameters = trained
        let n = Double(spec.directions)
        return RunResult.Perturbation(deltas: sizes, directions: spec.directions, ratios: sums.map { $0.map { $0 / n } })
    }
}

extension MethodResult {
    /// The same result with the prediction and every grade's output cut to `range` of the
    /// evaluation values (e.g. the training rows of a train + validation + test evaluation).
    func restricted(to range: Range<Int>) -> MethodResult {
        let grades = self.grades.map {
            GradeResult(index: $0.index, losses: $0.losses, seconds: $0.seconds, trainRSE: $0.trainRSE, validationRSE: $0.validationRSE,
                        testRSE: $0.testRSE, output: Array($0.output[range]), parameterCount: $0.parameterCount)
        }
        return MethodResult(grades: grades, prediction: Array(prediction[range]), trainRSE: trainRSE, validationRSE: validationRSE,
                     testRSE: testRSE, parameterCount: parameterCount, seconds: seconds)
    }
}
