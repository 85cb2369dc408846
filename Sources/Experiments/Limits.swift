import CYaml
import Foundation
import Yams

/// What a declaration may ask for, checked while validating, from the declaration alone, before
/// anything is allocated or trained. Every product of user numbers is computed with overflow
/// checks (a product that overflows is "too large", never a trap).
///
/// The limits are far above what the papers' experiments need (the largest, the paper profile
/// of MGDL, is about 10⁵ points, widths of 256 and a few hundred MB) and far below what would
/// crash or hang the machine; the memory limit is the one a user may need to raise
/// (`build --max-memory`).
public enum Limits {
    /// Memory one run may be estimated to need (bytes). `--max-memory` raises it.
    nonisolated(unsafe) public static var memoryBytes = 8 << 30
    /// A report file larger than this is refused before it is parsed.
    public static let fileBytes = 8 << 20
    public static let sweepPoints = 10_000
    /// Values of a `{from, to, step}` range.
    public static let listLength = 100_000
    public static let points = 50_000_000
    public static let width = 1 << 16
    public static let layers = 1_000
    public static let frequency = 1 << 24
    public static let features = 1 << 16
    public static let imageSize = 8_192
    public static let steps = 1 << 40
    public static let grades = 100
    /// Formulas: characters, operators (each a level of the tree the evaluator walks) and nesting.
    public static let formulaLength = 4_096
    public static let formulaOperators = 500
    public static let formulaDepth = 64
    /// YAML: nesting depth and the number of nodes once every alias is expanded.
    public static let yamlDepth = 64
    public static let yamlNodes = 200_000

    // MARK: Overflow-safe arithmetic on user numbers

    /// a·b, or nil when it overflows.
    static func product(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : value
    }

    /// a + b, or nil when it overflows.
    static func sum(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : value
    }

    /// A byte count for messages: "12.0 GB".
    static func bytes(_ n: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) bytes" : String(format: "%.1f %@", value, units[unit])
    }

    /// Parses "16G", "512M", "2000000000" (bytes) for `--max-memory`.
    public static func parseBytes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let multipliers: [(String, Int)] = [("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10),
                                            ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        for (suffix, multiplier) in multipliers where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number > 0, number * Double(multiplier) < 9e18 else { return nil }
            return Int(number * Double(multiplier))
        }
        guard let number = Int(trimmed), number > 0 else { return nil }
        return number
    }

    // MARK: Formulas

    /// Why a formula is too large to parse and evaluate safely, or nil.
    static func formulaProblem(_ text: String) -> String? {
        if text.count > formulaLength {
            return "the formula has \(text.count) characters; at most \(formulaLength) are allowed"
        }
        var depth = 0, deepest = 0, operators = 0
        for c in text {
            switch c {
            case "(": depth += 1; deepest = max(deepest, depth)
            case ")": depth -= 1
            case "+", "-", "*", "/", "^": operators += 1
            default: break
            }
        }
        if deepest > formulaDepth { return "the formula nests parentheses \(deepest) deep; at most \(formulaDepth) levels are allowed" }
        if operators > formulaOperators { return "the formula has \(operators) operators; at most \(formulaOperators) are allowed" }
        return nil
    }

    /// Reports a formula too large to parse safely; true when it does.
    static func rejects(formula text: String, at node: Node?, _ path: String, reader: SpecReader) -> Bool {
        guard let problem = formulaProblem(text) else { return false }
        reader.report(node, path, problem)
        return true
    }

    /// A sweep of `points` points so far, times an axis of `values` values, stays within the limit;
    /// otherwise reports it at the axis.
    static func sweepFits(_ points: Int, _ values: Int, _ node: Node, _ path: String, reader: SpecReader) -> Bool {
        if let total = product(points, values), total <= sweepPoints { return true }
        reader.report(node, path, "the sweep would have more than \(sweepPoints) runs (\(points) × \(values)); split it or sweep fewer values")
        return false
    }

    // MARK: A whole run

    /// Checks sizes, counts and the estimated memory of a run; reports each problem at its key.
    static func check(_ spec: ExperimentSpec, node: Node, name: String, reader: SpecReader) {
        func at(_ path: [String]) -> Node? {
            var current: Node? = node
            for key in path { current = current?.mapping?[key] }
            return current ?? node
        }
        func report(_ path: [String], _ message: String) {
            reader.report(at(path), ([name] + path).joined(separator: "."), message)
        }
        let task = spec.task, model = spec.model, train = spec.train
        var ok = true
        func limit(_ value: Int, _ maximum: Int, _ path: [String], _ what: String) {
            if value > maximum { report(path, "\(value) \(what) is above the limit of \(maximum)"); ok = false }
        }
        limit(task.points, points, ["task", "points"], "points")
        limit(task.validation, points, ["task", "validation"], "validation points")
        limit(task.test, points, ["task", "test"], "test points")
        if let top = task.frequencies.max() { limit(top, frequency, ["task", "frequencies"], "as a frequency") }
        if let m = task.maxFrequency { limit(m, frequency, ["task", "max_frequency"], "as a frequency") }
        if let size = task.size { limit(size, imageSize, ["task", "size"], "pixels as an image size") }
        limit(spec.features.count, features, ["features", "count"], "features")
        limit(train.steps, steps, ["train", "steps"], "steps")
        let widths = model.widths + model.hidden + model.grades.flatMap { $0 }
        for w in widths where w > width { limit(w, width, ["model"], "as a layer width"); break }
        limit(model.widths.count + model.hidden.count, layers, ["model"], "layers")
        limit(model.grades.count, grades, ["model", "grades"], "grades")
        limit(model.stages, grades, ["model", "stages"], "stages")
        let trainingPoints = task.kind == .image ? (product(task.size ?? 0, task.size ?? 0) ?? Int.max) : task.points
        if let batch = train.batch, batch > trainingPoints {
            report(["train", "batch"], "a batch of \(batch) is larger than the \(trainingPoints) training points (leave batch out for full batch)")
            ok = false
        }
        guard ok else { return }
        guard let estimate = memoryEstimate(spec) else {
            report([], "the run's size overflows: its widths, points and steps multiply beyond any machine's memory")
            return
        }
        if estimate > memoryBytes {
            report([], "the run needs an estimated \(bytes(estimate)) of memory, above the limit of \(bytes(memoryBytes)); "
                + "make it smaller, or raise the limit with --max-memory (e.g. --max-memory \(max(1, (estimate >> 30) + 1))G)")
        }
    }

    /// Bytes a run is estimated to need: the samples and their features, parameters with the
    /// optimizer's state and gradients (4 copies), activations and their gradients on a batch
    /// (for every layer), the recorded snapshots and the loss curve. Doubles throughout (the
    /// Float path needs less). nil when the numbers overflow.
    static func memoryEstimate(_ spec: ExperimentSpec) -> Int? {
        let task = spec.task, model = spec.model, train = spec.train
        let inputs = task.inputDimension
        let channels = (task.colour ?? .rgb).channels
        guard let pixels = task.kind == .image ? product(task.size ?? 0, task.size ?? 0) : 0,
              let samples = total([task.points, task.validation, task.test, pixels]) else { return nil }
        let featureWidth = spec.features.kind == .none ? inputs : max(inputs, product(spec.features.count, 2) ?? Int.max)
        // Every network of the method, as its list of layer widths.
        let output = task.kind == .image ? channels : 1
        var networks: [[Int]]
        switch spec.method {
        case .mlp: networks = [model.widths]
        case .mgdl:
            var previous = featureWidth
            networks = model.grades.map { grade in
                defer { previous = grade.last ?? previous }
                return [previous] + grade + [output]
            }
        case .sgdl, .mscale, .multistage, .mscaleGroups, .adaptiveActivation:
            // MscaleDNN sums one subnetwork per scale; multi-stage one network per stage.
            let copies = spec.method == .mscale ? max(1, model.scales.count) : spec.method == .multistage ? max(1, model.stages) : 1
            networks = Array(repeating: [featureWidth] + model.hidden + [output], count: copies)
        case .phaseShift:
            // One network per band, two outputs (real and imaginary part).
            networks = Array(repeating: [featureWidth] + model.hidden + [2], count: max(1, model.bands ?? 1))
        }
        var parameters = 0, activations = 0
        for widths in networks {
            for (a, b) in zip(widths, widths.dropFirst()) {
                guard let inputs = sum(a, 1), let layer = product(inputs, b), let all = sum(parameters, layer) else { return nil }
                parameters = all
            }
            guard let units = total(widths) else { return nil }
            activations = max(activations, units)
        }
        // An image trains on its even pixel grid (both protocols): a quarter of the pixels, the
        // full batch.
        let side = max(0, task.size ?? 0) / 2 + max(0, task.size ?? 0) % 2
        let trainRows = max(1, task.kind == .image ? (product(side, side) ?? Int.max) : task.points)
        let batch = min(train.batch ?? samples, task.kind == .image ? trainRows : samples)
        // Optimizer steps: `steps` for mlp; epochs × minibatches per epoch for the other methods
        // (one loss recorded per step). A count that overflows is refused like any other.
        let perEpoch = spec.method == .mlp || train.batch == nil ? 1 : (trainRows + max(1, batch) - 1) / max(1, batch)
        guard let optimizerSteps = product(train.steps, perEpoch) else { return nil }
        let records = min(train.steps / max(1, train.recordEvery) + 2, 1 << 30)
        guard let image = product(pixels, channels), let sampleWidth = sum(featureWidth, output + 1),
              let data = product(samples, sampleWidth),
              let params = product(parameters, 4),
              let batchActivations = product(batch, activations), let acts = product(batchActivations, 3),
              let snapshots = product(records, max(task.points, image)),
              let doubles = total([data, params, acts, snapshots, optimizerSteps]) else { return nil }
        return product(doubles, 8)
    }

    /// The sum of non-negative numbers, or nil when it overflows.
    static func total(_ values: [Int]) -> Int? {
        var result = 0
        for value in values {
            guard value >= 0, let next = sum(result, value) else { return nil }
            result = next
        }
        return result
    }

    // MARK: YAML

    /// Scans YAML text with libyaml's event parser (no tree is built) and returns the first
    /// problem: nesting deeper than `yamlDepth`, more than `yamlNodes` nodes once aliases are
    /// expanded (an "alias bomb"), or a duplicate key in a mapping. Lines and columns are 0-based
    /// as libyaml gives them. nil when the text is within the limits (syntax errors are left to
    /// the parser that follows, which reports them with their position).
    static func yamlProblem(_ text: String, lineOffset: Int = 0) -> (line: Int, column: Int, message: String)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> (Int, Int, String)? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            struct Frame {
                var anchor: String?
                var nodes = 1
                var isMapping: Bool
                var keys: [String: Int] = [:]
                var expectKey = true
            }
            var stack: [Frame] = []
            var anchors: [String: Int] = [:]
            var event = yaml_event_t()
            func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            }
            /// A finished node of `size` expanded nodes: counted in its parent; a key is checked.
            func finish(_ size: Int, key: String?, line: Int, column: Int) -> (Int, Int, String)? {
                guard !stack.isEmpty else { return nil }
                stack[stack.count - 1].nodes = min(Int.max / 2, stack[stack.count - 1].nodes + size)
                if stack.map(\.nodes).reduce(0, { min(Int.max / 2, $0 + $1) }) > yamlNodes {
                    return (line, column, "the YAML expands to more than \(yamlNodes) values (aliases repeat what they name): refusing to read it")
                }
                if stack[stack.count - 1].isMapping {
                    if stack[stack.count - 1].expectKey, let key {
                        if let first = stack[stack.count - 1].keys[key] {
                            return (line, column, "duplicate key '\(key)' (first on line \(first + 1 + lineOffset)); a key may appear once")
                        }
                        stack[stack.count - 1].keys[key] = line
                    }
                    stack[stack.count - 1].expectKey.toggle()
                }
                return nil
            }
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line), column = Int(event.start_mark.column)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let mapping = event.type == YAML_MAPPING_START_EVENT
                    let anchor = mapping ? string(event.data.mapping_start.anchor) : string(event.data.sequence_start.anchor)
                    if stack.count >= yamlDepth {
                        return (line, column, "the YAML nests more than \(yamlDepth) levels deep")
                    }
                    stack.append(Frame(anchor: anchor, isMapping: mapping))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let frame = stack.popLast() else { return nil }
                    if let anchor = frame.anchor { anchors[anchor] = frame.nodes }
                    // A key that is itself a collection is not compared.
                    if let problem = finish(frame.nodes, key: nil, line: line, column: column) { return problem }
                case YAML_SCALAR_EVENT:
                    if let anchor = string(event.data.scalar.anchor) { anchors[anchor] = 1 }
                    let value = String(decoding: UnsafeBufferPointer(start: event.data.scalar.value, count: Int(event.data.scalar.length)), as: UTF8.self)
                    if let problem = finish(1, key: value, line: line, column: column) { return problem }
                case YAML_ALIAS_EVENT:
                    let size = string(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                    if let problem = finish(size, key: nil, line: line, column: column) { return problem }
                default:
                    break
                }
            }
        }
    }
}
