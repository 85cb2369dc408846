import Crypto
import Foundation
import Tasks
import Yams

/// Reads an experiment's `task:` section: the target and its samples. Problems go to the
/// reader; the task is nil when a key it cannot do without is missing or invalid.
final class TaskReader {
    let t: MappingReader
    let reader: SpecReader
    let baseDirectory: URL?
    /// SHA-256 of each input file read (an image, a dataset), by path: part of the run's key.
    private(set) var inputHashes: [String: String] = [:]

    init(_ map: MappingReader, baseDirectory: URL?) {
        self.t = map
        self.reader = map.reader
        self.baseDirectory = baseDirectory
    }

    func read() -> ExperimentSpec.TaskSpec? {
        t.checkKeys(SpecSchema.keys("experiment.task"))
        let kind: TaskKind? = t.choice("kind")
        var task = ExperimentSpec.TaskSpec(kind: kind ?? .sumOfSines, frequencies: [], amplitudeProfile: .constant, amplitudes: [1],
                                           split: .grid, points: 0, validation: 0, test: 0, validationSeed: 0, testSeed: 1)
        let frequencies = readFunction(kind, into: &task)
        if kind == .powerLaw { readPowerLaw(into: &task) } else if kind == .bandLimitedPowerLaw { readBandLimited(into: &task) }
        else if kind == .powerLawEnsemble { readEnsemble(into: &task) } else {
            for key in ["exponent", "max_frequency", "noise_seed"] where t[key] != nil {
                reader.report(t[key], t.path(key), "'\(key)' applies to power_law, band_limited_power_law and power_law_ensemble tasks only")
            }
        }
        if kind != .powerLawEnsemble {
            for key in ["signals", "signal"] where t[key] != nil {
                reader.report(t[key], t.path(key), "'\(key)' applies to power_law_ensemble tasks only")
            }
        }
        if kind == .deltaSpike { readDeltaSpike(into: &task) } else {
            for key in ["center", "height"] where t[key] != nil {
                reader.report(t[key], t.path(key), "'\(key)' applies to delta_spike tasks only")
            }
        }
        if kind == .image { readImage(into: &task) } else {
            for key in ["text", "sinusoid"] where t[key] != nil {
                reader.report(t[key], t.path(key), "'\(key)' draws an image: it applies to image tasks (kind: image)")
            }
        }
        if kind == .dataset { readDataset(into: &task) } else { refuseDatasetKeys() }
        readTargets(kind, into: &task)
        readKernelSpectrum(kind, into: &task)
        readNoise(kind, into: &task)
        readManifold(kind, into: &task)
        let needsPoints = kind?.isSampledFunction ?? true
        let points = readSamples(needsPoints: needsPoints, into: &task)
        if kind != .deltaSpike {
            readAmplitudes(frequencies, into: &task)
            readPhases(frequencies, into: &task)
        }
        if let points, let frequencies, let top = frequencies.max(), top >= points - points / 2 {
            reader.report(t["points"], t.path("points"),
                          "\(points) points cannot resolve frequency \(top): the grid's Nyquist frequency is \(points / 2); use more than \(top > Int.max / 2 ? "2 × \(top)" : "\(top * 2)") points")
        }
        guard let kind, let frequencies, let pointCount = needsPoints ? points : 0 else { return nil }
        task.kind = kind
        task.frequencies = frequencies
        task.points = pointCount
        return task
    }

    /// `formula` (parsed now, so a typo is a problem at its line) or the frequencies of a sum of
    /// sines; nil when the frequencies are invalid.
    private func readFunction(_ kind: TaskKind?, into task: inout ExperimentSpec.TaskSpec) -> [Int]? {
        if kind == .formula {
            task.formula = t.string("formula")
            if let text = task.formula, !Limits.rejects(formula: text, at: t["formula"], t.path("formula"), reader: reader) {
                do { _ = try Formula(text, variables: ["x"]) } catch let error as FormulaError {
                    reader.report(t["formula"], t.path("formula"), "cannot parse the formula: \(error.message) at column \(error.column)\n\(error.source)\n\(error.caretLine)")
                } catch {
                    reader.report(t["formula"], t.path("formula"), "cannot parse the formula: \(error)")
                }
            }
        } else if kind == .sumOfSines || (kind == .deltaSpike && t["frequencies"] != nil) {
            // One frequency may be written as a number (a sweep over `task.frequencies: [50, 100]`).
            if let f = t["frequencies"], case .scalar = f, f.int != nil {
                return readInt(f, t.path("frequencies"), minimum: 0, reader: reader).map { [$0] }
            }
            return t.intList("frequencies", minimum: 0)
        }
        return []
    }

    /// Rahaman et al.'s δ-spike: `height` at the grid point nearest `center`, 0 elsewhere. It is
    /// defined on the training grid, so only the grid split, on 1-D inputs; its `frequencies`
    /// (optional) are only where its spectrum is recorded: it has no amplitudes or phases.
    private func readDeltaSpike(into task: inout ExperimentSpec.TaskSpec) {
        task.spikeCenter = t.double("center", default: 0.5, positive: false)
        if let c = task.spikeCenter, !(c >= 0 && c < 1) {
            reader.report(t["center"], t.path("center"), "expected a centre in [0, 1) (the grid's interval), found \(c)")
            task.spikeCenter = nil
        }
        task.spikeHeight = t.double("height", default: 1, positive: false)
        if let h = task.spikeHeight, !h.isFinite || h == 0 {
            reader.report(t["height"], t.path("height"), "expected a finite, non-zero height, found \(h)")
            task.spikeHeight = nil
        }
        for key in ["amplitudes", "phases"] where t[key] != nil {
            reader.report(t[key], t.path(key), "a delta_spike has every frequency at amplitude 2·height/points; its 'frequencies' only say where the spectrum is recorded, without '\(key)'")
        }
        if let split = t["split"], split.string != TaskSplit.grid.rawValue {
            reader.report(split, t.path("split"), "a delta_spike is defined on the training grid: it takes split: grid (the default)")
        }
        for key in ["manifold", "targets"] where t[key] != nil {
            reader.report(t[key], t.path(key), "'\(key)' does not apply to a delta_spike (a 1-D regression target on the grid)")
        }
    }

    private func readPowerLaw(into task: inout ExperimentSpec.TaskSpec) {
        task.exponent = t.double("exponent", positive: false)
        task.maxFrequency = t.int("max_frequency", minimum: 1)
        task.noiseSeed = t.int("noise_seed", default: 0, minimum: 0).map(UInt64.init)
    }

    /// Tancik et al.'s band-limited signal: its band is fixed (the DFT bins below points/4).
    private func readBandLimited(into task: inout ExperimentSpec.TaskSpec) {
        task.exponent = t.double("exponent", positive: false)
        task.noiseSeed = t.int("noise_seed", default: 0, minimum: 0).map(UInt64.init)
        if t["max_frequency"] != nil {
            reader.report(t["max_frequency"], t.path("max_frequency"), "band_limited_power_law keeps the DFT bins below points/4 (Tancik et al.'s band); it takes exponent and noise_seed")
        }
    }

    /// One signal of an ensemble of Tancik et al.'s Fig. 5 (``PowerLawEnsemble``): the ensemble is
    /// drawn whole (`signals` signals from `noise_seed`) and normalised together.
    private func readEnsemble(into task: inout ExperimentSpec.TaskSpec) {
        task.exponent = t.double("exponent", positive: false)
        if let a = task.exponent, !(a.isFinite && a >= 0 && a <= 8) {
            reader.report(t["exponent"], t.path("exponent"), "expected an exponent α between 0 and 8, found \(a)")
            task.exponent = nil
        }
        task.noiseSeed = t.int("noise_seed", default: 0, minimum: 0).map(UInt64.init)
        task.signals = t.int("signals", minimum: 1)
        if let n = task.signals, n > 8192 {
            reader.report(t["signals"], t.path("signals"), "at most 8,192 signals in an ensemble, found \(n)")
            task.signals = nil
        }
        task.signal = t.int("signal", default: 0, minimum: 0)
        if let i = task.signal, let n = task.signals, i >= n {
            reader.report(t["signal"], t.path("signal"), "the ensemble has \(n) signals (0 … \(n - 1)): signal \(i) is not one of them")
        }
        if t["max_frequency"] != nil {
            reader.report(t["max_frequency"], t.path("max_frequency"), "power_law_ensemble fills every DFT bin of the grid; it takes exponent, noise_seed, signals and signal")
        }
        for key in ["manifold", "targets"] where t[key] != nil {
            reader.report(t[key], t.path(key), "'\(key)' does not apply to a power_law_ensemble (a 1-D regression target on its grid)")
        }
    }

    private func readImage(into task: inout ExperimentSpec.TaskSpec) {
        task.colour = t.choice("colour", default: Image.Colour.rgb)
        task.size = t.int("size", minimum: 2)
        task.imageProtocol = t.choice("protocol", default: ImageTask.Evaluation.tancik)
        if let sinusoid = t["sinusoid"] {
            for key in ["file", "text"] where t[key] != nil {
                reader.report(t[key], t.path(key), "an image is a file, drawn text ('text') or a sinusoid ('sinusoid'): one of them")
            }
            readSinusoidImage(sinusoid, into: &task)
            return
        }
        if let text = t["text"] {
            if t["file"] != nil { reader.report(t["file"], t.path("file"), "an image is a file or drawn text ('text'), not both") }
            readTextImage(text, into: &task)
            return
        }
        task.file = t.string("file")
        guard let path = task.file else { return }
        let url = URL(fileURLWithPath: path, relativeTo: baseDirectory ?? URL(fileURLWithPath: "."))
        if let outside = Names.inputOutsideProject(url, reports: baseDirectory) {
            reader.report(t["file"], t.path("file"), outside)
        } else if !hash(path, url) {
            reader.report(t["file"], t.path("file"), "image file not found: \(path) (paths are relative to the report's folder)")
        }
    }

    /// `text: {seed: N}`: Tancik et al.'s random strings on white, drawn by ``TextImage``; the
    /// font file's SHA-256 joins the run's key as an input file's does.
    private func readTextImage(_ node: Node, into task: inout ExperimentSpec.TaskSpec) {
        guard let text = MappingReader(node, keyPath: t.path("text"), reader: reader) else { return }
        text.checkKeys(["seed"])
        task.textSeed = text.int("seed", minimum: 0).map(UInt64.init)
        if !hash(TextImage.fontPath, URL(fileURLWithPath: TextImage.fontPath)) {
            reader.report(node, t.path("text"), "text images are drawn with the font \(TextImage.fontPath), which is not installed (Debian package fonts-dejavu-core, see scripts/setup.sh)")
        }
    }

    /// `sinusoid: {angle, frequency}`: Tancik et al.'s oriented sinusoid (``SinusoidImage``),
    /// drawn at `size` (required), which must resolve its rounded wave vector.
    private func readSinusoidImage(_ node: Node, into task: inout ExperimentSpec.TaskSpec) {
        guard let sinusoid = MappingReader(node, keyPath: t.path("sinusoid"), reader: reader) else { return }
        sinusoid.checkKeys(["angle", "frequency"])
        let angle = sinusoid.double("angle")
        var frequency = sinusoid.double("frequency")
        if let f = frequency, f < 0 || f > Double(Limits.imageSize) {
            reader.report(sinusoid["frequency"], sinusoid.path("frequency"), "expected a frequency from 0 to \(Limits.imageSize) cycles per unit, found \(f)")
            frequency = nil
        }
        if let a = angle, abs(a) > 1.0e6 {
            reader.report(sinusoid["angle"], sinusoid.path("angle"), "expected an angle in degrees of at most 10⁶ in size, found \(a)")
        }
        task.sinusoidAngle = angle
        task.sinusoidFrequency = frequency
        if t["size"] == nil {
            reader.report(node, t.path("size"), "a sinusoid image is drawn at 'size' × 'size' pixels: give size (the paper's 512)")
        }
        if let angle, abs(angle) <= 1.0e6, let frequency, let size = task.size {
            let wave = SinusoidImage(angle: angle, frequency: frequency)
            if !wave.resolves(size: size) {
                let k = wave.waveVector
                reader.report(sinusoid["frequency"], sinusoid.path("frequency"),
                              "frequency \(ClaimCheck.number(frequency)) at \(ClaimCheck.number(angle))° is the wave vector (\(k.x), \(k.y)), which a \(size) × \(size) image does not resolve (each component must be below \(size / 2)); use a larger size or a lower frequency")
            }
        }
    }

    /// Remembers the SHA-256 of an input file; false when it cannot be read.
    private func hash(_ path: String, _ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url) else { return false }
        inputHashes[path] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return true
    }

    private func readDataset(into task: inout ExperimentSpec.TaskSpec) {
        task.file = t.string("file")
        if let path = task.file {
            let url = URL(fileURLWithPath: path, relativeTo: baseDirectory ?? URL(fileURLWithPath: "."))
            if !hash(path, url) {
                reader.report(t["file"], t.path("file"), "dataset file not found: \(url.standardizedFileURL.path) (paths are relative to the report's folder)")
            }
        }
        task.classes = t.intList("classes", minimum: 0)
        if let c = task.classes, c.count < 2 || Set(c).count != c.count {
            reader.report(t["classes"], t.path("classes"), "expected at least two different class labels, found \(c)")
        }
        let fractions = [("validation_fraction", 0.2), ("test_fraction", 0.0)].map { key, fallback -> Double? in
            guard let value = t.double(key, default: fallback) else { return nil }
            if value < 0 || value >= 1 { reader.report(t[key], t.path(key), "expected a fraction in [0, 1), found \(value)") }
            return value
        }
        task.validationFraction = fractions[0]
        task.testFraction = fractions[1]
        if let v = task.validationFraction, let f = task.testFraction, v + f >= 1 {
            reader.report(t["test_fraction"] ?? t["validation_fraction"], t.path("test_fraction"),
                          "validation_fraction + test_fraction = \(v + f) leaves no training samples")
        }
        task.splitSeed = t.int("split_seed", default: 0, minimum: 0).map(UInt64.init)
        for key in ["points", "split", "validation", "test", "frequencies", "amplitudes", "phases", "manifold"] where t[key] != nil {
            reader.report(t[key], t.path(key), "'\(key)' does not apply to a dataset task (it takes file, classes, targets, validation_fraction, test_fraction, split_seed, noise, kernel_spectrum)")
        }
    }

    private func refuseDatasetKeys() {
        for key in ["classes", "validation_fraction", "test_fraction", "split_seed"] where t[key] != nil {
            reader.report(t[key], t.path(key), "'\(key)' applies to dataset tasks only")
        }
    }

    /// `targets`: a dataset's encoding (default one_hot), or a function turned into the classes of its sign.
    private func readTargets(_ kind: TaskKind?, into task: inout ExperimentSpec.TaskSpec) {
        guard t["targets"] != nil || kind == .dataset else { return }
        let targets: TargetEncoding? = t.choice("targets", default: kind == .dataset ? TargetEncoding.oneHot : nil)
        task.targets = targets
        if kind == .dataset, targets != .oneHot, let c = task.classes, c.count != 2 {
            reader.report(t["targets"], t.path("targets"), "targets '\(targets?.rawValue ?? "")' need exactly two classes, found \(c.count); use one_hot")
        }
        if kind != .dataset && targets == .oneHot {
            reader.report(t["targets"], t.path("targets"), "a function target has one output: use plus_minus_one or zero_one (the sign of λ)")
        }
        if kind == .image { reader.report(t["targets"], t.path("targets"), "targets apply to dataset and 1-D or manifold tasks, not images") }
    }

    private func readNoise(_ kind: TaskKind?, into task: inout ExperimentSpec.TaskSpec) {
        guard let n = t["noise"], let nm = MappingReader(n, keyPath: t.path("noise"), reader: reader) else { return }
        let noiseKind: LabelNoise.Kind? = nm.choice("kind")
        if noiseKind == .kernelEigenvectors {
            nm.checkKeys(["kind", "amplitude", "exponent"])
            let amplitude = nm.double("amplitude")
            let exponent = nm.double("exponent")
            if let exponent, exponent < 0 {
                reader.report(nm["exponent"], nm.path("exponent"), "expected a number of at least 0 (γ of the spectrum (n/(N − 1))^γ), found \(exponent)")
            }
            if kind != .dataset {
                reader.report(n, t.path("noise"), "kernel_eigenvectors noise applies to dataset tasks (the kernel is over the training samples)")
            } else if t["kernel_spectrum"] == nil {
                reader.report(n, t.path("noise"), "kernel_eigenvectors noise needs the task's kernel_spectrum: {width: σ} (the kernel it is drawn along)")
            }
            if let amplitude, let exponent, exponent >= 0 {
                task.noise = amplitude == 0 ? nil : LabelNoise(kernelEigenvectorsAmplitude: amplitude, exponent: exponent)
            }
            return
        }
        nm.checkKeys(["kind", "amplitude", "frequency"])
        let amplitude = nm.double("amplitude")
        let frequency = nm.double("frequency")
        if let noiseKind, let amplitude, let frequency {
            // β = 0 is no noise at all: left out, so the run is the clean one.
            task.noise = amplitude == 0 ? nil : LabelNoise(kind: noiseKind, amplitude: amplitude, frequency: frequency)
        }
        if kind == .image { reader.report(n, t.path("noise"), "label noise applies to dataset and 1-D or manifold tasks, not images") }
    }

    /// `kernel_spectrum: {width: σ, bin: 20}` (dataset tasks with one output).
    private func readKernelSpectrum(_ kind: TaskKind?, into task: inout ExperimentSpec.TaskSpec) {
        guard let k = t["kernel_spectrum"], let km = MappingReader(k, keyPath: t.path("kernel_spectrum"), reader: reader) else { return }
        km.checkKeys(["width", "bin"])
        let width = km.double("width", positive: true)
        let bin = km.int("bin", default: 20, minimum: 1)
        if kind != .dataset {
            reader.report(k, t.path("kernel_spectrum"), "kernel_spectrum applies to dataset tasks (a kernel over the training samples)")
        } else if task.targets == .oneHot {
            reader.report(k, t.path("kernel_spectrum"), "kernel_spectrum measures one output: use targets plus_minus_one or zero_one (two classes)")
        }
        if let width, let bin { task.kernelSpectrum = ExperimentSpec.KernelSpectrumSpec(width: width, bin: bin) }
    }

    private func readManifold(_ kind: TaskKind?, into task: inout ExperimentSpec.TaskSpec) {
        guard let m = t["manifold"], let mm = MappingReader(m, keyPath: t.path("manifold"), reader: reader) else { return }
        mm.checkKeys(["q"])
        // q = 0 is the unit circle (Fang & Xu's Table 2, Rahaman's L = 0).
        task.manifoldQ = mm.double("q")
        if let q = task.manifoldQ, q < 0 {
            reader.report(mm["q"], mm.path("q"), "expected a number of at least 0 (0 is the unit circle), found \(q)")
            task.manifoldQ = nil
        }
        if kind == .image { reader.report(m, t.path("manifold"), "an image task has 2-D inputs already; manifold applies to 1-D targets") }
    }

    /// The split, the training points (nil when required and invalid), the validation and test
    /// sets and the generator of their draws.
    private func readSamples(needsPoints: Bool, into task: inout ExperimentSpec.TaskSpec) -> Int? {
        task.split = t.choice("split", default: TaskSplit.grid) ?? .grid
        let points = needsPoints ? t.int("points", minimum: 2) : 0
        if task.split == .interleaved {
            task.stride = t.int("stride", minimum: 2)
            if let stride = task.stride, let points, stride >= points {
                reader.report(t["stride"], t.path("stride"), "a stride of \(stride) leaves no test point among \(points) points: use fewer than \(points)")
            }
            for key in ["validation", "test"] where t[key] != nil {
                reader.report(t[key], t.path(key), "the interleaved split tests on the grid points it does not train on; '\(key)' applies to the mgdl split")
            }
        } else if t["stride"] != nil {
            reader.report(t["stride"], t.path("stride"), "'stride' applies to split: interleaved")
        }
        task.validation = t.int("validation", default: task.split == .mgdl ? 2000 : 0, minimum: 0) ?? 0
        task.test = t.int("test", default: task.split == .mgdl ? 2000 : 0, minimum: 0) ?? 0
        let validationSeed = t.int("validation_seed", default: 0, minimum: 0) ?? 0
        let testSeed = t.int("test_seed", default: 1, minimum: 0) ?? 1
        task.validationSeed = UInt64(validationSeed)
        task.testSeed = UInt64(testSeed)
        let generator = t.choice("generator", default: TaskGenerator.xoshiro) ?? .xoshiro
        // Ours is the default, left out of the run key so that existing keys do not change.
        task.generator = generator == .xoshiro ? nil : generator
        if generator == .numpy {
            for (key, value) in [("validation_seed", validationSeed), ("test_seed", testSeed)] where value > Int(UInt32.max) {
                reader.report(t[key], t.path(key), "NumPy's RandomState takes seeds below 2^32, found \(value)")
            }
        }
        return points
    }

    /// `amplitudes`: a number, one per frequency, or a profile's name.
    private func readAmplitudes(_ frequencies: [Int]?, into task: inout ExperimentSpec.TaskSpec) {
        guard let a = t["amplitudes"] else { return }
        switch a {
        case .sequence(let items):
            task.amplitudeProfile = .explicit
            task.amplitudes = items.enumerated().compactMap { readDouble($1, "\(t.path("amplitudes"))[\($0)]", positive: false, reader: reader) }
            if let frequencies, task.amplitudes.count != frequencies.count {
                reader.report(a, t.path("amplitudes"), "expected \(frequencies.count) amplitudes (one per frequency), found \(task.amplitudes.count)")
            }
        case .scalar where a.float != nil || a.int != nil:
            task.amplitudes = [a.float ?? Double(a.int!)]
        case .scalar(let s):
            if let named = AmplitudeProfile(rawValue: s.string), named != .explicit {
                task.amplitudeProfile = named
            } else {
                let words = AmplitudeProfile.named.map(\.rawValue)
                var message = "expected a number, a list, or one of \(words.joined(separator: ", ")), found '\(s.string)'"
                if let near = closest(to: s.string, in: words) { message += "; did you mean '\(near)'?" }
                reader.report(a, t.path("amplitudes"), message)
            }
        default:
            reader.report(a, t.path("amplitudes"), "expected a number, a list or a profile name, found \(a.kindDescription)")
        }
    }

    /// `phases`: one per frequency, or `{seed: N}` for uniform random phases; zeros by default.
    private func readPhases(_ frequencies: [Int]?, into task: inout ExperimentSpec.TaskSpec) {
        guard let p = t["phases"] else {
            task.phases = frequencies.map { Array(repeating: 0, count: $0.count) }
            return
        }
        switch p {
        case .sequence(let items):
            let phases = items.enumerated().compactMap { readDouble($1, "\(t.path("phases"))[\($0)]", positive: false, reader: reader) }
            task.phases = phases
            if let frequencies, phases.count != frequencies.count {
                reader.report(p, t.path("phases"), "expected \(frequencies.count) phases (one per frequency), found \(phases.count)")
            }
        case .mapping:
            guard let m = MappingReader(p, keyPath: t.path("phases"), reader: reader) else { return }
            m.checkKeys(["seed"])
            task.phaseSeed = m.int("seed", minimum: 0).map(UInt64.init)
            if task.generator == .numpy, let seed = task.phaseSeed, seed > UInt64(UInt32.max) {
                reader.report(m["seed"], m.path("seed"), "NumPy's RandomState takes seeds below 2^32, found \(seed)")
            }
        default:
            reader.report(p, t.path("phases"), "expected a list of phases or {seed: N}, found \(p.kindDescription)")
        }
    }
}
