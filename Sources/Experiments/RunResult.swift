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
    /// `task.kernel_spectrum`: `frequencies` are the first eigen-index of each bin of this many
    /// eigenvectors of the kernel, `targetAmplitudes` and `spectra` the mean |⟨vₙ, f⟩| over each
    /// bin of the training target and of the prediction on the training samples (nil: a DFT spectrum).
    public var eigenBin: Int? = nil
    /// `train.spectrum_band`: the recorded spectra and `targetAmplitudes` are sums over the
    /// bins within ± this of each frequency (nil: the bin itself).
    public var spectrumBand: Int?
    /// Training loss at every optimizer step; in the committed results store, at the steps
    /// `lossSteps` lists (see `LossThinning`).
    public var losses: [Double]
    /// The optimizer step (0-based) of each entry of `losses` when the curve was thinned for the
    /// committed results store (`compactForResults`); nil: `losses` has every step, from step 0.
    /// Read the steps with `lossStepNumbers` and the step count with `stepCount`.
    public var lossSteps: [Int]?
    public var snapshots: [Snapshot]
    /// The parts `freeze` left out of this result in the committed results store because no
    /// figure, table or claim of a report declaring the run reads them (emptied: `ResultPart`,
    /// `keeping`); nil: every part as trained.
    public var omitted: [ResultPart]?
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
    /// In the committed results store only: an image run's panels at the 8 bits per channel a
    /// reconstruction figure draws, in place of its grade outputs, kept predictions and target
    /// (`EightBitImages`; made whole again on reading: `restoringImages`). nil: as trained.
    public var eightBitImages: EightBitImages?
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
