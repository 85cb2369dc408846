import Foundation
import Yams

/// The one table from the fields of `ExperimentSpec` to the report format's keys, and the
/// declaration of a run written with it: the run page, `plan`'s reasons and the run's JSON show a
/// run in the words its report uses (`epochs` where the block writes epochs, `lr`, `init`,
/// `manifold.q`), never the engine's field names, and leave out what is bookkeeping or derived.
public enum DeclarationKeys {
    /// What a field of the spec is in the report format.
    enum Shown: Equatable {
        /// The key (dotted for a nested one, e.g. `manifold.q`) within the field's section.
        case key(String)
        /// The training length: `steps` for `mlp`, `epochs` for the other methods.
        case length
        /// `task.amplitudes`: a number (constant), a profile's name, or the list.
        case amplitudes
        /// Not a key of the format: bookkeeping (names, profile, repeats, where the report lives,
        /// input files' hashes) or derived from other keys (why, in words).
        case notAKey(String)
    }

    /// Field path (as `ExperimentSpec` names it, list items without an index) -> its key.
    static let table: [String: Shown] = [
        "name": .notAKey("the run's name"),
        "method": .key("method"),
        "seed": .key("seed"),
        "profile": .notAKey("the profile applied"),
        "group": .notAKey("the experiment block"),
        "label": .notAKey("the sweep point"),
        "sweepValues": .notAKey("the sweep point by key"),
        "repeatOf": .notAKey("repeat bookkeeping"),
        "repeatIndex": .notAKey("repeat bookkeeping"),
        "repeatCount": .notAKey("repeat bookkeeping"),
        "sweepAxes": .notAKey("the sweep point, by axis, numeric where it is"),
        "inputHashes": .notAKey("the input files' contents, part of the run's key"),
        "baseDirectory": .notAKey("where the report lives on this machine"),

        "task": .key("task"),
        "task.kind": .key("kind"),
        "task.formula": .key("formula"),
        "task.frequencies": .key("frequencies"),
        "task.amplitudeProfile": .notAKey("written as amplitudes"),
        "task.amplitudes": .amplitudes,
        "task.phases": .key("phases"),
        "task.phaseSeed": .key("phases.seed"),
        "task.split": .key("split"),
        "task.points": .key("points"),
        "task.validation": .key("validation"),
        "task.test": .key("test"),
        "task.validationSeed": .key("validation_seed"),
        "task.testSeed": .key("test_seed"),
        "task.manifoldQ": .key("manifold.q"),
        "task.exponent": .key("exponent"),
        "task.maxFrequency": .key("max_frequency"),
        "task.noiseSeed": .key("noise_seed"),
        "task.generator": .key("generator"),
        "task.file": .key("file"),
        "task.colour": .key("colour"),
        "task.size": .key("size"),
        "task.imageProtocol": .key("protocol"),
        "task.textSeed": .key("text.seed"),
        "task.sinusoidAngle": .key("sinusoid.angle"),
        "task.sinusoidFrequency": .key("sinusoid.frequency"),
        "task.classes": .key("classes"),
        "task.targets": .key("targets"),
        "task.validationFraction": .key("validation_fraction"),
        "task.testFraction": .key("test_fraction"),
        "task.splitSeed": .key("split_seed"),
        "task.stride": .key("stride"),
        "task.spikeCenter": .key("center"),
        "task.spikeHeight": .key("height"),
        "task.signals": .key("signals"),
        "task.signal": .key("signal"),
        "task.noise": .key("noise"),
        "task.noise.kind": .key("kind"),
        "task.noise.amplitude": .key("amplitude"),
        "task.noise.frequency": .key("frequency"),
        "task.noise.exponent": .key("exponent"),
        "task.kernelSpectrum": .key("kernel_spectrum"),
        "task.kernelSpectrum.width": .key("width"),
        "task.kernelSpectrum.bin": .key("bin"),

        "model": .key("model"),
        "model.widths": .key("widths"),
        "model.hidden": .key("hidden"),
        "model.grades": .key("grades"),
        "model.scales": .key("scales"),
        "model.stages": .key("stages"),
        "model.activation": .key("activation"),
        "model.initializer": .key("init"),
        "model.output": .key("output"),
        "model.factor": .key("factor"),
        "model.bands": .key("bands"),
        "model.bandWidth": .key("band_width"),

        "features": .key("features"),
        "features.kind": .key("kind"),
        "features.scale": .key("scale"),
        "features.count": .key("count"),
        "features.seed": .key("seed"),
        "features.exponent": .key("exponent"),
        "features.infiniteExponent": .notAKey("written as exponent: inf"),
        "features.figure": .key("figure"),
        "features.optimisation": .notAKey("the named ntk_optimisation figure's protocol, read from it"),

        "train": .key("train"),
        "train.optimizer": .key("optimizer"),
        "train.learningRate": .key("lr"),
        "train.finalLearningRate": .key("lr_final"),
        "train.steps": .length,
        "train.batch": .key("batch"),
        "train.recordEvery": .key("record_every"),
        "train.precision": .key("precision"),
        "train.recordNorms": .key("record_norms"),
        "train.keepPredictions": .key("keep_predictions"),
        "train.recordSnapshots": .notAKey("set by writing record_every"),
        "train.loss": .key("loss"),
        "train.grades": .key("grades"),
        "train.grades.learningRate": .key("lr"),
        "train.grades.finalLearningRate": .key("lr_final"),
        "train.grades.steps": .key("epochs"),
        "train.lbfgs": .key("lbfgs"),
        "train.spectrumBand": .key("spectrum_band"),
        "train.plane": .key("plane"),
        "train.plane.size": .key("size"),
        "train.plane.extent": .key("extent"),
        "train.perturb": .key("perturb"),
        "train.perturb.directions": .key("directions"),
        "train.perturb.maximum": .key("max"),
        "train.perturb.deltas": .key("deltas"),
        "train.perturb.seed": .key("seed"),
        "train.flopBudget": .key("flop_budget"),
        "train.weightClip": .key("weight_clip"),
    ]

    /// The run's declaration in the report's keys, in the order the spec declares its fields.
    public static func declaration(_ spec: ExperimentSpec) -> DeclarationValue {
        walk(spec).value
    }

    /// The declaration, and the fields the table does not know (none, or a field was added to
    /// the spec without its key: the tests check every report's runs).
    static func walk(_ spec: ExperimentSpec) -> (value: DeclarationValue, unknownFields: [String]) {
        var unknown: [String] = []
        func mapping(_ subject: Any, path: String) -> DeclarationValue {
            var entries: [DeclarationValue.Entry] = []
            for child in Mirror(reflecting: subject).children {
                guard let label = child.label else { continue }
                let field = path.isEmpty ? label : "\(path).\(label)"
                let shown = table[field] ?? {
                    unknown.append(field)
                    return .key(label)
                }()
                let key: String
                switch shown {
                case .notAKey: continue
                case .key(let name): key = name
                case .length: key = spec.method.lengthKey
                case .amplitudes:
                    key = "amplitudes"
                    switch spec.task.amplitudeProfile {
                    case .explicit: break
                    case .constant:
                        DeclarationValue.insert(.number(spec.task.amplitudes.first ?? 1), at: key, into: &entries)
                        continue
                    case .decreasing, .increasing, .xDependent, .rahamanIncreasing:
                        DeclarationValue.insert(.text(spec.task.amplitudeProfile.rawValue), at: key, into: &entries)
                        continue
                    }
                }
                guard let value = DeclarationValue(child.value, fields: { mapping($0, path: field) }) else { continue }
                DeclarationValue.insert(value, at: key, into: &entries)
            }
            return .mapping(entries)
        }
        let value = mapping(spec, path: "")
        return (value, unknown)
    }

    /// What differs between two declarations, in the report's keys, e.g.
    /// `train.lr changed 0.001 -> 0.0003` (an input file's contents as `task.file changed`).
    public static func differences(_ old: ExperimentSpec, _ new: ExperimentSpec) -> [String] {
        let a = declaration(old).flattened(), b = declaration(new).flattened()
        var changes = Set(a.keys).union(b.keys).sorted().compactMap { key -> String? in
            let before = a[key] ?? "nothing", after = b[key] ?? "nothing"
            return before == after ? nil : "\(key) changed \(before) -> \(after)"
        }
        for file in Set(old.inputHashes.keys).union(new.inputHashes.keys).sorted() where old.inputHashes[file] != new.inputHashes[file] {
            changes.append("the contents of \(file) changed")
        }
        return changes
    }
}

/// A declaration as the report writes it: mappings (in order), lists and scalars. Encoded as JSON
/// (the run's download) and shown as YAML (the run page).
public indirect enum DeclarationValue: Equatable, Sendable, Encodable {
    public struct Entry: Equatable, Sendable {
        public var key: String
        public var value: DeclarationValue
    }

    case mapping([Entry])
    case list([DeclarationValue])
    case text(String)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case flag(Bool)

    /// A field's value: scalars and the raw values of the format's words as they are, lists item
    /// by item, structs through `fields`; nil for a field left out (an optional that is nil).
    init?(_ subject: Any, fields: (Any) -> DeclarationValue) {
        let mirror = Mirror(reflecting: subject)
        switch subject {
        case let v as Bool: self = .flag(v)
        case let v as Int: self = .integer(Int64(v))
        case let v as UInt64: self = .unsigned(v)
        case let v as Double: self = .number(v)
        case let v as String: self = .text(v)
        case let v as any RawRepresentable:
            guard let raw = v.rawValue as? String else { return nil }
            self = .text(raw)
        default:
            switch mirror.displayStyle {
            case .optional:
                guard let wrapped = mirror.children.first?.value,
                      let value = DeclarationValue(wrapped, fields: fields) else { return nil }
                self = value
            case .collection, .set:
                self = .list(mirror.children.compactMap { DeclarationValue($0.value, fields: fields) })
            case .struct, .class:
                self = fields(subject)
            default:
                return nil
            }
        }
    }

    /// Puts `value` at a dotted key, making the mappings on the way (`manifold.q`).
    static func insert(_ value: DeclarationValue, at key: String, into entries: inout [Entry]) {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            entries.append(Entry(key: key, value: value))
            return
        }
        var inner: [Entry] = []
        if let index = entries.firstIndex(where: { $0.key == parts[0] }), case .mapping(let existing) = entries[index].value {
            inner = existing
            insert(value, at: parts[1], into: &inner)
            entries[index].value = .mapping(inner)
        } else {
            insert(value, at: parts[1], into: &inner)
            entries.append(Entry(key: parts[0], value: .mapping(inner)))
        }
    }

    /// The value of a key, or nil.
    public subscript(key: String) -> DeclarationValue? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The value as a line of text: `0.001`, `[1, 256, 1]`, `{seed: 3}`.
    public var text: String {
        switch self {
        case .mapping(let entries): return "{" + entries.map { "\($0.key): \($0.value.text)" }.joined(separator: ", ") + "}"
        case .list(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .text(let v): return v
        case .integer(let v): return "\(v)"
        case .unsigned(let v): return "\(v)"
        case .number(let v): return "\(v)"
        case .flag(let v): return v ? "true" : "false"
        }
    }

    /// Dotted key -> text of every leaf (a list is one leaf).
    public func flattened() -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ value: DeclarationValue, _ path: String) {
            if case .mapping(let entries) = value {
                for entry in entries { walk(entry.value, path.isEmpty ? entry.key : "\(path).\(entry.key)") }
            } else {
                out[path] = value.text
            }
        }
        walk(self, "")
        return out
    }

    /// As a YAML node: short lists of scalars on one line, numbers as Swift prints them.
    public var yaml: Node {
        switch self {
        case .mapping(let entries):
            return .mapping(Node.Mapping(entries.map { (Node($0.key), $0.value.yaml) }))
        case .list(let items):
            var sequence = Node.Sequence(items.map(\.yaml))
            if items.allSatisfy({ if case .mapping = $0 { return false } else if case .list = $0 { return false } else { return true } }) {
                sequence.style = .flow
            }
            return .sequence(sequence)
        case .text(let v): return Node(v, Tag(.str))
        case .integer, .unsigned: return Node(text, Tag(.int))
        case .number: return Node(text, Tag(.float))
        case .flag: return Node(text, Tag(.bool))
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .mapping(let entries):
            var container = encoder.container(keyedBy: Key.self)
            for entry in entries { try container.encode(entry.value, forKey: Key(stringValue: entry.key)) }
        case .list(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .text(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .integer(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .unsigned(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .number(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .flag(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        }
    }
}
