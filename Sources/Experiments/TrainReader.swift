import Foundation
import Learning
import Yams

/// Reads an experiment's `train:` section for its method: the optimizer, learning rates, the
/// training length in the method's unit (`steps` or `epochs`), recording and per-grade settings.
struct TrainReader {
    let r: MappingReader
    let method: MethodKind
    var reader: SpecReader { r.reader }

    /// The training, or nil when a key it cannot do without is missing or invalid. `task` and
    /// `model` (when they were read) are checked against it.
    func read(task: ExperimentSpec.TaskSpec?, model: ExperimentSpec.ModelSpec?) -> ExperimentSpec.TrainSpec? {
        let countKey = method.lengthKey
        for wrong in ["steps", "epochs"] where wrong != countKey && r[wrong] != nil {
            reader.report(r[wrong], r.path(wrong), method == .mlp
                          ? "method 'mlp' counts optimizer steps: write 'steps', not 'epochs'"
                          : "method '\(method)' trains each network (grade, stage) for a number of epochs: write 'epochs', not 'steps'")
        }
        r.checkKeys(SpecSchema.keys("experiment.train"))
        let optimizer = r.choice("optimizer", default: OptimizerKind.adam)
        let lr = r.double("lr", positive: true)
        let lrFinal = r["lr_final"] == nil ? nil : r.double("lr_final", positive: true)
        let budget = readBudget(countKey: countKey)
        // With a budget the length is derived from it after the whole run is read (`ExperimentSpec.readOne`).
        let steps = budget != nil ? 1 : r.int(countKey, minimum: 1)
        var batch: Int?
        if let b = r["batch"], b.string != "full" {
            batch = readInt(b, r.path("batch"), minimum: 1, reader: reader)
        }
        let recordEvery = r.int("record_every", default: 100, minimum: 1)
        let precision = r.choice("precision", default: method == .multistage ? Precision.float64 : .float32)
        let recordNorms = readRecordNorms()
        let keepPredictions = readKeepPredictions(recordEvery: recordEvery)
        let loss = r.choice("loss", default: Loss.mse) ?? .mse
        let grades = readGrades(model: model, lr: lr, lrFinal: lrFinal, epochs: steps)
        let band = readSpectrumBand(task: task)
        let plane = readPlane(task: task)
        if loss == .bce { checkBinaryCrossEntropy(task: task) }
        var lbfgs: Int?
        if let node = r["lbfgs"] {
            lbfgs = readInt(node, r.path("lbfgs"), minimum: 1, reader: reader)
            if method != .multistage {
                reader.report(node, r.path("lbfgs"), "train.lbfgs refines each stage of method 'multistage' with L-BFGS; method '\(method)' does not use it")
            }
        }
        let perturb = readPerturb(task: task)
        let weightClip = readWeightClip()
        guard let optimizer, let lr, let steps, let recordEvery, let precision else { return nil }
        // nil rather than false or the default: keys of runs declared before these options stay.
        return ExperimentSpec.TrainSpec(optimizer: optimizer, learningRate: lr, finalLearningRate: lrFinal, steps: steps, batch: batch,
                                        recordEvery: recordEvery, precision: precision, recordNorms: recordNorms,
                                        keepPredictions: keepPredictions,
                                        recordSnapshots: method != .mlp && r["record_every"] != nil ? true : nil,
                                        loss: loss == .mse ? nil : loss, grades: grades, lbfgs: lbfgs,
                                        spectrumBand: band == 0 ? nil : band, plane: plane, perturb: perturb,
                                        flopBudget: budget, weightClip: weightClip)
    }

    /// `weight_clip: c` (mlp): every weight-matrix entry clamped to [−c, c] after every step.
    private func readWeightClip() -> Double? {
        guard let node = r["weight_clip"] else { return nil }
        guard let c = r.double("weight_clip", positive: true) else { return nil }
        if method != .mlp {
            reader.report(node, r.path("weight_clip"), "train.weight_clip clips the weight matrices of method 'mlp' after every optimizer step; method '\(method)' does not use it")
            return nil
        }
        return c
    }

    /// `flop_budget: F`: the run trains as many epochs (mlp: steps) as F training FLOPs pay for;
    /// the length key is then not written.
    private func readBudget(countKey: String) -> Double? {
        guard let node = r["flop_budget"] else { return nil }
        if r[countKey] != nil {
            reader.report(r[countKey], r.path(countKey), "train.flop_budget sets the \(countKey) (as many as the budget pays for): write one of flop_budget and \(countKey)")
        }
        if let grades = r["grades"], case .sequence(let items) = grades,
           items.contains(where: { if case .mapping(let m) = $0 { return m["epochs"] != nil } else { return false } }) {
            reader.report(grades, r.path("grades"), "train.flop_budget gives every grade the same epochs: per-grade 'epochs' cannot be written with it")
        }
        guard let budget = r.double("flop_budget", positive: true) else { return nil }
        if !budget.isFinite || budget > 1e24 {
            reader.report(node, r.path("flop_budget"), "at most 1e24 FLOPs, found \(budget)")
            return nil
        }
        return budget
    }

    /// `spectrum_band: b`: sums of the recorded spectrum over k − b … k + b (a sum_of_sines target).
    private func readSpectrumBand(task: ExperimentSpec.TaskSpec?) -> Int? {
        guard r["spectrum_band"] != nil else { return nil }
        if let task, task.kind != .sumOfSines || task.frequencies.isEmpty {
            reader.report(r["spectrum_band"], r.path("spectrum_band"), "spectrum_band sums the recorded spectrum around the frequencies of a sum_of_sines target; this task has none")
        }
        return r.int("spectrum_band", minimum: 0)
    }

    /// `perturb: {directions, max, deltas, seed}` (mlp on a sum of sines): Rahaman et al.'s robustness measurement.
    private func readPerturb(task: ExperimentSpec.TaskSpec?) -> ExperimentSpec.PerturbSpec? {
        guard let p = r["perturb"], let pm = MappingReader(p, keyPath: r.path("perturb"), reader: reader) else { return nil }
        pm.checkKeys(["directions", "max", "deltas", "seed"])
        var perturb: ExperimentSpec.PerturbSpec?
        if let directions = pm.int("directions", default: 100, minimum: 1), let maximum = pm.double("max", positive: true),
           let deltas = pm.int("deltas", default: 100, minimum: 2), let seed = pm.int("seed", default: 0, minimum: 0) {
            if directions > 10_000 || deltas > 10_000 {
                reader.report(p, r.path("perturb"), "at most 10,000 directions and 10,000 values of δ, found \(directions) and \(deltas)")
            } else {
                perturb = ExperimentSpec.PerturbSpec(directions: directions, maximum: maximum, deltas: deltas, seed: UInt64(seed))
            }
        }
        if method != .mlp || (task.map { $0.kind != .sumOfSines || $0.frequencies.isEmpty } ?? false) {
            reader.report(p, r.path("perturb"), "train.perturb measures an mlp's spectrum at a sum_of_sines target's frequencies (Rahaman et al.'s Fig. 3)")
            return nil
        }
        return perturb
    }

    /// `plane: {size, extent}` (manifold tasks): the grid over the plane evaluated after training.
    private func readPlane(task: ExperimentSpec.TaskSpec?) -> ExperimentSpec.PlaneSpec? {
        guard let node = r["plane"], let pm = MappingReader(node, keyPath: r.path("plane"), reader: reader) else { return nil }
        pm.checkKeys(["size", "extent"])
        if let task, task.manifoldQ == nil {
            reader.report(node, r.path("plane"), "plane evaluates a model of 2-D inputs around its curve: it needs a manifold task (task.manifold)")
        }
        guard let size = pm.int("size", default: 64, minimum: 2), let extent = pm.double("extent", default: 1.6, positive: true) else { return nil }
        if size > 1024 {
            reader.report(pm["size"], pm.path("size"), "at most 1024 cells a side")
            return nil
        }
        return ExperimentSpec.PlaneSpec(size: size, extent: extent)
    }

    private func readRecordNorms() -> Bool? {
        guard let node = r["record_norms"] else { return nil }
        var recordNorms: Bool?
        if let b = node.bool { recordNorms = b ? true : nil } else {
            reader.report(node, r.path("record_norms"), "expected true or false, found '\(node.string ?? node.kindDescription)'")
        }
        if method != .mlp { reader.report(node, r.path("record_norms"), "record_norms applies to method 'mlp' (one network's weight matrices)") }
        return recordNorms
    }

    private func readKeepPredictions(recordEvery: Int?) -> [Int]? {
        guard let node = r["keep_predictions"] else { return nil }
        let keep = readIntList(node, r.path("keep_predictions"), minimum: 0, reader: reader).map { Array(Set($0)).sorted() }
        if let keep, let every = recordEvery, let bad = keep.first(where: { $0 % every != 0 }) {
            reader.report(node, r.path("keep_predictions"), "step \(bad) is not a recorded step: predictions are recorded every \(every) steps (record_every)")
        }
        return keep
    }

    /// `grades` (mgdl): one entry per grade overriding `lr`, `lr_final` and `epochs`.
    private func readGrades(model: ExperimentSpec.ModelSpec?, lr: Double?, lrFinal: Double?, epochs: Int?) -> [ExperimentSpec.GradeTrainSpec]? {
        guard let g = r["grades"] else { return nil }
        guard method == .mgdl else {
            reader.report(g, r.path("grades"), "train.grades sets each MGDL grade's learning rates and epochs; method '\(method)' has no grades")
            return nil
        }
        guard case .sequence(let items) = g else {
            reader.report(g, r.path("grades"), "expected a list with one entry per grade, e.g. [{lr: 1.0e-3}, {lr: 5.0e-4}]")
            return nil
        }
        if let model, items.count != model.grades.count {
            reader.report(g, r.path("grades"), "expected one entry per grade (\(model.grades.count)), found \(items.count)")
        }
        var grades: [ExperimentSpec.GradeTrainSpec] = []
        for (i, item) in items.enumerated() {
            guard let entry = MappingReader(item, keyPath: "\(r.path("grades"))[\(i)]", reader: reader) else { continue }
            entry.checkKeys(["lr", "lr_final", "epochs"])
            let gradeLR = entry["lr"] == nil ? lr : entry.double("lr", positive: true)
            let gradeFinal = entry["lr_final"] == nil ? lrFinal : entry.double("lr_final", positive: true)
            let gradeEpochs = entry["epochs"] == nil ? epochs : entry.int("epochs", minimum: 1)
            if let gradeLR, let gradeEpochs {
                grades.append(ExperimentSpec.GradeTrainSpec(learningRate: gradeLR, finalLearningRate: gradeFinal, steps: gradeEpochs))
            }
        }
        return grades
    }

    private func checkBinaryCrossEntropy(task: ExperimentSpec.TaskSpec?) {
        if method != .sgdl && method != .mscale {
            reader.report(r["loss"], r.path("loss"), "loss 'bce' trains one network on 0/1 labels (sgdl, mscale); '\(method)' fits residuals or the grid by least squares")
        }
        if let task, task.targets != .zeroOne {
            reader.report(r["loss"], r.path("loss"), "loss 'bce' needs 0/1 labels: set task.targets to zero_one")
        }
    }
}
