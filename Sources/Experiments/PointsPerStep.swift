extension ExperimentSpec {
    /// Points per optimizer step, from the declaration alone: the batch, or every training point
    /// (an image's training pixels: every other row and column, its even grid, under both
    /// protocols); nil for a dataset task, whose size is in its file.
    public var pointsPerStep: Int? {
        let points: Int
        switch task.kind {
        case .dataset:
            return nil
        case .image:
            guard let size = task.size else { return nil }
            let side = (size + 1) / 2
            points = side * side
        case .sumOfSines, .formula, .powerLaw, .bandLimitedPowerLaw, .deltaSpike, .powerLawEnsemble:
            // The interleaved split trains on every stride-th grid point only.
            let stride = max(1, task.stride ?? 1)
            points = (task.points + stride - 1) / stride
        }
        return max(1, min(points, train.batch ?? points))
    }
}
