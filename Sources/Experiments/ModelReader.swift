import Foundation
import Learning
import Yams

/// Reads an experiment's `model:` section for its method, and its `features:` section.
struct ModelReader {
    let m: MappingReader
    let method: MethodKind
    var reader: SpecReader { m.reader }

    /// The model, or nil when a key the method cannot do without is missing or invalid.
    func read() -> ExperimentSpec.ModelSpec? {
        let allowed = ExperimentSpec.modelKeys(of: method)
        let methodKeys = MethodKind.allCases.flatMap(ExperimentSpec.modelKeys(of:))
        for pair in m.pairs where !allowed.contains(pair.key) && methodKeys.contains(pair.key) {
            reader.report(pair.keyNode, m.path(pair.key), "'\(pair.key)' does not apply to method '\(method)', which takes: \(allowed.joined(separator: ", "))")
        }
        m.checkKeys(SpecSchema.keys("experiment.model"))
        var model = ExperimentSpec.ModelSpec(widths: [], hidden: [], grades: [], scales: [], stages: 0,
                                             activation: .relu, initializer: .pytorchDefault)
        let ok: Bool
        switch method {
        case .mlp: ok = readMLP(into: &model)
        case .mgdl: ok = readGrades(into: &model)
        case .mscale, .mscaleGroups: ok = readMscale(into: &model)
        case .adaptiveActivation:
            let hidden = m.intList("hidden", minimum: 1)
            model.hidden = hidden ?? []
            model.activation = m.string("activation", default: Activation.tanh.rawValue, oneOf: Activation.adaptiveChoices.map(\.rawValue))
                .flatMap(Activation.init(rawValue:)) ?? .tanh
            model.factor = m.double("factor", default: 10, positive: true) ?? 10
            ok = hidden != nil
        case .phaseShift:
            let hidden = m.intList("hidden", minimum: 1)
            model.hidden = hidden ?? []
            model.activation = m.string("activation", default: Activation.relu.rawValue, oneOf: Activation.adaptiveChoices.map(\.rawValue))
                .flatMap(Activation.init(rawValue:)) ?? .relu
            model.bands = m.int("bands", minimum: 1)
            model.bandWidth = m.double("band_width", positive: true)
            ok = hidden != nil && model.bands != nil && model.bandWidth != nil
        case .multistage:
            let hidden = m.intList("hidden", minimum: 1)
            let stages = m.int("stages", minimum: 1)
            model.hidden = hidden ?? []
            model.stages = stages ?? 0
            ok = hidden != nil && stages != nil
        case .sgdl:
            let hidden = m.intList("hidden", minimum: 1)
            model.hidden = hidden ?? []
            ok = hidden != nil
        }
        let initializer = m.choice("init", default: method == .mgdl ? Initializer.glorotNormal : .pytorchDefault)
        if method == .sgdl, m["output"] != nil, let chosen = m.choice("output", default: ExperimentSpec.OutputActivation.identity), chosen != .identity {
            model.output = chosen
        }
        guard ok, let initializer else { return nil }
        model.initializer = initializer
        return model
    }

    /// `widths` from input to output (1-D: they start and end with 1) and the hidden activation.
    private func readMLP(into model: inout ExperimentSpec.ModelSpec) -> Bool {
        var ok = true
        let widths = m.intList("widths", minimum: 1) ?? { ok = false; return [] }()
        if ok && widths.count < 2 {
            reader.report(m["widths"], m.path("widths"), "expected at least an input and an output width, found \(widths.count) width"); ok = false
        }
        if ok && (widths.first != 1 || widths.last != 1) {
            reader.report(m["widths"], m.path("widths"), "a 1-D task has 1 input and 1 output: widths must start and end with 1, found \(widths)"); ok = false
        }
        model.widths = widths
        model.activation = m.string("activation", default: Activation.relu.rawValue, oneOf: Activation.mlpChoices.map(\.rawValue))
            .flatMap(Activation.init(rawValue:)) ?? .relu
        return ok
    }

    /// `grades`: the hidden widths of each grade.
    private func readGrades(into model: inout ExperimentSpec.ModelSpec) -> Bool {
        guard let g = m.required("grades") else { return false }
        guard case .sequence(let items) = g, !items.isEmpty else {
            reader.report(g, m.path("grades"), "expected a list of grades, each a list of hidden widths, e.g. [[256, 256], [256, 256]]")
            return false
        }
        var ok = true
        for (i, item) in items.enumerated() {
            if let list = readIntList(item, "\(m.path("grades"))[\(i)]", minimum: 1, reader: reader) { model.grades.append(list) } else { ok = false }
        }
        return ok
    }

    /// `hidden`, the input `scales` and MscaleDNN's activation (srelu or s2relu).
    private func readMscale(into model: inout ExperimentSpec.ModelSpec) -> Bool {
        var ok = true
        model.hidden = m.intList("hidden", minimum: 1) ?? { ok = false; return [] }()
        if let list = m.required("scales"), case .sequence(let items) = list {
            model.scales = items.enumerated().compactMap { readDouble($1, "\(m.path("scales"))[\($0)]", positive: true, reader: reader) }
            if method == .mscaleGroups, let first = model.hidden.first, items.count > first {
                reader.report(list, m.path("scales"), "\(items.count) scale groups need at least \(items.count) units in the first hidden layer, which has \(first)"); ok = false
            }
        } else { ok = false }
        model.activation = (m.choice("activation", default: MscaleActivation.s2ReLU) ?? .s2ReLU).activation
        return ok
    }

    /// `features:` (Tancik et al.): an input mapping in front of any method but `mlp`.
    static func features(_ node: Node, keyPath: String, method: MethodKind, reader: SpecReader) -> ExperimentSpec.FeatureSpec {
        let none = ExperimentSpec.FeatureSpec(kind: .none, scale: 1, count: 0, seed: 0)
        guard let features = ExperimentSpec.FeatureSpec.read(node, keyPath: keyPath, reader: reader) else { return none }
        if method == .mlp && features.kind != .none {
            reader.report(node, keyPath, "method 'mlp' takes no input features; use sgdl (the same network) with features")
        }
        if method == .phaseShift && features.kind != .none {
            reader.report(node, keyPath, "method 'phase_shift' shifts frequency bands of the raw 1-D input; it takes no input features")
        }
        return features
    }
}
