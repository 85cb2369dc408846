import Foundation

/// A number the build writes into the prose: `{{final_loss of manifold--L-16}}` is replaced on the
/// page (and in the notebook) by the metric of that run as this build computed it, so the prose
/// can never quote a number its own runs no longer give. The metric is a claim metric
/// (``ClaimMetric``: `final_loss`, `test_psnr`, `mean_spectral_ratio`, ...); the run is any name a
/// claim may name (a run, a repeated run: the mean over its copies, `block--label`, a block).
///
/// - `{{test_rse of a / b}}` is the ratio of the two runs' values (how many times a's is b's);
///   `{{test_psnr of a - b}}` their difference (in the metric's unit: dB for a PSNR).
/// - `{{test_psnr of astronaut--gaussian,camera--gaussian}}` (names joined by commas, no spaces) is
///   the mean over all their runs, as a claim's `run: [a, b]`; either side of a ratio or a
///   difference may be one.
/// - A `*` in a name stands for any text: `sparse--kind-*--scale-4` is every run (a repeated run
///   counted once) whose name matches, in the report's order.
/// - The name of a run group of the front matter (``RunGroup``, `run_groups:`) stands for its
///   runs, as if they were listed.
/// - `{{min test_rse of a,b,c}}`, `max`, and `range` (printed "low–high") read one value per
///   name (the mean over its runs), after `*` is expanded; a single name with several runs (a
///   repeated run, a block) gives one value per run instead, e.g. the spread over seeds.
///
/// The number is printed as claims print theirs (3 significant digits, ``ClaimCheck/number(_:)``;
/// a PSNR and a difference of PSNRs with two decimals).
/// A run of another profile only prints "(not run at this profile)"; a failed run "(run failed)".
public struct ProseValue: Sendable, Equatable {
    /// How the values of the named runs become one number (or two, for a range).
    public enum Aggregate: String, Sendable, CaseIterable {
        case mean, min, max, range
    }

    /// How the value of `run` is combined with that of `other`.
    public enum Combination: String, Sendable {
        /// run ÷ other.
        case ratio = "/"
        /// run − other.
        case difference = "-"
    }

    public let aggregate: Aggregate
    public let metric: ClaimMetric
    public let run: String
    /// The runs whose value divides or is subtracted from `run`'s (nil: the value itself).
    public let other: String?
    public let combination: Combination?

    public init(_ aggregate: Aggregate = .mean, metric: ClaimMetric, run: String, other: String? = nil, combination: Combination? = nil) {
        self.aggregate = aggregate
        self.metric = metric
        self.run = run
        self.other = other
        self.combination = other == nil ? nil : (combination ?? .ratio)
    }

    /// The names it reads: those of `run`, and of `other` (each list split at its commas).
    public var runs: [String] { ([run] + (other.map { [$0] } ?? [])).flatMap { $0.split(separator: ",").map(String.init) } }

    /// What it is, in words: "test RSE of a", "test RSE of a ÷ test RSE of b", "range of test RSE over a,b".
    public var words: String {
        let value = aggregate == .mean ? "\(metric.words) of \(run)" : "\(aggregate.rawValue) of \(metric.words) over \(run)"
        switch combination {
        case .ratio?: return value + " ÷ \(metric.words) of \(other ?? "")"
        case .difference?: return value + " − \(metric.words) of \(other ?? "")"
        case nil: return value
        }
    }

    /// The text between the braces, e.g. `final_loss of manifold--L-16`, read or why not.
    public static func parse(_ inner: String) -> Result<ProseValue, ProseValueError> {
        var words = inner.split(whereSeparator: \.isWhitespace).map(String.init)
        var aggregate = Aggregate.mean
        if words.count >= 4, let named = Aggregate(rawValue: words[0]), words[2] == "of" {
            aggregate = named
            words.removeFirst()
        }
        let combination = words.count == 5 ? Combination(rawValue: words[3]) : nil
        guard (words.count == 3 || combination != nil), words[1] == "of" else {
            return .failure(ProseValueError(message: "{{\(inner)}} is not a built value: write {{METRIC of RUN}}, e.g. {{final_loss of my-run}}, {{METRIC of RUN / OTHER}} for a ratio, {{METRIC of RUN - OTHER}} for a difference, or {{min|max|range METRIC of RUN,RUN,...}}"))
        }
        guard let metric = ClaimMetric(rawValue: words[0]) else {
            var message = "{{\(inner)}}: '\(words[0])' is not a metric"
            if let near = closest(to: words[0], in: ClaimMetric.allCases.map(\.rawValue) + Aggregate.allCases.map(\.rawValue)) { message += "; did you mean '\(near)'?" }
            else { message += " (one of: \(ClaimMetric.allCases.map(\.rawValue).joined(separator: ", ")))" }
            return .failure(ProseValueError(message: message))
        }
        if aggregate != .mean, combination != nil {
            return .failure(ProseValueError(message: "{{\(inner)}}: a \(aggregate.rawValue) is not combined with another value; write the \(aggregate.rawValue) alone, or a ratio or difference of means"))
        }
        return .success(ProseValue(aggregate, metric: metric, run: words[2], other: combination == nil ? nil : words[4], combination: combination))
    }

    /// Whether `name` matches `pattern`, where `*` stands for any text (also none).
    public static func matches(_ name: String, pattern: String) -> Bool {
        let parts = pattern.components(separatedBy: "*")
        guard parts.count > 1 else { return name == pattern }
        guard name.hasPrefix(parts[0]), name.hasSuffix(parts[parts.count - 1]),
              name.count >= parts[0].count + parts[parts.count - 1].count else { return false }
        var rest = Substring(name.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }

    /// The runs of one name of a list (a run, a repeated run, `block--label`, a block), or, for a
    /// name with `*`, of every run it matches (a repeated run once, with all its copies), one
    /// list per matched name in the report's order; for the name of a run group (``RunGroup``,
    /// resolved in `groups`), one list per run of the group. Empty: it names no run of `specs`.
    public static func elements(of name: String, specs: [ExperimentSpec], groups: [String: [String]] = [:]) -> [[ExperimentSpec]] {
        if let group = groups[name] { return group.map { ClaimCheck.members($0, specs: specs) }.filter { !$0.isEmpty } }
        guard name.contains("*") else {
            let members = ClaimCheck.members(name, specs: specs)
            return members.isEmpty ? [] : [members]
        }
        var seen = Set<String>()
        var units: [String] = []
        for spec in specs {
            let unit = spec.repeatOf ?? spec.name
            if matches(unit, pattern: name), seen.insert(unit).inserted { units.append(unit) }
        }
        return units.map { ClaimCheck.members($0, specs: specs) }
    }

    /// One `{{…}}` of a prose chunk: its line in the chunk (1-based), its text, and what it reads.
    public struct Occurrence: Sendable {
        public let line: Int
        public let inner: String
        public let value: Result<ProseValue, ProseValueError>
    }

    /// Every `{{…}}` of `markdown` outside code (fenced blocks and code spans), on one line each.
    public static func occurrences(in markdown: String) -> [Occurrence] {
        var found: [Occurrence] = []
        _ = rewriting(markdown) { line, inner in
            found.append(Occurrence(line: line, inner: inner, value: parse(inner)))
            return nil
        }
        return found
    }

    /// `markdown` with each `{{…}}` outside code replaced by what `replacement` gives for it (its
    /// line, 1-based, and the text inside); nil leaves it as written.
    public static func rewriting(_ markdown: String, _ replacement: (Int, String) -> String?) -> String {
        var fence: String? = nil
        var lines: [String] = []
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let opener = String(line.drop { $0 == " " }.prefix(3))
            if opener == "```" || opener == "~~~" {
                if fence == nil { fence = opener } else if fence == opener { fence = nil }
                lines.append(String(line))
                continue
            }
            guard fence == nil, line.contains("{{") else { lines.append(String(line)); continue }
            var chars = Array(line)
            // Asked in reading order, replaced from the end (earlier ranges stay valid).
            let replaced = spans(in: chars).map { ($0.0, replacement(index + 1, $0.1)) }
            for (range, text) in replaced.reversed() {
                if let text { chars.replaceSubrange(range, with: Array(text)) }
            }
            lines.append(String(chars))
        }
        return lines.joined(separator: "\n")
    }

    /// The `{{…}}` spans of one line outside code spans: (range of the whole span, the text inside).
    public static func spans(in chars: [Character]) -> [(Range<Int>, String)] {
        var out: [(Range<Int>, String)] = []
        var i = 0
        while i < chars.count {
            if chars[i] == "`" {
                var n = 0
                while i + n < chars.count, chars[i + n] == "`" { n += 1 }
                var j = i + n
                var end = i + n
                while j < chars.count {
                    if chars[j] == "`" {
                        var m = 0
                        while j + m < chars.count, chars[j + m] == "`" { m += 1 }
                        if m == n { end = j + m; break }
                        j += m
                    } else { j += 1 }
                }
                i = max(end, i + n)
                continue
            }
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{", let close = closingBraces(chars, from: i + 2) {
                out.append((i..<(close + 2), String(chars[(i + 2)..<close]).trimmingCharacters(in: .whitespaces)))
                i = close + 2
                continue
            }
            i += 1
        }
        return out
    }

    /// The index of the `}}` that closes a `{{` opened before `start`, on the same line (nil: none).
    public static func closingBraces(_ chars: [Character], from start: Int) -> Int? {
        var j = start
        while j + 1 < chars.count {
            if chars[j] == "\n" { return nil }
            if chars[j] == "}", chars[j + 1] == "}" { return j }
            j += 1
        }
        return nil
    }
}

/// Why a `{{…}}` of the prose is not a built value.
public struct ProseValueError: Error, Sendable, Equatable {
    public let message: String
}

/// The number a built value gives on one build's runs, or why there is none.
public struct BuiltNumber: Sendable, Equatable {
    /// The value (a range's low end); nil when there is none, and `note` says why.
    public var number: Double?
    /// A range's high end.
    public var upper: Double? = nil
    /// How many runs were read of `run`.
    public var count: Int = 0
    /// How many runs were read of a ratio's or difference's `other` (0: none).
    public var otherCount: Int = 0
    /// Why there is no number: not run at this profile, not yet computed, the run failed, the run
    /// has no such metric.
    public var note: String? = nil
}

extension ClaimCheck {
    /// What a built value prints for `value` on the runs of one build (``ProseValue``).
    /// `groups`: the report's run groups resolved at this build's profile (``Report/runGroups``).
    public static func builtValue(_ value: ProseValue, specs: [ExperimentSpec], runs: [String: RunResult],
                                  groups: [String: [String]] = [:]) -> BuiltNumber {
        // The values of one list: one array per element (name, or name matched by a `*`).
        struct Missing: Error { let note: String }
        func values(_ list: String) -> Result<[[Double]], Missing> {
            var units: [[ExperimentSpec]] = []
            for name in list.split(separator: ",").map(String.init) {
                let elements = ProseValue.elements(of: name, specs: specs, groups: groups)
                guard !elements.isEmpty else { return .failure(Missing(note: "not run at this profile")) }
                units += elements
            }
            var out: [[Double]] = []
            for unit in units {
                var row: [Double] = []
                for spec in unit {
                    guard let run = runs[spec.name] else { return .failure(Missing(note: "not yet computed")) }
                    guard run.status == .ok else { return .failure(Missing(note: "run failed")) }
                    guard let v = value.metric.value(of: run) else { return .failure(Missing(note: "no \(value.metric.words)")) }
                    row.append(v)
                }
                out.append(row)
            }
            return .success(out)
        }
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
        let first: [[Double]]
        switch values(value.run) {
        case .failure(let missing): return BuiltNumber(number: nil, note: missing.note)
        case .success(let v): first = v
        }
        let all = first.flatMap { $0 }
        switch value.aggregate {
        case .mean:
            guard let other = value.other, let combination = value.combination else { return BuiltNumber(number: mean(all), count: all.count) }
            let second: [[Double]]
            switch values(other) {
            case .failure(let missing): return BuiltNumber(number: nil, note: missing.note)
            case .success(let v): second = v
            }
            let others = second.flatMap { $0 }
            let a = mean(all), b = mean(others)
            return BuiltNumber(number: combination == .ratio ? a / b : a - b, count: all.count, otherCount: others.count)
        case .min, .max, .range:
            let points = first.count == 1 ? first[0] : first.map(mean)
            let low = points.min()!, high = points.max()!
            switch value.aggregate {
            case .min: return BuiltNumber(number: low, count: all.count)
            case .max: return BuiltNumber(number: high, count: all.count)
            default: return BuiltNumber(number: low, upper: high, count: all.count)
            }
        }
    }
}
