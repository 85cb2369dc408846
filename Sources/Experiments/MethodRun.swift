import Foundation
import Learning
import Numerics
import Tasks

extension Runner {
    /// SGDL, MGDL, MscaleDNN or multi-stage, behind the declared input features.
    static func fitMethod<T: RealScalar>(_: T.Type, spec: ExperimentSpec, method: Method, function: (Double) -> Double,
                                                 into result: inout RunResult, progress: ((RunProgress) -> Void)?,
                                                 checkpoints: RunCheckpointing?, resume: RunCheckpoint?) {
        var split: Split
        var evaluation: Samples?
        var imageTask: ImageTask?
        if spec.task.kind == .image {
            do {
                imageTask = try ImageTask.declared(by: spec)
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
        // `kernel_spectrum`: the Gaussian kernel's eigenvectors over the training inputs (the
        // noise's and the recorded spectra's basis).
        var kernel: GaussianKernelSpectrum?
        if let k = spec.task.kernelSpectrum {
            do {
                kernel = try GaussianKernelSpectrum(inputs: split.train.inputs, dimension: split.train.inputDimension, width: k.width)
            } catch {
                result.status = .failed
                result.message = "cannot compute the kernel spectrum: \(error)"
                return
            }
        }
        if let noise = spec.task.noise {
            split = Split(train: noise.applied(to: split.train, kernel: kernel), validation: split.validation, test: split.test)
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
        training.lbfgsEvaluationsLimited = spec.train.flopBudget != nil
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
            if let kernel, let bin = spec.task.kernelSpectrum?.bin {
                records.spectra.append(RunResult.SpectrumSnapshot(step: step, amplitudes: kernel.binnedMagnitudes(of: prediction, bin: bin)))
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
        if let kernel, let bin = spec.task.kernelSpectrum?.bin {
            // The generalised spectrum: bins of eigen-indices stand for the frequencies, the
            // (noisy) training target's binned spectrum for the target's amplitudes.
            result.eigenBin = bin
            result.frequencies = kernel.binStarts(bin: bin)
            result.targetAmplitudes = kernel.binnedMagnitudes(of: split.train.targets, bin: bin)
            if recording != nil { result.spectra = records.spectra }
        }
        if recording != nil { result.curves = records.curves }
        result.seconds = fitted.seconds
        result.parameterCount = fitted.parameterCount
        result.grades = fitted.grades
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
