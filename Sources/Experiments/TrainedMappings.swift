import Foundation
import Tasks

/// The networks an `ntk_optimisation` figure's `trained` experiments train on its held-out
/// signals (Tancik et al.'s Fig. 5b: "Trained"): for one signal exponent α, the test MSE of every
/// run, grouped by its mapping, the power-law falloffs a_j = j^(−p) (p = ∞ last) and the
/// optimised amplitudes. Read by the figure and by `optimised_mapping` claims with
/// `networks: trained`; from each run's test RSE and its declaration (no bulky part of a result).
public struct TrainedMappingErrors: Sendable, MappingErrorTable {
    public var exponent: Double
    /// The falloffs p trained (ascending; ∞, a_1 = 1 alone, last), and each one's test MSE, one
    /// per run (signal).
    public var falloffs: [Double]
    public var falloffErrors: [[Double]]
    /// The optimised mapping's test MSE, one per run.
    public var optimisedErrors: [Double]

    /// The mean square of a run's test targets (the grid points its interleaved split does not
    /// train on), from its declaration: the test MSE is its test RSE times this.
    public static func testMeanSquare(_ spec: ExperimentSpec) throws -> Double {
        let target = try Runner.targetFunction(spec)
        let n = spec.task.points, stride = spec.task.stride ?? 2
        var sum = 0.0, count = 0
        for i in 0..<n where i % stride != 0 {
            let y = target(Double(i) / Double(n))
            sum += y * y
            count += 1
        }
        return count > 0 ? sum / Double(count) : .nan
    }

    /// One entry per exponent of `figure` (its `trained` experiments, in order), from the runs'
    /// results; a run without a result, failed, or without a test RSE is an error by name.
    public static func compute(figure: FigureSpec, specs: [ExperimentSpec], runs: [String: RunResult]) throws -> [TrainedMappingErrors] {
        guard let trained = figure.trained, let optimisation = figure.optimisation else {
            throw TrainedMappingError(description: "figure '\(figure.name)' names no trained experiments")
        }
        return try trained.enumerated().map { index, block in
            var falloffs: [Double: [Double]] = [:], optimised: [Double] = []
            for spec in specs where spec.group == block {
                guard let run = runs[spec.name] else { throw TrainedMappingError(description: "run '\(spec.name)' has no result") }
                guard run.status == .ok else { throw TrainedMappingError(description: "run '\(spec.name)' failed: \(run.message ?? "no message")") }
                guard let rse = run.testRSE else { throw TrainedMappingError(description: "run '\(spec.name)' has no test error") }
                let mse = rse * (try testMeanSquare(spec))
                switch spec.features.kind {
                case .ntkOptimised: optimised.append(mse)
                case .powerFalloff: falloffs[spec.features.infiniteExponent == true ? .infinity : spec.features.exponent ?? 0, default: []].append(mse)
                default: throw TrainedMappingError(description: "run '\(spec.name)' has neither a power_falloff nor an ntk_optimised mapping")
                }
            }
            let ps = falloffs.keys.sorted()
            guard !ps.isEmpty, !optimised.isEmpty else {
                throw TrainedMappingError(description: "experiment '\(block)' has no run with \(ps.isEmpty ? "a power_falloff" : "the optimised") mapping")
            }
            return TrainedMappingErrors(exponent: optimisation.exponents[index], falloffs: ps, falloffErrors: ps.map { falloffs[$0]! },
                                        optimisedErrors: optimised)
        }
    }
}

public struct TrainedMappingError: Error, CustomStringConvertible {
    public var description: String
}
