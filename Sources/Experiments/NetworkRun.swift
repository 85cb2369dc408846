import Foundation
import Learning
import Numerics
import Tasks

extension Runner {
    /// `mlp`: one network trained by optimizer steps on the target's grid, with the compact
    /// recording (`keep_predictions`: spectra at every record, whole predictions where asked),
    /// layer norms (`record_norms`) and checkpoints.
    static func trainNetwork<T: RealScalar>(_: T.Type, spec: ExperimentSpec, grid: [Double], target: [Double],
                                             into result: inout RunResult, progress: ((RunProgress) -> Void)?,
                                             checkpoints: RunCheckpointing?, resume: RunCheckpoint?) {
        let networkSpec = NetworkSpec(widths: spec.model.widths,
                                      hidden: spec.model.activation,
                                      output: .identity,
                                      initializer: spec.model.initializer)
        let network = Network<T>(spec: networkSpec, seed: spec.seed)
        let batches = spec.train.batch.map { (grid.count + $0 - 1) / $0 } ?? 1
        let epochs = max(1, spec.train.steps / batches)
        let trainingSpec = TrainingSpec(optimizer: optimizer(spec, learningRate: spec.train.learningRate),
                                        schedule: schedule(initial: spec.train.learningRate, final: spec.train.finalLearningRate),
                                        loss: spec.train.loss ?? .mse, batchSize: spec.train.batch, epochs: epochs, seed: spec.seed,
                                        weightClip: spec.train.weightClip)
        let x = Matrix<T>(rows: grid.count, cols: 1, values: grid.map { T($0) })
        let y = Matrix<T>(rows: grid.count, cols: 1, values: target.map { T($0) })
        var divergedAt: Int?
        // Compact recording (`keep_predictions`): the spectrum at the target's frequencies at every
        // recorded step, whole predictions only where asked (and at the last step).
        let compact = spec.train.keepPredictions.map(Set.init)
        let lastStep = epochs * batches
        var records = resume?.records ?? RunCheckpoint.Records()
        let observe: ((Int) -> Void)? = compact == nil && spec.train.recordNorms != true ? nil : { step in
            if spec.train.recordNorms == true {
                records.norms.append(RunResult.LayerNormSnapshot(step: step, norms: network.layers.indices.map { network.spectralNorm(layer: $0) }))
            }
            if let compact {
                let prediction = network.predict(x).values.map { Double($0) }
                let spectrum = Spectra.amplitudeSpectrum(prediction)
                records.spectra.append(RunResult.SpectrumSnapshot(step: step, amplitudes: Spectra.amplitudes(in: spectrum, at: spec.task.frequencies,
                                                                                                            halfWidth: spec.train.spectrumBand ?? 0)))
                if compact.contains(step) || step == lastStep { records.kept.append(RunResult.Snapshot(step: step, prediction: prediction)) }
                records.curves.append(RunResult.CurvePoint(step: step, trainLoss: mse(prediction, target), trainMetric: Metrics.rse(prediction: prediction, target: target)))
            }
        }
        let trainerCheckpoints = checkpoints.map { c in
            TrainerCheckpoints(policy: c.policy, resume: resume?.network) { state in
                RunCheckpoint(network: state, records: records).write(to: c.file)
            }
        }
        let history = Learning.train(network, x: x, y: y, spec: trainingSpec, snapshotEvery: spec.train.recordEvery,
                                     snapshotInputs: compact == nil ? x : nil, observe: observe, progress: { step, total, loss in
            if !loss.isFinite { divergedAt = step; return false }
            progress?(RunProgress(run: spec.name, step: step, totalSteps: total, loss: loss))
            return true
        }, checkpoints: trainerCheckpoints)
        result.losses = history.losses
        result.snapshots = compact == nil ? history.snapshots.map { RunResult.Snapshot(step: $0.step, prediction: $0.prediction) } : records.kept
        if compact != nil { result.spectra = records.spectra; result.curves = records.curves }
        if spec.train.recordNorms == true { result.layerNorms = records.norms }
        if let perturb = spec.train.perturb, divergedAt == nil {
            result.perturbation = perturbation(of: network, on: x, frequencies: spec.task.frequencies, perturb)
        }
        result.seconds = history.seconds
        result.parameterCount = network.parameterCount
        if let step = divergedAt ?? history.losses.firstIndex(where: { !$0.isFinite }) {
            result.status = .failed
            result.message = "training diverged: the loss became \(history.losses.indices.contains(step) ? "\(history.losses[step])" : "non-finite") at step \(step); lower train.lr or check the data"
            return
        }
        if let last = result.snapshots.last, last.step == result.losses.count {
            result.finalRSE = Metrics.rse(prediction: last.prediction, target: target)
        } else {
            let prediction = network.predict(x).values.map { Double($0) }
            result.finalRSE = Metrics.rse(prediction: prediction, target: target)
        }
    }
}
