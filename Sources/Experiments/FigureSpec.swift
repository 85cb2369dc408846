import Foundation
import Tasks
import Learning
import Numerics
import Yams

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
    /// For `function_spectra`: the declared functions of x on [0, 1), drawn without any training.
    public var functions: [DeclaredFunction]?
    /// For `function_spectra`: the grid size N (points k/N) the spectra are computed on.
    public var points: Int?
    /// For `fit`: each multi-grade run (MGDL, multi-stage) is shown after each of its grades
    /// (nil: not asked for; optional so that older encoded specs decode).
    public var grades: Bool?

    /// A function a `function_spectra` figure draws: a formula in x, its legend label, whether
    /// its line is dashed (drawn over the solid ones), and whether it is drawn as dots at its
    /// spectral lines instead of a line (over everything else: a truncation that coincides with
    /// the full spectrum at a few lines stays visible there).
    public struct DeclaredFunction: Sendable, Equatable, Codable {
        public var label: String
        public var formula: String
        public var dashed: Bool
        /// Drawn as dots at its lines (nil: a line; optional so that older encoded specs decode).
        public var dots: Bool?

        public init(label: String, formula: String, dashed: Bool = false, dots: Bool = false) {
            self.label = label; self.formula = formula; self.dashed = dashed; self.dots = dots ? true : nil
        }

        public var drawnAsDots: Bool { dots ?? false }
    }
    /// For `sweep_heatmap`: the metric coloured, and the sweep axes (dotted keys) along x and y.
    public var heatmapMetric: ClaimMetric? = nil
    public var xAxis: String? = nil
    public var yAxis: String? = nil

    /// For `curves`: one panel per run (nil, the default) or one per set with a line per run.
    public var panels: CurvePanels? = nil
    /// `spectral_evolution`: `own_steps: true` gives every panel its own iteration axis (runs
    /// of one budget train different numbers of steps); nil: one shared axis.
    public var ownSteps: Bool? = nil
    /// For `ntk`: the input mappings whose kernels are drawn, the network's hidden ReLU layers,
    /// and (in `points`) the samples of the kernel over one period.
    public var mappings: [KernelMapping]? = nil
    public var hiddenLayers: Int? = nil
    /// For `ntk_optimisation`: the protocol of Tancik et al.'s Fig. 5 (``AmplitudeOptimisationSpec``).
    public var optimisation: AmplitudeOptimisationSpec? = nil
    /// For `ntk_optimisation`, optional: the experiment blocks of networks trained on its held-out
    /// signals with each mapping, one per exponent in the order of `exponents` (their runs are
    /// also in `runs`); nil: the figure trains nothing.
    public var trained: [String]? = nil
    /// For `parameter_sweep`: the swept key on the x axis, the swept key whose values make the
    /// lines (nil: one line), and the run metric on the y axis.
    public var parameter: String? = nil
    public var series: String? = nil
    public var runMetric: ClaimMetric? = nil
    /// For `scatter`: runs drawn as horizontal reference lines at their metric (also in `runs`;
    /// `parameter` holds the declared `x`).
    public var references: [String]? = nil
    /// For `ntk_training`: the DFT bins of the training residual drawn, one panel each (nil:
    /// the train and test losses).
    public var bins: [Int]? = nil

    /// Why a `parameter_sweep` or `scatter` figure cannot be drawn from `run`, or nil when it can:
    /// the run must come from a sweep over `parameter` (numbers), or have the measured property
    /// (scatter), and be swept over `series`, when given. A scatter's reference runs need neither.
    func cannotSweep(_ run: ExperimentSpec) -> String? {
        guard kind == .parameterSweep || kind == .scatter, let parameter else { return nil }
        if kind == .scatter, references?.contains(run.name) == true { return nil }
        let values = run.sweepValues ?? [:]
        if kind == .scatter, let property = RunProperty(rawValue: parameter) {
            if property.value(of: run) == nil { return "run '\(run.name)' has no \(parameter): \(property.missing)" }
            if let series, values[series] == nil { return "run '\(run.name)' is not swept over '\(series)' (series)" }
            return nil
        }
        guard let x = values[parameter] else {
            let swept = values.keys.sorted()
            return "run '\(run.name)' is not swept over '\(parameter)'" + (swept.isEmpty ? " (it is not swept)" : " (its sweep keys: \(swept.joined(separator: ", ")))")
        }
        if Double(x) == nil { return "run '\(run.name)' has \(parameter) = \(x), not a number, so it has no place on the x axis" }
        if let series, values[series] == nil { return "run '\(run.name)' is not swept over '\(series)' (series)" }
        return nil
    }

    /// Why this figure cannot be drawn from `run`, or nil when it can: the kind's requirements
    /// (`cannotDraw(_:metric:from:)`), a sweep's (`cannotSweep`); a `reference` run of a
    /// `spectral_snapshots` figure only lends its target's spectrum, so it needs target
    /// frequencies (or kernel eigen-index bins) and nothing recorded.
    func cannotDraw(_ run: ExperimentSpec) -> String? {
        if kind == .spectralSnapshots, references?.contains(run.name) == true {
            if run.task.hasSpectrumFrequencies || run.task.kernelSpectrum != nil { return nil }
            return "reference run '\(run.name)' has a \(run.task.kind) target without target frequencies (a sum_of_sines task's, a delta_spike's declared ones) or a kernel_spectrum, so its target has no spectrum to draw"
        }
        return FigureSpec.cannotDraw(kind, metric: metric, from: run) ?? cannotSweep(run)
    }

    /// Why a figure of `kind` cannot be drawn from `run`, or nil when it can.
    static func cannotDraw(_ kind: FigureKind, metric: CurveMetric? = nil, from run: ExperimentSpec) -> String? {
        let isSines = run.task.hasSpectrumFrequencies
        let recordsTraining = run.method == .mlp || run.train.recordSnapshots == true
        switch kind {
        case .spectralEvolution, .spectralSnapshots:
            if !isSines && run.task.kernelSpectrum == nil {
                return "run '\(run.name)' has a \(run.task.kind) target; the \(kind == .spectralEvolution ? "heatmap" : "figure") shows the amplitudes at the frequencies of a sum_of_sines target (or a delta_spike's declared frequencies, or, on a dataset task with kernel_spectrum, the kernel's eigen-index bins)"
            }
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
        case .finalFits, .fitSpectra:
            if !run.task.kind.isSampledFunction {
                return "run '\(run.name)' has a \(run.task.kind) task; \(kind) draws predictions of a 1-D target on its grid"
            }
        case .plane:
            if run.train.plane == nil { return "run '\(run.name)' is not evaluated over the plane; write train.plane: {size: 64, extent: 1.6} (manifold tasks)" }
            if run.method == .mlp { return "run '\(run.name)' is an mlp; plane predictions are made by the other methods (sgdl, mgdl, ...)" }
        case .perturbation:
            if run.train.perturb == nil { return "run '\(run.name)' measures no perturbations; write train.perturb: {directions, max, deltas} (mlp)" }
        case .sweepHeatmap:
            if run.sweepAxes == nil { return "run '\(run.name)' is not part of a sweep; a sweep_heatmap shows a swept experiment over two of its axes" }
        case .curves:
            if !recordsTraining {
                return "run '\(run.name)' (method \(run.method)) records nothing during training; write train.record_every to record its curves"
            }
            if metric == .psnr && run.task.kind != .image { return "run '\(run.name)' is not an image task; its metric is rse" }
            if metric == .rse && run.task.kind == .image { return "run '\(run.name)' is an image task; its metric is psnr" }
        case .ntkTraining:
            if let reason = NTKTrainingTheory.unsupported(run) { return reason }
            if !recordsTraining {
                return "run '\(run.name)' (method \(run.method)) records nothing during training; write train.record_every to record its curves"
            }
        case .loss, .validationLoss, .functionSpectra, .ntk, .ntkOptimisation, .parameterSweep, .scatter:
            break
        }
        return nil
    }

    /// Why a `sweep_heatmap` cannot be drawn from the runs of its swept experiment, or nil: each
    /// run must have a number on both axes, no two runs (but repeats) may share a cell, and
    /// every run must have the metric.
    static func cannotDrawHeatmap(_ figure: FigureSpec, from specs: [ExperimentSpec]) -> String? {
        guard let xKey = figure.xAxis, let yKey = figure.yAxis, let metric = figure.heatmapMetric else { return nil }
        let axes = specs.first?.sweepAxes?.map(\.key) ?? []
        var cells: [String: String] = [:]
        for spec in specs {
            for key in [xKey, yKey] {
                guard let value = spec.sweepValue(key) else {
                    return "'\(key)' is not an axis of the sweep (its axes: \(axes.joined(separator: ", ")))"
                }
                if value.number == nil { return "the sweep's values of \(key) are not numbers ('\(value.text)')" }
            }
            let point = "\(spec.sweepValue(xKey)!.number!) \(spec.sweepValue(yKey)!.number!)"
            let series = spec.repeatOf ?? spec.name
            if let other = cells[point], other != series {
                let rest = axes.filter { $0 != xKey && $0 != yKey }
                return "runs '\(other)' and '\(series)' fall in one cell of (\(xKey), \(yKey))\(rest.isEmpty ? "" : ": the sweep has other axes (\(rest.joined(separator: ", "))); draw a sweep over two axes")"
            }
            cells[point] = series
            if let reason = metric.unavailable(for: spec) { return "run '\(spec.name)' has no \(metric.words): \(reason)" }
        }
        return nil
    }

    /// Reads a figure block at `profile`: its `profiles.<profile>` overlay (any key but `kind`)
    /// deep-merged onto it first, as an experiment's. Every overlay is checked, not only the one
    /// applied, so a typo in the paper overlay is an error at quick too. Returns the figure and
    /// the profiles its overlays name.
    static func read(_ node: Node, name: String, profile: String, reader: SpecReader) -> (FigureSpec?, [String]) {
        guard case .mapping(let top) = node, let profiles = top["profiles"] else { return (read(node, name: name, reader: reader), []) }
        let path = "\(name).profiles"
        guard let map = MappingReader(profiles, keyPath: path, reader: reader) else { return (nil, []) }
        var named: [String] = []
        let allowed = SpecSchema.keys("figure").filter { $0 != "profiles" && $0 != "kind" }
        for pair in map.pairs {
            named.append(pair.key)
            guard let overlay = MappingReader(pair.value, keyPath: map.path(pair.key), reader: reader) else { continue }
            if let kind = overlay["kind"] {
                reader.report(kind, overlay.path("kind"), "a profile does not change a figure's kind; declare another figure")
            }
            overlay.checkKeys(allowed + ["kind"])
        }
        // Each profile's figure, read on its own: its problems are reported once (an unknown
        // key of an overlay is reported above, at the overlay's path), tagged when not this profile's.
        var figure: FigureSpec?
        let applied = map[profile] == nil ? [(profile, Node.mapping(Node.Mapping([])))] : []
        for (key, overlay) in map.pairs.map({ ($0.key, $0.value) }) + applied {
            let own = SpecReader(file: reader.file, lineOffset: reader.lineOffset)
            let read = read(ExperimentSpec.merge(node, overlay), name: name, reader: own)
            if key == profile { figure = read }
            for problem in own.problems where !reader.problems.contains(where: { $0.line == problem.line && $0.column == problem.column }) {
                reader.add(key == profile ? problem : SpecProblem(file: problem.file, line: problem.line, column: problem.column, keyPath: problem.keyPath,
                                                                  message: problem.message + " (with profile '\(key)')"))
            }
        }
        return (figure, named)
    }

    static func read(_ node: Node, name: String, reader: SpecReader) -> FigureSpec? {
        guard let map = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        map.checkKeys(SpecSchema.keys("figure"))
        let kind: FigureKind? = map.choice("kind")
        let trainsNothing = kind?.trainsNothing ?? false
        let drawsFunctions = kind == .functionSpectra
        if trainsNothing, map["run"] != nil {
            reader.report(map["run"], map.path("run"), "a \(kind!.rawValue) figure is computed from its declaration and trains nothing: it names no run")
        }
        let runs = trainsNothing ? [] : map.runNames()
        var mappings: [KernelMapping] = []
        var hiddenLayers: Int?, kernelPoints: Int?
        if kind == .ntk {
            if let list = map.required("mappings") {
                if case .sequence(let items) = list, !items.isEmpty {
                    for (i, item) in items.enumerated() {
                        let path = "\(map.path("mappings"))[\(i)]"
                        guard let features = ExperimentSpec.FeatureSpec.read(item, keyPath: path, reader: reader, extra: ["label"]) else { continue }
                        if features.kind == .ntkOptimised {
                            reader.report(item, path, "an ntk figure draws declared mappings; ntk_optimised amplitudes are drawn by their ntk_optimisation figure (panel a)")
                            continue
                        }
                        let fallback = KernelMapping.defaultLabel(features)
                        let label = MappingReader(item, keyPath: path, reader: SpecReader(file: reader.file, lineOffset: reader.lineOffset))?
                            .string("label", default: fallback) ?? fallback
                        mappings.append(KernelMapping(label: label, features: features))
                    }
                    if Set(mappings.map(\.label)).count != mappings.count {
                        reader.report(list, map.path("mappings"), "two mappings have one label; give each a different 'label'")
                    }
                } else {
                    reader.report(list, map.path("mappings"), "expected a list of input mappings, e.g. [{kind: none}, {kind: power_falloff, exponent: 1, count: 16}]")
                }
            }
            hiddenLayers = map.int("hidden_layers", default: 3, minimum: 1)
            kernelPoints = map.int("points", default: 256, minimum: 8)
            if let h = hiddenLayers, h > 100 { reader.report(map["hidden_layers"], map.path("hidden_layers"), "at most 100 hidden layers, found \(h)") }
            if let p = kernelPoints, p > 65_536 { reader.report(map["points"], map.path("points"), "at most 65,536 samples, found \(p)") }
        } else {
            for key in ["mappings", "hidden_layers"] where map[key] != nil && !(key == "hidden_layers" && kind == .ntkOptimisation) {
                reader.report(map[key], map.path(key), "'\(key)' applies to an ntk\(key == "hidden_layers" ? " or ntk_optimisation" : "") figure")
            }
        }
        var optimisation: AmplitudeOptimisationSpec?
        var trained: [String]?
        if kind == .ntkOptimisation {
            optimisation = AmplitudeOptimisationSpec.read(map)
            if let node = map["trained"] {
                if case .sequence(let items) = node, !items.isEmpty, items.allSatisfy({ $0.string.map(ReportLoader.isSafeName) ?? false }) {
                    trained = items.compactMap(\.string)
                    if let o = optimisation, trained!.count != o.exponents.count {
                        reader.report(node, map.path("trained"), "give one experiment per exponent (\(o.exponents.count): \(o.exponents.map { ClaimCheck.number($0) }.joined(separator: ", "))), in that order; found \(trained!.count)")
                        trained = nil
                    } else if Set(trained!).count != trained!.count {
                        reader.report(node, map.path("trained"), "an experiment is listed twice")
                        trained = nil
                    }
                } else {
                    reader.report(node, map.path("trained"), "expected a list of experiment names, one per exponent, e.g. [trained-a1, trained-a15, trained-a2]")
                }
            }
        } else {
            if map["trained"] != nil { reader.report(map["trained"], map.path("trained"), "'trained' applies to an ntk_optimisation figure") }
            for key in AmplitudeOptimisationSpec.keys where map[key] != nil {
                reader.report(map[key], map.path(key), "'\(key)' applies to an ntk_optimisation figure")
            }
        }
        var panels: CurvePanels?
        if map["panels"] != nil, let p: CurvePanels = map.choice("panels") {
            panels = p == .runs ? nil : p
            if kind != .curves { reader.report(map["panels"], map.path("panels"), "'panels' applies to a curves figure") }
        }
        var bins: [Int]?
        if let node = map["bins"] {
            if kind != .ntkTraining {
                reader.report(node, map.path("bins"), "'bins' applies to an ntk_training figure")
            } else if let list = readIntList(node, map.path("bins"), minimum: 0, reader: reader) {
                if list.isEmpty || list.count > 8 { reader.report(node, map.path("bins"), "give 1 to 8 DFT bins, e.g. [1, 5, 15]") } else { bins = list }
            }
        }
        let caption = map.string("caption", default: "") ?? ""
        var functions: [DeclaredFunction] = []
        var points: Int?
        if drawsFunctions {
            functions = readFunctions(map)
            points = map.int("points", default: 1024, minimum: 8)
            if let n = points, n > 1 << 22 { reader.report(map["points"], map.path("points"), "at most \(1 << 22) points"); points = nil }
        } else {
            for key in ["functions", "points"] where map[key] != nil && !(key == "points" && (kind == .ntk || kind == .ntkOptimisation)) {
                reader.report(map[key], map.path(key), "'\(key)' applies to a function_spectra\(key == "points" ? ", ntk or ntk_optimisation" : "") figure")
            }
        }
        let grades = map.bool("grades", default: false)
        let ownSteps = map.bool("own_steps", default: false)
        if ownSteps, kind != .spectralEvolution { reader.report(map["own_steps"], map.path("own_steps"), "'own_steps' applies to a spectral_evolution figure") }
        if grades, kind != .fit { reader.report(map["grades"], map.path("grades"), "'grades' applies to a fit figure") }
        var at: [Int] = []
        if let a = map["at"] { at = readIntList(a, map.path("at"), minimum: 0, reader: reader) ?? [] }
        if kind == .spectralSnapshots {
            // The iterations are the figure (one curve each): required, at most 10, each once.
            if let node = map.required("at"), !at.isEmpty {
                if at.count > 10 {
                    reader.report(node, map.path("at"), "give at most 10 iterations (one curve each), e.g. [0, 40, 200, 300, 400, 600]; found \(at.count)")
                } else if Set(at).count != at.count {
                    reader.report(node, map.path("at"), "each iteration once: \(at.map(String.init).joined(separator: ", ")) repeats one")
                }
            }
        }
        let options = FigureOptions.read(map)
        var metric: CurveMetric?
        var heatmapMetric: ClaimMetric?
        var xAxis: String?, yAxis: String?
        var runMetric: ClaimMetric?, parameter: String?, series: String?, references: [String]?
        if kind == .sweepHeatmap {
            heatmapMetric = map.choice("metric")
            xAxis = map.string("x")
            yAxis = map.string("y")
            if let x = xAxis, x == yAxis { reader.report(map["y"], map.path("y"), "x and y must be two different sweep axes, both are '\(x)'") }
            if runs.count > 1 { reader.report(map["run"], map.path("run"), "a sweep_heatmap shows one swept experiment, found \(runs.count) names") }
        } else if kind == .parameterSweep || kind == .scatter {
            runMetric = map.choice("metric")
            parameter = map.string(kind == .scatter ? "x" : "parameter")
            series = map["series"] == nil ? nil : map.string("series")
        } else {
            if map["metric"] != nil, let m: CurveMetric = map.choice("metric") {
                metric = m
                if kind != .curves { reader.report(map["metric"], map.path("metric"), "'metric' applies to a curves, parameter_sweep or scatter figure") }
            }
            for key in ["parameter", "series"] where map[key] != nil {
                reader.report(map[key], map.path(key), "'\(key)' applies to a parameter_sweep\(key == "series" ? " or scatter" : "") figure")
            }
        }
        if kind == .scatter, map["parameter"] != nil {
            reader.report(map["parameter"], map.path("parameter"), "a scatter figure names its x axis with 'x' (a swept key or frequency_std)")
        }
        if kind == .scatter || kind == .spectralSnapshots {
            if let node = map["reference"] {
                switch node {
                case .scalar(let s): references = [s.string]
                case .sequence(let items) where !items.isEmpty && items.allSatisfy({ $0.string != nil }): references = items.compactMap(\.string)
                default: reader.report(node, map.path("reference"), "expected a run name or a list of run names")
                }
            }
        } else {
            if map["reference"] != nil { reader.report(map["reference"], map.path("reference"), "'reference' applies to a scatter or spectral_snapshots figure") }
        }
        if kind != .sweepHeatmap {
            for key in ["x", "y"] where map[key] != nil && !(key == "x" && kind == .scatter) {
                reader.report(map[key], map.path(key), "'\(key)' (a sweep axis) applies to a sweep_heatmap\(key == "x" ? " or scatter" : "") figure")
            }
        }
        guard let kind, !runs.isEmpty || (drawsFunctions && !functions.isEmpty) || kind == .ntk || optimisation != nil else { return nil }
        var spec = FigureSpec(name: name, kind: kind, runs: (trained ?? runs) + (references ?? []).filter { !runs.contains($0) }, caption: caption, at: at,
                              line: reader.lineOffset + (map["run"]?.mark?.line ?? map["trained"]?.mark?.line ?? map["kind"]?.mark?.line ?? 1),
                              options: options, metric: metric)
        spec.trained = trained
        spec.functions = drawsFunctions ? functions : nil
        spec.points = drawsFunctions ? points : (kind == .ntk ? kernelPoints : nil)
        spec.grades = grades ? true : nil
        spec.panels = panels
        spec.ownSteps = ownSteps ? true : nil
        spec.mappings = kind == .ntk ? mappings : nil
        spec.hiddenLayers = hiddenLayers
        spec.optimisation = optimisation
        spec.parameter = parameter
        spec.series = series
        spec.runMetric = runMetric
        spec.heatmapMetric = heatmapMetric
        spec.xAxis = xAxis
        spec.yAxis = yAxis
        spec.references = references
        spec.bins = bins
        return spec
    }

    /// `functions:` a list of `{label, formula, dashed, dots}` (formulas in x, parsed now: a bad one is
    /// reported at its column).
    static func readFunctions(_ map: MappingReader) -> [DeclaredFunction] {
        let reader = map.reader
        guard let node = map.required("functions") else { return [] }
        guard case .sequence(let items) = node, !items.isEmpty else {
            reader.report(node, map.path("functions"), "expected a list of functions, e.g. [{label: \"f\", formula: \"cos(8*sin(6*pi*x))\"}]")
            return []
        }
        if items.count > 32 {
            reader.report(node, map.path("functions"), "at most 32 functions in one figure")
            return []
        }
        var functions: [DeclaredFunction] = []
        for (i, item) in items.enumerated() {
            let path = "\(map.path("functions"))[\(i)]"
            guard let entry = MappingReader(item, keyPath: path, reader: reader) else { continue }
            entry.checkKeys(["label", "formula", "dashed", "dots"])
            guard let formula = entry.string("formula") else { continue }
            if Limits.rejects(formula: formula, at: entry["formula"], entry.path("formula"), reader: reader) { continue }
            do { _ = try Formula(formula, variables: ["x"]) } catch let error as FormulaError {
                reader.report(entry["formula"], entry.path("formula"), "cannot parse the formula: \(error.message) at column \(error.column)\n\(error.source)\n\(error.caretLine)")
                continue
            } catch {
                reader.report(entry["formula"], entry.path("formula"), "cannot parse the formula: \(error)")
                continue
            }
            functions.append(DeclaredFunction(label: entry.string("label", default: formula) ?? formula, formula: formula,
                                              dashed: entry.bool("dashed", default: false),
                                              dots: entry.bool("dots", default: false)))
        }
        return functions.count == items.count ? functions : []
    }
}

/// A property measured on a run's declaration that a `scatter` figure can put on its x axis.
public enum RunProperty: String, Sendable, CaseIterable {
    /// √(mean b²) of the input mapping's frequency matrix B (Tancik et al.'s Fig. 4: "the standard
    /// deviation of the sampled frequencies"; the draws have mean zero).
    case frequencyStd = "frequency_std"

    /// The property of `run`, nil when it has none.
    public func value(of run: ExperimentSpec) -> Double? {
        switch self {
        case .frequencyStd: return run.features.mapping.frequencyRMS(inputWidth: 1)
        }
    }

    /// Why a run may lack it.
    var missing: String {
        switch self {
        case .frequencyStd: return "it has no input mapping with frequencies (features.kind none)"
        }
    }
}

/// How a `curves` figure lays out its lines.
public enum CurvePanels: String, Sendable, Codable, CaseIterable {
    /// One panel per run, with its training, validation and test curves (the default).
    case runs
    /// One panel per set (training, validation, test), with one line per run: runs compared.
    case sets
}

/// One input mapping of an `ntk` figure and its legend label.
public struct KernelMapping: Sendable, Equatable, Codable {
    public var label: String
    public var features: ExperimentSpec.FeatureSpec

    /// Θ(γ(x), γ(y)): the analytic NTK of a ReLU MLP with `hiddenLayers` hidden layers
    /// (``ReLUNeuralTangentKernel``, He-scaled, no biases) behind this mapping of scalar inputs.
    public func kernel(_ x: Double, _ y: Double, hiddenLayers: Int) -> Double {
        let mapped = features.mapping.apply(Matrix<Double>(rows: 2, cols: 1, values: [x, y])).values
        let width = mapped.count / 2
        return ReLUNeuralTangentKernel.kernel(Array(mapped[0..<width]), Array(mapped[width...]), hiddenLayers: hiddenLayers)
    }

    /// Whether the composed kernel depends on x − y alone (every Fourier mapping; not `none`).
    public var isStationary: Bool { features.kind != .none }

    /// "no mapping", "basic", "p = 1", "gaussian σ = 10".
    static func defaultLabel(_ f: ExperimentSpec.FeatureSpec) -> String {
        switch f.kind {
        case .none: return "no mapping"
        case .powerFalloff: return f.infiniteExponent == true ? "p = ∞" : "p = \(String(format: "%g", f.exponent ?? 0))"
        case .ntkOptimised: return "optimised for α = \(String(format: "%g", f.exponent ?? 0))"
        case .gaussian, .positional, .positionalPowers, .uniform, .uniformLog, .laplacian: return "\(f.kind.rawValue) σ = \(String(format: "%g", f.scale))"
        case .basic: return "basic"
        }
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
