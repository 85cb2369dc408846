import Foundation
import Learning
import Numerics
import Tasks

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
        if spec.task.kind == .powerLawEnsemble {
            let n = spec.task.points
            let signals = PowerLawEnsemble.signals(points: n, exponent: spec.task.exponent ?? 1, count: spec.task.signals ?? 1,
                                                   seed: spec.task.noiseSeed ?? 0)
            let values = signals[min(spec.task.signal ?? 0, signals.count - 1)]
            // Defined on its grid x = i/N: off the grid, the value of the nearest grid point.
            return { x in values[((Int((x * Double(n)).rounded()) % n) + n) % n] }
        }
        if spec.task.kind == .deltaSpike {
            let spike = DeltaSpike(points: spec.task.points, center: spec.task.spikeCenter ?? 0.5, height: spec.task.spikeHeight ?? 1)
            return { spike($0) }
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
}
