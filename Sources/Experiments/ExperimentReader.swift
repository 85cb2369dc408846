import Foundation
import Yams

/// Reads an ```` ```experiment NAME ```` block into its runs: the profile's overlay, the sweep's
/// points, `-S` overrides and repeats, then each run's sections (`TaskReader`, `ModelReader`,
/// `TrainReader`).
extension ExperimentSpec {
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
        let (overlaid, applied) = applyProfile(profile, to: root, top: top)
        let node = removing(["profiles", "sweep"], from: overlaid)
        let points = sweepNode(root, profile: applied).map { Sweep.points($0, keyPath: top.path("sweep"), reader: reader) } ?? [[]]
        var specs: [ExperimentSpec] = []
        var seedsReported = false
        for (point, description) in zip(points, describe(points, block: name)) {
            var n = node
            for assignment in point where assignment.path != ["name"] { n = Sweep.set(n, path: assignment.path, to: assignment.value, keyMark: assignment.keyMark) }
            let mine = overrides.filter { $0.experiment == nil || $0.experiment == name }
            for o in mine {
                let path = o.path(in: n)
                n = Sweep.set(n, path: path, to: o.value)
                if path.count == 2, path[0] == "train" { n = keepingOneLength(n, written: path[1]) }
            }
            let copies = repeatCount(n, points: points.count, path: top.path("repeat"), reader: specs.isEmpty ? reader : nil)
            let before = reader.problems.count
            let read = readOne(n, name: name, reader: reader, baseDirectory: baseDirectory)
            reader.blame(mine, in: n, since: before, block: name)  // a bad -S value is the command line's fault
            guard var spec = read else { continue }
            // Once per block: the first sweep point whose copies' seeds overflow.
            if copies > 1, !seedsReported, case .mapping(let m) = n, let problem = repeatedSeedProblem(spec, copies: copies) {
                reader.report(m["repeat"], top.path("repeat"), problem)
                seedsReported = true
            }
            spec.name = description.name
            spec.group = name
            spec.label = description.label
            let axes = point.filter { $0.path != ["name"] }
            spec.sweepValues = axes.isEmpty ? nil
                : Dictionary(axes.map { ($0.path.joined(separator: "."), Sweep.text($0.value)) }, uniquingKeysWith: { _, last in last })
            spec.profile = applied
            spec.sweepAxes = sweepAxes(point)
            specs += repeated(spec, copies: copies)
        }
        return specs
    }

    /// A sweep point's value on each axis but `name`; nil without a sweep. A value is a number
    /// when it is one, or a list of one number (`frequencies: [50]`).
    private static func sweepAxes(_ point: [Sweep.Assignment]) -> [ExperimentSpec.SweepValue]? {
        guard !point.isEmpty else { return nil }
        return point.filter { $0.path != ["name"] }.map { assignment in
            var node = assignment.value
            if case .sequence(let items) = node, items.count == 1 { node = items[0] }
            var number: Double?
            if case .scalar = node { number = node.int.map(Double.init) ?? node.float }
            return ExperimentSpec.SweepValue(key: assignment.path.joined(separator: "."), text: Sweep.label(assignment.value), number: number)
        }
    }

    /// The block with the profile's overlay merged onto it (profiles are overlays merged onto the
    /// block before it is read), and the profile applied ("" when the block declares none for it).
    private static func applyProfile(_ profile: String, to root: Node, top: MappingReader) -> (Node, String) {
        let reader = top.reader
        guard let profiles = top["profiles"], let map = MappingReader(profiles, keyPath: top.path("profiles"), reader: reader) else {
            return (root, "")
        }
        for pair in map.pairs {
            if case .mapping = pair.value {} else {
                reader.report(pair.value, map.path(pair.key), "a profile is a mapping of keys to override, found \(pair.value.kindDescription)")
            }
        }
        guard let overlay = map[profile] else { return (root, "") }
        if let o = MappingReader(overlay, keyPath: map.path(profile), reader: reader) { o.checkKeys(topKeys + ["sweep"]) }
        var merged = merge(root, overlay)
        if case .mapping(let o) = overlay, case .mapping(let train) = o["train"] ?? Node("") {
            for key in train.keys.compactMap(\.string) { merged = keepingOneLength(merged, written: key) }
        }
        return (merged, profile)
    }

    /// The training length is one setting written two ways, `flop_budget` or `steps`/`epochs`:
    /// a later overlay (profile, `-S`) that writes one of them replaces the other.
    private static func keepingOneLength(_ node: Node, written key: String) -> Node {
        let lengths = ["steps", "epochs"]
        guard key == "flop_budget" || lengths.contains(key),
              case .mapping(var top) = node, case .mapping(let train) = top["train"] ?? Node("") else { return node }
        let drop = key == "flop_budget" ? lengths : ["flop_budget"]
        top["train"] = removing(drop, from: .mapping(train))
        return .mapping(top)
    }

    /// The sweep: the profile's own, if it declares one, else the block's.
    private static func sweepNode(_ root: Node, profile applied: String) -> Node? {
        guard case .mapping(let m) = root else { return nil }
        if applied.isEmpty { return m["sweep"] }
        if case .mapping(let p) = m["profiles"] ?? Node(""), case .mapping(let o) = p[applied] ?? Node(""), let s = o["sweep"] { return s }
        return m["sweep"]
    }

    /// Runs are named and labelled by their scalar sweep values (`method = mgdl`); values that are
    /// lists or mappings (a model) are left out unless the names would then collide.
    private static func describe(_ points: [[Sweep.Assignment]], block name: String) -> [(name: String, label: String)] {
        func describe(_ point: [Sweep.Assignment], all: Bool) -> (name: String, label: String) {
            // A sweep axis called `name` names its points itself (`zip: {name: [a, b], ...}`); with
            // a grid beside it, the grid's values come first in the run's name (`text--seed-3--none`)
            // and the label stays the name's value, which the grid's points share (`group: label`,
            // and the claims' `BLOCK--LABEL`).
            if let named = point.first(where: { $0.path == ["name"] }) {
                let text = Sweep.label(named.value)
                let grid = point.filter { assignment in
                    guard assignment.fromGrid else { return false }
                    if all { return true }
                    if case .scalar = assignment.value { return true } else { return false }
                }
                let prefix = grid.map { "\($0.path.last!)-\(Sweep.label($0.value))--" }.joined()
                return ("\(name)--\(prefix)\(text)", text)
            }
            let shown = all ? point : point.filter { if case .scalar = $0.value { return true } else { return false } }
            let name = shown.isEmpty ? name : name + "--" + shown.map { "\($0.path.last!)-\(Sweep.label($0.value))" }.joined(separator: "--")
            let label = shown.map { "\($0.path.last!) = \(Sweep.label($0.value))" }.joined(separator: ", ")
            return (name, label)
        }
        let short = points.map { describe($0, all: false) }
        return Set(short.map(\.name)).count == short.count ? short : points.map { describe($0, all: true) }
    }

    /// `repeat: N` (1 without it); its problems are reported once, for the first point (`reader`
    /// nil for the others).
    private static func repeatCount(_ node: Node, points: Int, path: String, reader: SpecReader?) -> Int {
        guard case .mapping(let m) = node, let r = m["repeat"] else { return 1 }
        let quiet = SpecReader(file: "", lineOffset: 0)
        let copies = readInt(r, path, minimum: 1, reader: reader ?? quiet) ?? 1
        return Limits.sweepFits(points, copies, r, path, reader: reader ?? quiet) ? copies : 1
    }

    /// The seeds of the last of `copies` copies must still be seeds a declaration can state (a run
    /// page shows them, and a report may copy them): at most 2^63 − 1, and below 2^32 for NumPy's
    /// phases. nil when they are.
    private static func repeatedSeedProblem(_ spec: ExperimentSpec, copies: Int) -> String? {
        let last = UInt64(copies - 1)
        let seeds: [(String, UInt64?, UInt64)] = [
            ("seed", spec.seed, UInt64(Int.max)),
            ("task.phases.seed", spec.task.phaseSeed, spec.task.generator == .numpy ? UInt64(UInt32.max) : UInt64(Int.max)),
            ("task.noise_seed", spec.task.noiseSeed, UInt64(Int.max)),
        ]
        if spec.task.kind == .powerLawEnsemble, let signals = spec.task.signals, (spec.task.signal ?? 0) + copies > signals {
            return "the \(copies) copies fit signals \(spec.task.signal ?? 0) to \((spec.task.signal ?? 0) + copies - 1) of the ensemble, which has \(signals) (task.signals)"
        }
        for (key, seed, largest) in seeds {
            guard let seed else { continue }
            if seed > largest || largest - seed < last {
                return "the \(copies) copies take \(key) \(seed) to \(seed) + \(last), above the largest \(key) \(largest); lower \(key) or repeat"
            }
        }
        return nil
    }

    /// `repeat: N`: N copies with seeds seed, seed + 1, ... (and phase seeds, where drawn, and
    /// noise seeds: each copy of a random signal's task fits a signal of its own).
    private static func repeated(_ spec: ExperimentSpec, copies: Int) -> [ExperimentSpec] {
        guard copies > 1 else { return [spec] }
        return (0..<copies).map { index in
            var copy = spec
            copy.name = "\(spec.name)--repeat-\(index + 1)"
            copy.seed = spec.seed &+ UInt64(index)
            if let phaseSeed = spec.task.phaseSeed { copy.task.phaseSeed = phaseSeed &+ UInt64(index) }
            if spec.task.kind == .powerLawEnsemble {
                // One ensemble, drawn and normalised whole: each copy fits the next of its signals.
                copy.task.signal = (spec.task.signal ?? 0) + index
            } else if let noiseSeed = spec.task.noiseSeed { copy.task.noiseSeed = noiseSeed &+ UInt64(index) }
            copy.repeatOf = spec.name
            copy.repeatIndex = index
            copy.repeatCount = copies
            return copy
        }
    }

    static func removing(_ keys: [String], from node: Node) -> Node {
        guard case .mapping(let m) = node else { return node }
        var out = Node.Mapping(m.filter { !keys.contains($0.key.string ?? "") }.map { ($0.key, $0.value) })
        out.mark = m.mark
        return .mapping(out)
    }

    /// One run's declaration (overlays applied): its method and seed, then each section.
    static func readOne(_ node: Node, name: String, reader: SpecReader, baseDirectory: URL?) -> ExperimentSpec? {
        guard let spec = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        spec.checkKeys(topKeys)
        let method = spec.choice("method", default: MethodKind.mlp) ?? .mlp
        let seed = spec.int("seed", default: 0, minimum: 0) ?? 0
        var task: TaskSpec?
        var inputHashes: [String: String] = [:]
        if let taskNode = spec.required("task"), let t = MappingReader(taskNode, keyPath: spec.path("task"), reader: reader) {
            let taskReader = TaskReader(t, baseDirectory: baseDirectory)
            task = taskReader.read()
            inputHashes = taskReader.inputHashes
            if let task { checkTask(task, of: method, at: taskNode, spec.path("task"), reader: reader) }
        }
        let features = spec["features"].map { ModelReader.features($0, keyPath: spec.path("features"), method: method, reader: reader) }
            ?? FeatureSpec(kind: .none, scale: 1, count: 0, seed: 0)
        var model: ModelSpec?
        if let modelNode = spec.required("model"), let m = MappingReader(modelNode, keyPath: spec.path("model"), reader: reader) {
            model = ModelReader(m: m, method: method).read()
        }
        var train: TrainSpec?
        if let trainNode = spec.required("train"), let r = MappingReader(trainNode, keyPath: spec.path("train"), reader: reader) {
            train = TrainReader(r: r, method: method).read(task: task, model: model)
        }
        guard let task, let model, let train else { return nil }
        var result = ExperimentSpec(name: name, method: method, seed: UInt64(seed), task: task, model: model,
                                    train: train, profile: "", group: name, label: "", features: features)
        result.inputHashes = inputHashes
        result.baseDirectory = baseDirectory?.path ?? ""
        if let budget = train.flopBudget {
            guard let length = TrainingFLOPs.length(for: budget, result) else {
                let (fixed, perUnit) = TrainingFLOPs.split(result)
                reader.report(spec["train"]?.mapping?["flop_budget"] ?? node, spec.path("train") + ".flop_budget",
                              String(format: "a budget of %.4g FLOPs does not pay for one %@ of this run (%.4g FLOPs, plus %.4g spent once)",
                                     budget, method.lengthKey == "steps" ? "step" : "epoch", perUnit, fixed))
                return nil
            }
            result.train.steps = length
            result.train.grades = result.train.grades.map { $0.map { var g = $0; g.steps = length; return g } }
        }
        Limits.check(result, node: node, name: name, reader: reader)  // sizes and memory, before anything is allocated
        return result
    }

    /// What `mlp` (one network on a 1-D grid) and `phase_shift` (bands of a 1-D regression
    /// target) cannot fit.
    private static func checkTask(_ task: TaskSpec, of method: MethodKind, at node: Node, _ path: String, reader: SpecReader) {
        if method == .phaseShift && (task.inputDimension != 1 || task.kind == .dataset || task.targets != nil) {
            reader.report(node, path, "method 'phase_shift' (PhaseDNN) splits a 1-D regression target into frequency bands; it does not take images, manifolds, datasets or classes")
        }
        guard method == .mlp else { return }
        if task.inputDimension != 1 || task.kind == .dataset {
            reader.report(node, path, "method 'mlp' fits 1-D targets only; use sgdl (the same network) for images, manifolds and datasets")
        } else if task.targets != nil || task.noise != nil {
            reader.report(node, path, "method 'mlp' regresses the target on its grid; use sgdl (the same network) for classification targets and label noise")
        }
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
