import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A trained parallel phase-shift network (PhaseDNN, Cai, Li & Liu 2019):
/// f(x) ≈ T₀(x) + Σ_{j≥1} Re(e^{2πi ω_j x} (Tⱼʳ(x) + i Tⱼⁱ(x))), ω_j = j·Δ.
final class PhaseShiftModel<T: RealScalar> {
    /// Per band: its centre frequency ω_j (cycles per unit input) and its network (1 output for
    /// band 0, 2 outputs, real and imaginary, for the others).
    private(set) var bands: [(frequency: Double, network: Network<T>)] = []

    func append(frequency: Double, network: Network<T>) { bands.append((frequency, network)) }

    /// Each band's contribution on inputs `x` (n x 1).
    func bandOutputs(_ x: Matrix<T>) -> [Matrix<T>] {
        bands.map { band in shiftUp(band.network.predict(x), x: x, frequency: band.frequency) }
    }
}

/// Re(e^{2πiωx}(a + ib)) = cos(2πωx)·a − sin(2πωx)·b for a two-column `g` (a, b), or g itself
/// for one column (band 0). Phases in Double, one rounding to T.
func shiftUp<T: RealScalar>(_ g: Matrix<T>, x: Matrix<T>, frequency: Double) -> Matrix<T> {
    if g.cols == 1 { return g }
    return Matrix(rows: x.rows, cols: 1, values: (0..<x.rows).map { r in
        let phase = 2 * Double.pi * frequency * Double(x[r, 0])
        return T(cos(phase) * Double(g[r, 0]) - sin(phase) * Double(g[r, 1]))
    })
}

/// The band decomposition of 1-D data that PhaseDNN trains on: for each band j (0..<bands) the
/// target of its network. Band j holds the frequencies ν with |ν − jΔ| ≤ Δ/2 (band 0: 0 ≤ ν ≤
/// Δ/2, the mean included); frequencies above (bands − ½)Δ belong to no band and are not fitted.
///
/// Method: the samples are sorted by x and linearly interpolated onto n equispaced points
/// spanning their range (exact for data already on a uniform grid, the case of the paper), the
/// DFT (FFTW) is masked to the band, and the band's real signal fⱼ and its Hilbert transform Hfⱼ
/// (the analytic signal fⱼ + iHfⱼ has only positive frequencies) are transformed back. The
/// shifted signal gⱼ = (fⱼ + iHfⱼ)·e^{−2πiω_j x} has frequencies within ±Δ/2; its real and
/// imaginary parts, interpolated back to the samples, are the band's two targets (band 0: f₀,
/// one target). Re(e^{2πiω_j x} gⱼ) = fⱼ, so the shifted-back bands sum to the data's band-limited
/// part. The DFT treats the data as periodic over n grid steps: a target that is not periodic on
/// that span leaks into every band (the decomposition still sums to the data on the grid).
func phaseShiftTargets(x: [Double], y: [Double], bands: Int, bandWidth: Double) -> [[Double]] {
    let n = x.count
    precondition(n >= 4 && y.count == n, "PhaseDNN: need at least 4 samples, one target each")
    precondition(bands >= 1 && bandWidth > 0, "PhaseDNN: need at least one band of positive width")
    let order = (0..<n).sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
    let xs = order.map { x[$0] }, ys = order.map { y[$0] }
    let low = xs[0], high = xs[n - 1]
    precondition(high > low, "PhaseDNN: the inputs span no interval")
    let h = (high - low) / Double(n - 1)
    let gridX = (0..<n).map { $0 == n - 1 ? high : low + Double($0) * h }
    let gridY = interpolate(xs, ys, at: gridX)
    let (re, im) = FourierTransform.spectrum(gridY)
    let binWidth = 1 / (Double(n) * h)   // cycles per unit input between DFT bins
    var targets: [[Double]] = []
    for j in 0..<bands {
        let centre = Double(j) * bandWidth
        var maskedRe = [Double](repeating: 0, count: re.count), maskedIm = maskedRe
        for k in 0..<re.count where phaseShiftBand(Double(k) * binWidth, bandWidth: bandWidth) == j {
            maskedRe[k] = re[k]; maskedIm[k] = im[k]
        }
        let scale = 1 / Double(n)
        let band = FourierTransform.inverse(re: maskedRe, im: maskedIm, count: n).map { $0 * scale }
        if j == 0 {
            targets.append(interpolate(gridX, band, at: x))
            continue
        }
        // Hilbert transform: multiply the positive-frequency bins by −i.
        let hilbert = FourierTransform.inverse(re: maskedIm, im: maskedRe.map { -$0 }, count: n).map { $0 * scale }
        let fBack = interpolate(gridX, band, at: x), hBack = interpolate(gridX, hilbert, at: x)
        var pair = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let phase = 2 * Double.pi * centre * x[i]
            let c = cos(phase), s = sin(phase)
            pair[2 * i] = fBack[i] * c + hBack[i] * s       // Re((f + iHf)e^{−iφ})
            pair[2 * i + 1] = hBack[i] * c - fBack[i] * s   // Im((f + iHf)e^{−iφ})
        }
        targets.append(pair)
    }
    return targets
}

/// The band of frequency ν ≥ 0: 0 for ν ≤ Δ/2, else the j with jΔ − Δ/2 < ν ≤ jΔ + Δ/2 (upper
/// edges inclusive; a relative 1e-9 absorbs the rounding of the bin frequencies, so a
/// frequency on an edge goes to exactly one band).
func phaseShiftBand(_ nu: Double, bandWidth: Double) -> Int {
    let t = nu / bandWidth - 0.5
    return t <= 1e-9 ? 0 : Int((t - 1e-9).rounded(.up))
}

/// Linear interpolation of (xs ascending, ys) at `points` (constant beyond the ends).
func interpolate(_ xs: [Double], _ ys: [Double], at points: [Double]) -> [Double] {
    let n = xs.count
    return points.map { t in
        if t <= xs[0] { return ys[0] }
        if t >= xs[n - 1] { return ys[n - 1] }
        var lo = 0, hi = n - 1   // xs[lo] < t < xs[hi]
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if xs[mid] <= t { lo = mid } else { hi = mid }
        }
        if xs[lo] == t { return ys[lo] }
        return ys[lo] + (ys[hi] - ys[lo]) * (t - xs[lo]) / (xs[hi] - xs[lo])
    }
}

/// Trains PhaseDNN's band networks, one after another, each by `train` on its own shifted
/// target (a fresh network `[1, hidden..., 1 or 2]` with the given hidden activation and seeds
/// of its band index). 1-D inputs only.
func trainPhaseShift<T: RealScalar>(bands: Int, bandWidth: Double, hidden: [Int], activation: Activation,
                                    training: MethodTraining, x: Matrix<T>, y: Matrix<T>,
                                    reporter: StepReporter, recorder: Recorder<T>? = nil)
    -> (PhaseShiftModel<T>, [ComponentRecord]) {
    precondition(x.cols == 1 && y.cols == 1, "PhaseDNN: 1-D inputs and outputs only")
    precondition(!hidden.isEmpty, "PhaseDNN: need at least one hidden layer")
    let t0 = monotonicSeconds()
    let targets = phaseShiftTargets(x: x.values.map { Double($0) }, y: y.values.map { Double($0) },
                                    bands: bands, bandWidth: bandWidth)
    let decompositionSeconds = monotonicSeconds() - t0
    let model = PhaseShiftModel<T>()
    var records: [ComponentRecord] = []
    let stepsPerBand = training.steps(rows: x.rows)
    var recordSum: [Double] = []
    var stepsSoFar = 0
    for (j, target) in targets.enumerated() {
        let start = monotonicSeconds()
        let outputs = j == 0 ? 1 : 2
        let spec = NetworkSpec(widths: [1] + hidden + [outputs], hidden: activation, output: .identity,
                               initializer: training.initializer)
        let seeds = training.componentSeeds(j)
        let net = Network<T>(spec: spec, seed: seeds.network)
        let frequency = Double(j) * bandWidth
        let offset = stepsSoFar, base = recordSum
        let recordStep: ((Int) -> Void)? = recorder.map { r in { step in
            if j > 0 && step == 0 { return }   // the previous band's last record
            r.record(offset + step, Recorder.sum(base, shiftUp(net.predict(r.inputs), x: r.inputs, frequency: frequency)))
        } }
        let history = train(net, x: x, y: Matrix(rows: x.rows, cols: outputs, values: target.map { T($0) }),
                            spec: training.trainingSpec(batchSeed: seeds.batches),
                            snapshotEvery: recorder?.every ?? 0, observe: recordStep,
                            progress: reporter.callback(offset: j * stepsPerBand))
        stepsSoFar += history.losses.count
        if let r = recorder { recordSum = Recorder.sum(recordSum, shiftUp(net.predict(r.inputs), x: r.inputs, frequency: frequency)) }
        model.append(frequency: frequency, network: net)
        net.releaseBuffers()
        records.append(ComponentRecord(losses: history.losses,
                                       seconds: monotonicSeconds() - start + (j == 0 ? decompositionSeconds : 0),
                                       parameterCount: net.parameterCount))
        if reporter.stopped { break }
    }
    return (model, records)
}
