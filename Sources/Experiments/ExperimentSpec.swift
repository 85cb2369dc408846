import Crypto
import Foundation
import Learning
import Tasks
import Yams

/// A declared experiment: a task, a model and how to train it. Decoded from an
/// ```` ```experiment NAME ```` block with the chosen profile's overlay applied.
public struct ExperimentSpec: Sendable, Equatable, Codable {
    public var name: String
    public var method: MethodKind
    public var seed: UInt64
    public var task: TaskSpec
    public var model: ModelSpec
    public var train: TrainSpec
    /// The profile whose overlay was applied ("" when the block declares none for it).
    public var profile: String
    /// The experiment block this run comes from (the run's own name for a block without a sweep).
    public var group: String
    /// The sweep point, e.g. `task.amplitudes = decreasing, seed = 1` ("" without a sweep).
    public var label: String

    public var features: FeatureSpec

    /// With `repeat: N`: the name of the run the copies repeat (this run is `NAME--repeat-i`);
    /// nil without repeats. Bookkeeping, not part of the run's key (the copies' seeds are).
    public var repeatOf: String?
    /// With `repeat: N`: this copy's index, 0 ..< N (its seed is `seed + index`).
    public var repeatIndex: Int?
    /// With `repeat: N`: N.
    public var repeatCount: Int?

    public struct FeatureSpec: Sendable, Equatable, Codable {
        public var kind: FeatureKind
        public var scale: Double
        public var count: Int
        public var seed: UInt64
    }

    public struct TaskSpec: Sendable, Equatable, Codable {
        public var kind: TaskKind
        /// For `formula`: the target written in x.
        public var formula: String?
        public var frequencies: [Int]
        public var amplitudeProfile: AmplitudeProfile
        public var amplitudes: [Double]
        public var phases: [Double]?
        public var phaseSeed: UInt64?
        /// `grid`: train and evaluate on `points` equispaced points of [0, 1).
        /// `mgdl`: train on `points` equispaced points, validate and test on uniform draws (Fang & Xu).
        public var split: TaskSplit
        public var points: Int
        public var validation: Int
        public var test: Int
        public var validationSeed: UInt64
        public var testSeed: UInt64
        /// Inputs on the manifold γ_q(t) = (1 + sin(2πqt)/2)(cos 2πt, sin 2πt) instead of t itself.
        public var manifoldQ: Double?
        /// `power_law`: 1/f^α random signal.
        public var exponent: Double?
        public var maxFrequency: Int?
        public var noiseSeed: UInt64?
        /// The generator of the phases and the validation/test points; nil: ours (xoshiro), the
        /// default, left out of the run key so that existing keys do not change.
        public var generator: TaskGenerator?
        /// `image`: the PNG (path relative to the report), grey or rgb, centre-cropped to a square
        /// and resized to `size`×`size`; `protocol` tancik (test on the odd grid) or mgdl (test on every pixel).
        public var file: String?
        public var colour: Image.Colour?
        public var size: Int?
        public var imageProtocol: ImageTask.Evaluation?
        /// `dataset`: the labels kept (a class's index in this list is its target's index).
        public var classes: [Int]?
        /// `dataset` (default one_hot), or a function task turned into binary classification
        /// (the sign of λ); nil: regression of the value.
        public var targets: TargetEncoding?
        /// `dataset`: shares of the chosen samples held out, and the seed of the shuffle.
        public var validationFraction: Double?
        public var testFraction: Double?
        public var splitSeed: UInt64?
        /// Label noise on the training targets; validation and test stay clean.
        public var noise: LabelNoise?

        /// Inputs per sample (1, or 2 for images and manifolds).
        public var inputDimension: Int { kind == .image || manifoldQ != nil ? 2 : 1 }
    }

    /// SHA-256 of every input file (e.g. an image), by path: part of the run's key.
    public var inputHashes: [String: String] = [:]
    /// The report's folder, which relative input paths start from (not part of the key: the
    /// files' hashes are).
    public var baseDirectory = ""

    /// An input file's location on this machine.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }

    public struct ModelSpec: Sendable, Equatable, Codable {
        /// `mlp`: every width, input to output.
        public var widths: [Int]
        /// `sgdl`, `mscale`, `multistage`: hidden widths.
        public var hidden: [Int]
        /// `mgdl`: the hidden widths of each grade.
        public var grades: [[Int]]
        /// `mscale`: input scales a_i.
        public var scales: [Double]
        /// `multistage`: the number of stages.
        public var stages: Int
        public var activation: Activation
        public var initializer: Initializer
        /// `sgdl`: the output activation, `sigmoid` (Tancik et al.'s image network); nil: identity
        /// (left out of the run key so existing keys stay).
        public var output: OutputActivation? = nil
    }

    /// The method-specific keys of `model` each method takes (`init` is every method's).
    static func modelKeys(of method: MethodKind) -> [String] {
        switch method {
        case .mlp: return ["widths", "activation", "init"]
        case .sgdl: return ["hidden", "init", "output"]
        case .mgdl: return ["grades", "init"]
        case .mscale: return ["hidden", "scales", "activation", "init"]
        case .multistage: return ["hidden", "stages", "init"]
        }
    }

    /// `model.output` of an `sgdl` network.
    public enum OutputActivation: String, Sendable, Equatable, Codable, CaseIterable {
        case identity, sigmoid
    }

    public struct TrainSpec: Sendable, Equatable, Codable {
        public var optimizer: OptimizerKind
        public var learningRate: Double
        /// Exponential decay per epoch from `lr` to this (MGDL's t_max -> t_min); nil: constant.
        public var finalLearningRate: Double?
        /// Optimizer steps (`mlp`), or epochs of each network (grade, stage) for the other methods.
        public var steps: Int
        /// nil: full batch.
        public var batch: Int?
        public var recordEvery: Int
        public var precision: Precision
        /// `record_norms: true`: the spectral norm of every weight matrix at each recorded step
        /// (nil when not asked for, which keeps older run keys).
        public var recordNorms: Bool?
        /// `keep_predictions: [steps]`: compact recording. At every recorded step only the
        /// spectrum at the target's frequencies is kept; whole predictions only at these steps
        /// (and the last). nil: every recorded prediction is kept whole (mlp's default).
        public var keepPredictions: [Int]?
        /// Methods other than `mlp`: record the whole model during training (true when the block
        /// writes `record_every`; nil otherwise, which keeps older run keys).
        public var recordSnapshots: Bool?
        /// The loss; nil: `mse`, the default (left out of the run key so existing keys stay).
        public var loss: Loss?
        /// `mgdl`: one entry per grade overriding `lr`, `lr_final` and `epochs` for that grade
        /// (a key left out keeps the block's value); nil: every grade trains alike.
        public var grades: [GradeTrainSpec]?
    }

    /// One grade's own learning rates and epochs (`train.grades[l]`).
    public struct GradeTrainSpec: Sendable, Equatable, Codable {
        public var learningRate: Double
        public var finalLearningRate: Double?
        public var steps: Int
    }

    /// The keys of a run's declaration (the block's keys without `profiles` and `sweep`).
    static let topKeys = SpecSchema.keys("experiment").filter { $0 != "profiles" && $0 != "sweep" }

    /// Reads one experiment block into its runs: one run, or one per point of its `sweep`.
    /// Order of overlays: the block, then the profile, then the sweep point, then `-S` overrides.
    static func read(_ root: Node, name: String, profile: String, overrides: [Override], reader: SpecReader,
                     baseDirectory: URL?) -> [ExperimentSpec] {
        let specs = expand(root, name: name, profile: profile, overrides: overrides, reader: reader, baseDirectory: baseDirectory)
        // Every declared profile must be valid, not only the one being built.
        if case .mapping(let top) = root, let profiles = top["profiles"], case .mapping(let declared) = profiles {
            for key in declared.keys.compactMap(\.string) where key != profile {
                let other = SpecReader(file: reader.file, lineOffset: reader.lineOffset)
                _ = expand(root, name: name, profile: key, overrides: overrides, reader: other, baseDirectory: baseDirectory)
                for problem in other.problems {
                    let tagged = SpecProblem(file: problem.file, line: problem.line, column: problem.column,
                                             keyPath: problem.keyPath, message: problem.message + " (with profile '\(key)')")
                    if !reader.problems.contains(where: { $0.line == problem.line && $0.keyPath == problem.keyPath }) {
                        reader.add(tagged)
                    }
                }
            }
        }
        return specs
    }

    private static func expand(_ root: Node, name: String, profile: String, overrides: [Override], reader: SpecReader,
                               baseDirectory: URL?) -> [ExperimentSpec] {
        guard let top = MappingReader(root, keyPath: name, reader: reader) else { return [] }
        top.checkKeys(SpecSchema.keys("experiment"))
        // Profiles are overlays merged onto the block before it is read.
        var applied = ""
        var node = root
        if let profiles = top["profiles"], let map = MappingReader(profiles, keyPath: top.path("profiles"), reader: reader) {
            for pair in map.pairs {
                if case .mapping = pair.value {} else {
                    reader.report(pair.value, map.path(pair.key), "a profile is a mapping of keys to override, found \(pair.value.kindDescription)")
                }
            }
            if let overlay = map[profile] {
                node = merge(root, overlay)
                applied = profile
                if let o = MappingReader(overlay, keyPath: map.path(profile), reader: reader) { o.checkKeys(topKeys + ["sweep"]) }
            }
        }
        node = removing(["profiles", "sweep"], from: node)
        let sweepNode: Node? = {
            guard case .mapping(let m) = root else { return nil }
            if applied.isEmpty { return m["sweep"] }
            if case .mapping(let p) = m["profiles"] ?? Node(""), case .mapping(let o) = p[applied] ?? Node(""), let s = o["sweep"] { return s }
            return m["sweep"]
        }()
        let points = sweepNode.map { Sweep.points($0, keyPath: top.path("sweep"), reader: reader) } ?? [[]]
        // Runs are named and labelled by their scalar sweep values (`method = mgdl`); values that are
        // lists or mappings (a model) are left out unless the names would then collide.
        func describe(_ point: [Sweep.Assignment], all: Bool) -> (name: String, label: String) {
            // A sweep axis called `name` names its points itself (`zip: {name: [a, b], ...}`).
            if let named = point.first(where: { $0.path == ["name"] }) {
                let text = Sweep.label(named.value)
                return ("\(name)--\(text)", text)
            }
            let shown = all ? point : point.filter { if case .scalar = $0.value { return true } else { return false } }
            let name = shown.isEmpty ? name : name + "--" + shown.map { "\($0.path.last!)-\(Sweep.label($0.value))" }.joined(separator: "--")
            let label = shown.map { "\($0.path.last!) = \(Sweep.label($0.value))" }.joined(separator: ", ")
            return (name, label)
        }
        let short = points.map { describe($0, all: false) }
        let described = Set(short.map(\.name)).count == short.count ? short : points.map { describe($0, all: true) }
        var specs: [ExperimentSpec] = []
        for (point, description) in zip(points, described) {
            var n = node
            for assignment in point where assignment.path != ["name"] { n = Sweep.set(n, path: assignment.path, to: assignment.value, keyMark: assignment.keyMark) }
            let mine = overrides.filter { $0.experiment == nil || $0.experiment == name }
            for o in mine { n = Sweep.set(n, path: o.path(in: n), to: o.value) }
            // `repeat: N`: N copies with seeds seed, seed + 1, ... (and phase seeds, where drawn).
            var copies = 1
            if case .mapping(let m) = n, let r = m["repeat"] {
                let quiet = SpecReader(file: reader.file, lineOffset: reader.lineOffset)
                copies = readInt(r, top.path("repeat"), minimum: 1, reader: specs.isEmpty ? reader : quiet) ?? 1
                if !Limits.sweepFits(points.count, copies, r, top.path("repeat"), reader: specs.isEmpty ? reader : quiet) { copies = 1 }
            }
            let before = reader.problems.count
            let read = readOne(n, name: name, reader: reader, baseDirectory: baseDirectory)
            reader.blame(mine, in: n, since: before, block: name)  // a bad -S value is the command line's fault
            guard var spec = read else { continue }
            spec.name = description.name
            spec.group = name
            spec.label = description.label
            spec.profile = applied
            if copies == 1 {
                specs.append(spec)
                continue
            }
            for index in 0..<copies {
                var copy = spec
                copy.name = "\(description.name)--repeat-\(index + 1)"
                copy.seed = spec.seed &+ UInt64(index)
                if let phaseSeed = spec.task.phaseSeed { copy.task.phaseSeed = phaseSeed &+ UInt64(index) }
                copy.repeatOf = description.name
                copy.repeatIndex = index
                copy.repeatCount = copies
                specs.append(copy)
            }
        }
        return specs
    }

    static func removing(_ keys: [String], from node: Node) -> Node {
        guard case .mapping(let m) = node else { return node }
        var out = Node.Mapping(m.filter { !keys.contains($0.key.string ?? "") }.map { ($0.key, $0.value) })
        out.mark = m.mark
        return .mapping(out)
    }

    static func readOne(_ node: Node, name: String, reader: SpecReader, baseDirectory: URL?) -> ExperimentSpec? {
        guard let spec = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        spec.checkKeys(topKeys)
        let method = spec.choice("method", default: MethodKind.mlp) ?? .mlp
        let seed = spec.int("seed", default: 0, minimum: 0) ?? 0

        // task
        var task: TaskSpec?
        var inputHashes: [String: String] = [:]
        if let taskNode = spec.required("task"), let t = MappingReader(taskNode, keyPath: spec.path("task"), reader: reader) {
            t.checkKeys(SpecSchema.keys("experiment.task"))
            let kind: TaskKind? = t.choice("kind")
            var formula: String?
            var frequencies: [Int]? = []
            if kind == .formula {
                formula = t.string("formula")
                if let text = formula, !Limits.rejects(formula: text, at: t["formula"], t.path("formula"), reader: reader) {
                    do { _ = try Formula(text, variables: ["x"]) } catch let error as FormulaError {
                        reader.report(t["formula"], t.path("formula"), "cannot parse the formula: \(error.message) at column \(error.column)\n\(error.source)\n\(error.caretLine)")
                    } catch {
                        reader.report(t["formula"], t.path("formula"), "cannot parse the formula: \(error)")
                    }
                }
            } else if kind == .sumOfSines {
                frequencies = t.intList("frequencies", minimum: 0)
            }
            var exponent: Double?, maxFrequency: Int?, noiseSeed: Int?
            if kind == .powerLaw {
                exponent = t.double("exponent", positive: false)
                maxFrequency = t.int("max_frequency", minimum: 1)
                noiseSeed = t.int("noise_seed", default: 0, minimum: 0)
            }
            var file: String?, colour: Image.Colour?, size: Int?, imageProtocol: ImageTask.Evaluation?
            if kind == .image {
                file = t.string("file")
                colour = t.choice("colour", default: Image.Colour.rgb)
                size = t.int("size", minimum: 2)
                imageProtocol = t.choice("protocol", default: ImageTask.Evaluation.tancik)
                if let path = file {
                    let url = URL(fileURLWithPath: path, relativeTo: baseDirectory ?? URL(fileURLWithPath: "."))
                    if let outside = Names.inputOutsideProject(url, reports: baseDirectory) {
                        reader.report(t["file"], t.path("file"), outside)
                    } else if let data = try? Data(contentsOf: url) {
                        inputHashes[path] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
                    } else {
                        reader.report(t["file"], t.path("file"), "image file not found: \(path) (paths are relative to the report's folder)")
                    }
                }
            }
            var classes: [Int]?, targets: TargetEncoding?, validationFraction: Double?, testFraction: Double?
            var splitSeed: UInt64?, noise: LabelNoise?
            if kind == .dataset {
                file = t.string("file")
                if let path = file {
                    let url = URL(fileURLWithPath: path, relativeTo: baseDirectory ?? URL(fileURLWithPath: "."))
                    if let data = try? Data(contentsOf: url) {
                        inputHashes[path] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
                    } else {
                        reader.report(t["file"], t.path("file"), "dataset file not found: \(url.standardizedFileURL.path) (paths are relative to the report's folder)")
                    }
                }
                classes = t.intList("classes", minimum: 0)
                if let c = classes, c.count < 2 || Set(c).count != c.count {
                    reader.report(t["classes"], t.path("classes"), "expected at least two different class labels, found \(c)")
                }
                let fractions = [("validation_fraction", 0.2), ("test_fraction", 0.0)].map { key, fallback -> Double? in
                    guard let value = t.double(key, default: fallback) else { return nil }
                    if value < 0 || value >= 1 { reader.report(t[key], t.path(key), "expected a fraction in [0, 1), found \(value)") }
                    return value
                }
                validationFraction = fractions[0]; testFraction = fractions[1]
                if let v = validationFraction, let f = testFraction, v + f >= 1 {
                    reader.report(t["test_fraction"] ?? t["validation_fraction"], t.path("test_fraction"),
                                  "validation_fraction + test_fraction = \(v + f) leaves no training samples")
                }
                splitSeed = t.int("split_seed", default: 0, minimum: 0).map(UInt64.init)
                for key in ["points", "split", "validation", "test", "frequencies", "amplitudes", "phases", "manifold"] where t[key] != nil {
                    reader.report(t[key], t.path(key), "'\(key)' does not apply to a dataset task (it takes file, classes, targets, validation_fraction, test_fraction, split_seed, noise)")
                }
            } else {
                for key in ["classes", "validation_fraction", "test_fraction", "split_seed"] where t[key] != nil {
                    reader.report(t[key], t.path(key), "'\(key)' applies to dataset tasks only")
                }
            }
            if t["targets"] != nil || kind == .dataset {
                targets = t.choice("targets", default: kind == .dataset ? TargetEncoding.oneHot : nil)
                if kind == .dataset, targets != .oneHot, let c = classes, c.count != 2 {
                    reader.report(t["targets"], t.path("targets"), "targets '\(targets?.rawValue ?? "")' need exactly two classes, found \(c.count); use one_hot")
                }
                if kind != .dataset && targets == .oneHot {
                    reader.report(t["targets"], t.path("targets"), "a function target has one output: use plus_minus_one or zero_one (the sign of λ)")
                }
                if kind == .image { reader.report(t["targets"], t.path("targets"), "targets apply to dataset and 1-D or manifold tasks, not images") }
            }
            if let n = t["noise"], let nm = MappingReader(n, keyPath: t.path("noise"), reader: reader) {
                nm.checkKeys(["kind", "amplitude", "frequency"])
                let noiseKind: LabelNoise.Kind? = nm.choice("kind")
                let amplitude = nm.double("amplitude")
                let frequency = nm.double("frequency")
                if let noiseKind, let amplitude, let frequency {
                    // β = 0 is no noise at all: left out, so the run is the clean one.
                    noise = amplitude == 0 ? nil : LabelNoise(kind: noiseKind, amplitude: amplitude, frequency: frequency)
                }
                if kind == .image { reader.report(n, t.path("noise"), "label noise applies to dataset and 1-D or manifold tasks, not images") }
            }
            var manifoldQ: Double?
            if let m = t["manifold"], let mm = MappingReader(m, keyPath: t.path("manifold"), reader: reader) {
                mm.checkKeys(["q"])
                // q = 0 is the unit circle (Fang & Xu's Table 2, Rahaman's L = 0).
                manifoldQ = mm.double("q")
                if let q = manifoldQ, q < 0 {
                    reader.report(mm["q"], mm.path("q"), "expected a number of at least 0 (0 is the unit circle), found \(q)")
                    manifoldQ = nil
                }
                if kind == .image { reader.report(m, t.path("manifold"), "an image task has 2-D inputs already; manifold applies to 1-D targets") }
            }
            let split = t.choice("split", default: TaskSplit.grid) ?? .grid
            let needsPoints = kind?.isSampledFunction ?? true
            let points = needsPoints ? t.int("points", minimum: 2) : 0
            let validation = t.int("validation", default: split == .mgdl ? 2000 : 0, minimum: 0) ?? 0
            let test = t.int("test", default: split == .mgdl ? 2000 : 0, minimum: 0) ?? 0
            let validationSeed = t.int("validation_seed", default: 0, minimum: 0) ?? 0
            let testSeed = t.int("test_seed", default: 1, minimum: 0) ?? 1
            let generator = t.choice("generator", default: TaskGenerator.xoshiro) ?? .xoshiro
            if generator == .numpy {
                for (key, value) in [("validation_seed", validationSeed), ("test_seed", testSeed)] where value > Int(UInt32.max) {
                    reader.report(t[key], t.path(key), "NumPy's RandomState takes seeds below 2^32, found \(value)")
                }
            }
            var profile = AmplitudeProfile.constant
            var amplitudes: [Double] = [1]
            if let a = t["amplitudes"] {
                switch a {
                case .sequence(let items):
                    profile = .explicit
                    amplitudes = items.enumerated().compactMap { readDouble($1, "\(t.path("amplitudes"))[\($0)]", positive: false, reader: reader) }
                    if let frequencies, amplitudes.count != frequencies.count {
                        reader.report(a, t.path("amplitudes"), "expected \(frequencies.count) amplitudes (one per frequency), found \(amplitudes.count)")
                    }
                case .scalar where a.float != nil || a.int != nil:
                    amplitudes = [a.float ?? Double(a.int!)]
                case .scalar(let s):
                    if let named = AmplitudeProfile(rawValue: s.string), named != .explicit {
                        profile = named
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
            var phases: [Double]?
            var phaseSeed: UInt64?
            if let p = t["phases"] {
                switch p {
                case .sequence(let items):
                    phases = items.enumerated().compactMap { readDouble($1, "\(t.path("phases"))[\($0)]", positive: false, reader: reader) }
                    if let frequencies, phases?.count != frequencies.count {
                        reader.report(p, t.path("phases"), "expected \(frequencies.count) phases (one per frequency), found \(phases?.count ?? 0)")
                    }
                case .mapping:
                    if let m = MappingReader(p, keyPath: t.path("phases"), reader: reader) {
                        m.checkKeys(["seed"])
                        phaseSeed = m.int("seed", minimum: 0).map(UInt64.init)
                        if generator == .numpy, let seed = phaseSeed, seed > UInt64(UInt32.max) {
                            reader.report(m["seed"], m.path("seed"), "NumPy's RandomState takes seeds below 2^32, found \(seed)")
                        }
                    }
                default:
                    reader.report(p, t.path("phases"), "expected a list of phases or {seed: N}, found \(p.kindDescription)")
                }
            } else {
                phases = frequencies.map { Array(repeating: 0, count: $0.count) }
            }
            if let points, let frequencies, let top = frequencies.max(), top >= points - points / 2 {
                reader.report(t["points"], t.path("points"),
                              "\(points) points cannot resolve frequency \(top): the grid's Nyquist frequency is \(points / 2); use more than \(top > Int.max / 2 ? "2 × \(top)" : "\(top * 2)") points")
            }
            let pointCount = needsPoints ? points : 0
            if let kind, let frequencies, let pointCount {
                task = TaskSpec(kind: kind, formula: formula, frequencies: frequencies, amplitudeProfile: profile,
                                amplitudes: amplitudes, phases: phases, phaseSeed: phaseSeed, split: split, points: pointCount,
                                validation: validation, test: test, validationSeed: UInt64(validationSeed), testSeed: UInt64(testSeed),
                                manifoldQ: manifoldQ, exponent: exponent, maxFrequency: maxFrequency,
                                noiseSeed: noiseSeed.map(UInt64.init), generator: generator == .xoshiro ? nil : generator,
                                file: file, colour: colour, size: size, imageProtocol: imageProtocol,
                                classes: classes, targets: targets, validationFraction: validationFraction, testFraction: testFraction,
                                splitSeed: splitSeed, noise: noise)
                if method == .mlp && (task!.inputDimension != 1 || kind == .dataset) {
                    reader.report(taskNode, spec.path("task"), "method 'mlp' fits 1-D targets only; use sgdl (the same network) for images, manifolds and datasets")
                } else if method == .mlp && (targets != nil || noise != nil) {
                    reader.report(taskNode, spec.path("task"), "method 'mlp' regresses the target on its grid; use sgdl (the same network) for classification targets and label noise")
                }
            }
        }

        // features (Tancik et al.): an input mapping in front of any method
        var features = FeatureSpec(kind: .none, scale: 1, count: 0, seed: 0)
        if let f = spec["features"], let map = MappingReader(f, keyPath: spec.path("features"), reader: reader) {
            map.checkKeys(SpecSchema.keys("experiment.features"))
            let kind = map.choice("kind", default: FeatureKind.none) ?? .none
            let needsCount = kind.hasFrequencies
            let scale = map.double("scale", default: needsCount ? nil : 1, positive: true) ?? 1
            let count = map.int("count", default: needsCount ? nil : 0, minimum: 1) ?? 0
            let featureSeed = map.int("seed", default: 0, minimum: 0) ?? 0
            features = FeatureSpec(kind: kind, scale: scale, count: count, seed: UInt64(featureSeed))
            if method == .mlp && kind != .none {
                reader.report(f, spec.path("features"), "method 'mlp' takes no input features; use sgdl (the same network) with features")
            }
        }

        // model
        var model: ModelSpec?
        if let modelNode = spec.required("model"), let m = MappingReader(modelNode, keyPath: spec.path("model"), reader: reader) {
            let allowed = modelKeys(of: method)
            let methodKeys = MethodKind.allCases.flatMap(modelKeys(of:))
            for pair in m.pairs where !allowed.contains(pair.key) && methodKeys.contains(pair.key) {
                reader.report(pair.keyNode, m.path(pair.key), "'\(pair.key)' does not apply to method '\(method)', which takes: \(allowed.joined(separator: ", "))")
            }
            m.checkKeys(SpecSchema.keys("experiment.model"))
            var widths: [Int] = [], hidden: [Int] = [], grades: [[Int]] = [], scales: [Double] = [], stages = 0
            var activation = Activation.relu
            var ok = true
            switch method {
            case .mlp:
                widths = m.intList("widths", minimum: 1) ?? { ok = false; return [] }()
                if ok && widths.count < 2 {
                    reader.report(m["widths"], m.path("widths"), "expected at least an input and an output width, found \(widths.count) width"); ok = false
                }
                if ok && (widths.first != 1 || widths.last != 1) {
                    reader.report(m["widths"], m.path("widths"), "a 1-D task has 1 input and 1 output: widths must start and end with 1, found \(widths)"); ok = false
                }
                activation = m.string("activation", default: Activation.relu.rawValue, oneOf: Activation.mlpChoices.map(\.rawValue))
                    .flatMap(Activation.init(rawValue:)) ?? .relu
            case .mgdl:
                if let g = m.required("grades") {
                    if case .sequence(let items) = g, !items.isEmpty {
                        for (i, item) in items.enumerated() {
                            if let list = readIntList(item, "\(m.path("grades"))[\(i)]", minimum: 1, reader: reader) { grades.append(list) } else { ok = false }
                        }
                    } else {
                        reader.report(g, m.path("grades"), "expected a list of grades, each a list of hidden widths, e.g. [[256, 256], [256, 256]]"); ok = false
                    }
                } else { ok = false }
            case .mscale:
                hidden = m.intList("hidden", minimum: 1) ?? { ok = false; return [] }()
                if let list = m.required("scales"), case .sequence(let items) = list {
                    scales = items.enumerated().compactMap { readDouble($1, "\(m.path("scales"))[\($0)]", positive: true, reader: reader) }
                } else { ok = false }
                activation = (m.choice("activation", default: MscaleActivation.s2ReLU) ?? .s2ReLU).activation
            case .multistage:
                hidden = m.intList("hidden", minimum: 1) ?? { ok = false; return [] }()
                stages = m.int("stages", minimum: 1) ?? { ok = false; return 0 }()
            case .sgdl:
                hidden = m.intList("hidden", minimum: 1) ?? { ok = false; return [] }()
            }
            let initializer = m.choice("init", default: method == .mgdl ? Initializer.glorotNormal : .pytorchDefault)
            var output: OutputActivation?
            if method == .sgdl, m["output"] != nil, let chosen = m.choice("output", default: OutputActivation.identity), chosen != .identity {
                output = chosen
            }
            if ok, let initializer {
                model = ModelSpec(widths: widths, hidden: hidden, grades: grades, scales: scales, stages: stages,
                                  activation: activation, initializer: initializer, output: output)
            }
        }

        // train
        var train: TrainSpec?
        if let trainNode = spec.required("train"), let r = MappingReader(trainNode, keyPath: spec.path("train"), reader: reader) {
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
            let steps = r.int(countKey, minimum: 1)
            var batch: Int?
            if let b = r["batch"], b.string != "full" {
                batch = readInt(b, r.path("batch"), minimum: 1, reader: reader)
            }
            let recordEvery = r.int("record_every", default: 100, minimum: 1)
            let precision = r.choice("precision", default: method == .multistage ? Precision.float64 : .float32)
            var recordNorms: Bool?
            if let node = r["record_norms"] {
                if let b = node.bool { recordNorms = b ? true : nil } else {
                    reader.report(node, r.path("record_norms"), "expected true or false, found '\(node.string ?? node.kindDescription)'")
                }
                if method != .mlp { reader.report(node, r.path("record_norms"), "record_norms applies to method 'mlp' (one network's weight matrices)") }
            }
            var keepPredictions: [Int]?
            if let node = r["keep_predictions"] {
                keepPredictions = readIntList(node, r.path("keep_predictions"), minimum: 0, reader: reader).map { Array(Set($0)).sorted() }
                if let keep = keepPredictions, let every = recordEvery, let bad = keep.first(where: { $0 % every != 0 }) {
                    reader.report(node, r.path("keep_predictions"), "step \(bad) is not a recorded step: predictions are recorded every \(every) steps (record_every)")
                }
            }
            let loss = r.choice("loss", default: Loss.mse) ?? .mse
            var gradeTraining: [GradeTrainSpec]?
            if let g = r["grades"] {
                if method != .mgdl {
                    reader.report(g, r.path("grades"), "train.grades sets each MGDL grade's learning rates and epochs; method '\(method)' has no grades")
                } else if case .sequence(let items) = g {
                    if let model, items.count != model.grades.count {
                        reader.report(g, r.path("grades"), "expected one entry per grade (\(model.grades.count)), found \(items.count)")
                    }
                    gradeTraining = []
                    for (i, item) in items.enumerated() {
                        guard let entry = MappingReader(item, keyPath: "\(r.path("grades"))[\(i)]", reader: reader) else { continue }
                        entry.checkKeys(["lr", "lr_final", "epochs"])
                        let gradeLR = entry["lr"] == nil ? lr : entry.double("lr", positive: true)
                        let gradeFinal = entry["lr_final"] == nil ? lrFinal : entry.double("lr_final", positive: true)
                        let gradeEpochs = entry["epochs"] == nil ? steps : entry.int("epochs", minimum: 1)
                        if let gradeLR, let gradeEpochs {
                            gradeTraining?.append(GradeTrainSpec(learningRate: gradeLR, finalLearningRate: gradeFinal, steps: gradeEpochs))
                        }
                    }
                } else {
                    reader.report(g, r.path("grades"), "expected a list with one entry per grade, e.g. [{lr: 1.0e-3}, {lr: 5.0e-4}]")
                }
            }
            if loss == .bce {
                if method != .sgdl && method != .mscale {
                    reader.report(r["loss"], r.path("loss"), "loss 'bce' trains one network on 0/1 labels (sgdl, mscale); '\(method)' fits residuals or the grid by least squares")
                }
                if let t = task, t.targets != .zeroOne {
                    reader.report(r["loss"], r.path("loss"), "loss 'bce' needs 0/1 labels: set task.targets to zero_one")
                }
            }
            if let optimizer, let lr, let steps, let recordEvery, let precision {
                train = TrainSpec(optimizer: optimizer, learningRate: lr, finalLearningRate: lrFinal, steps: steps, batch: batch,
                                  recordEvery: recordEvery, precision: precision, recordNorms: recordNorms, keepPredictions: keepPredictions,
                                  recordSnapshots: method != .mlp && r["record_every"] != nil ? true : nil,
                                  loss: loss == .mse ? nil : loss, grades: gradeTraining)
            }
        }
        guard let task, let model, let train else { return nil }
        var result = ExperimentSpec(name: name, method: method, seed: UInt64(seed), task: task, model: model,
                                    train: train, profile: "", group: name, label: "", features: features)
        result.inputHashes = inputHashes
        result.baseDirectory = baseDirectory?.path ?? ""
        Limits.check(result, node: node, name: name, reader: reader)  // sizes and memory, before anything is allocated
        return result
    }

    /// Deep-merges `overlay` onto `base`: mappings merge key by key, anything else replaces.
    static func merge(_ base: Node, _ overlay: Node) -> Node {
        guard case .mapping(let b) = base, case .mapping(let o) = overlay else { return overlay }
        var pairs: [(Node, Node)] = []
        for (key, value) in b where key.string != "profiles" {
            if let replacement = o[key] { pairs.append((key, merge(value, replacement))) } else { pairs.append((key, value)) }
        }
        for (key, value) in o where b[key] == nil { pairs.append((key, value)) }
        var merged = Node.Mapping(pairs)
        merged.mark = b.mark
        return .mapping(merged)
    }
}

/// A declared figure: which recipe draws it, from which runs, with what caption.
public struct FigureSpec: Sendable, Equatable, Codable {
    public var name: String
    public var kind: FigureKind
    public var runs: [String]
    public var caption: String
    /// For `fit`: the iterations to show (nearest recorded snapshots); empty = 4 evenly spaced.
    public var at: [Int]
    /// The file line of the `run:` key, for messages.
    public var line: Int
    /// Axis ranges, log axes, labels and the series on top, as the report asks (see `FigureOptions`).
    public var options = FigureOptions()
    /// For `curves`: what is plotted (nil: the loss).
    public var metric: CurveMetric?

    /// Why a figure of `kind` cannot be drawn from `run`, or nil when it can.
    static func cannotDraw(_ kind: FigureKind, metric: CurveMetric? = nil, from run: ExperimentSpec) -> String? {
        let isSines = run.task.kind == .sumOfSines && !run.task.frequencies.isEmpty
        let recordsTraining = run.method == .mlp || run.train.recordSnapshots == true
        switch kind {
        case .spectralEvolution:
            if !isSines { return "run '\(run.name)' has a \(run.task.kind) target; the heatmap shows the amplitudes at the frequencies of a sum_of_sines target" }
            if !recordsTraining {
                return "run '\(run.name)' (method \(run.method)) records nothing during training; write train.record_every to record it"
            }
        case .layerNorms:
            if run.method != .mlp || run.train.recordNorms != true {
                return "run '\(run.name)' does not record layer norms; write train.record_norms: true (method mlp)"
            }
        case .reconstruction:
            if run.task.kind != .image { return "run '\(run.name)' has a \(run.task.kind) target, not an image" }
            if run.method == .mlp { return "run '\(run.name)' is an mlp; reconstructions are drawn from methods with grades (sgdl, mgdl, ...)" }
        case .gradeSpectra:
            if run.method == .mlp { return "run '\(run.name)' is an mlp, which has no grades; use method sgdl for one network" }
            if run.task.kind == .image { return "run '\(run.name)' is an image task; grade spectra are 1-D" }
        case .fit:
            if run.task.kind == .image { return "run '\(run.name)' is an image task; use a reconstruction figure" }
        case .curves:
            if !recordsTraining {
                return "run '\(run.name)' (method \(run.method)) records nothing during training; write train.record_every to record its curves"
            }
            if metric == .psnr && run.task.kind != .image { return "run '\(run.name)' is not an image task; its metric is rse" }
            if metric == .rse && run.task.kind == .image { return "run '\(run.name)' is an image task; its metric is psnr" }
        case .loss, .validationLoss:
            break
        }
        return nil
    }

    static func read(_ node: Node, name: String, reader: SpecReader) -> FigureSpec? {
        guard let map = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        map.checkKeys(SpecSchema.keys("figure"))
        let kind: FigureKind? = map.choice("kind")
        let runs = map.runNames()
        let caption = map.string("caption", default: "") ?? ""
        var at: [Int] = []
        if let a = map["at"] { at = readIntList(a, map.path("at"), minimum: 0, reader: reader) ?? [] }
        let options = FigureOptions.read(map)
        var metric: CurveMetric?
        if map["metric"] != nil, let m: CurveMetric = map.choice("metric") {
            metric = m
            if kind != .curves { reader.report(map["metric"], map.path("metric"), "'metric' applies to a curves figure") }
        }
        guard let kind, !runs.isEmpty else { return nil }
        return FigureSpec(name: name, kind: kind, runs: runs, caption: caption, at: at,
                          line: reader.lineOffset + (map["run"]?.mark?.line ?? 1), options: options, metric: metric)
    }
}

/// What a `curves` figure plots over training.
public enum CurveMetric: String, Sendable, Codable, CaseIterable {
    /// Training loss at every step, validation and test loss (MSE) at the recorded steps.
    case loss
    /// Relative squared error on the training, validation and test sets.
    case rse
    /// PSNR (dB) on the training and test pixels (image tasks).
    case psnr
}

/// A declared table: our numbers for some runs, beside the published ones where given.
///
/// ```yaml
/// kind: rse                       # train / validation / test RSE, parameters, training time
/// run: [sgdl, mgdl]               # runs or swept experiments
/// caption: "..."
/// paper:                          # published values by run name, with the source
///   source: "Fang & Xu (2024), Table 1"
///   values: {mgdl--amplitudes-constant: {test: 1.0e-5}}
/// ```
public struct TableSpec: Sendable, Equatable, Codable {
    public var name: String
    public var kind: TableKind
    public var runs: [String]
    public var caption: String
    public var paperSource: String?
    /// run name -> metric (`train`, `validation`, `test`) -> published value
    public var paper: [String: [String: Double]]
    public var line: Int
    /// `grades: true`: a row per grade of every multi-grade run (RSE of the sum up to it, its
    /// time), a time column and the training settings; paper values by `RUN/grade-N`.
    public var grades: Bool = false
    /// `paper.profiles`: the published values apply only at these profiles (empty: at every one).
    public var paperProfiles: [String] = []

    static func read(_ node: Node, name: String, reader: SpecReader) -> TableSpec? {
        guard let map = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        map.checkKeys(SpecSchema.keys("table"))
        let kind: TableKind? = map.choice("kind")
        let runs = map.runNames()
        let grades = map.bool("grades", default: false)
        var source: String?
        var paper: [String: [String: Double]] = [:]
        var paperProfiles: [String] = []
        if let p = map["paper"], let pm = MappingReader(p, keyPath: map.path("paper"), reader: reader) {
            pm.checkKeys(["source", "values", "profiles"])
            if let p = pm["profiles"] {
                switch p {
                case .scalar(let s): paperProfiles = [s.string]
                case .sequence(let items): paperProfiles = items.compactMap(\.string)
                default: reader.report(p, pm.path("profiles"), "expected a profile name or a list of them, found \(p.kindDescription)")
                }
            }
            source = pm.string("source")
            if let v = pm["values"], let vm = MappingReader(v, keyPath: pm.path("values"), reader: reader) {
                for pair in vm.pairs {
                    guard let metrics = MappingReader(pair.value, keyPath: vm.path(pair.key), reader: reader) else { continue }
                    // Every kind's metrics are words of the format; a table shows its own kind's.
                    let names = TableKind.allCases.flatMap { $0.paperMetrics(grades: true) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                    metrics.checkKeys(names)
                    if let kind {
                        let own = kind.paperMetrics(grades: grades)
                        for pair in metrics.pairs where names.contains(pair.key) && !own.contains(pair.key) {
                            reader.report(pair.keyNode, metrics.path(pair.key),
                                          "a \(kind) table has no '\(pair.key)' column (its columns: \(own.joined(separator: ", ")))")
                        }
                    }
                    var values: [String: Double] = [:]
                    for metric in names where metrics[metric] != nil {
                        values[metric] = metrics.double(metric)
                    }
                    paper[pair.key] = values
                }
            }
        }
        guard let kind, !runs.isEmpty else { return nil }
        return TableSpec(name: name, kind: kind, runs: runs, caption: map.string("caption", default: "") ?? "",
                         paperSource: source, paper: paper, line: reader.lineOffset + (map["run"]?.mark?.line ?? 1), grades: grades,
                         paperProfiles: paperProfiles)
    }
}

extension MappingReader {
    /// `run:` of a figure or table: one experiment name or a list of them.
    func runNames() -> [String] {
        guard let run = required("run") else { return [] }
        switch run {
        case .scalar(let s): return [s.string]
        case .sequence(let items): return items.compactMap(\.string)
        default:
            reader.report(run, path("run"), "expected a run name or a list of names, found \(run.kindDescription)")
            return []
        }
    }
}
