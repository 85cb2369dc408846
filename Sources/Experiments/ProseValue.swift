import Foundation

/// A number the build writes into the prose: `{{final_loss of manifold--L-16}}` is replaced on the
/// page (and in the notebook) by the metric of that run as this build computed it, so the prose
/// can never quote a number its own runs no longer give. The metric is a claim metric
/// (``ClaimMetric``: `final_loss`, `test_psnr`, `mean_spectral_ratio`, ...); the run is any name a
/// claim may name (a run, a repeated run: the mean over its copies, `block--label`, a block).
///
/// `{{test_rse of a / b}}` is the ratio of the two runs' values (how many times a's is b's).
/// `{{test_psnr of astronaut--gaussian,camera--gaussian}}` (names joined by commas, no spaces) is
/// the mean over all their runs, as a claim's `run: [a, b]`; either side of a ratio may be one.
///
/// The number is printed as claims print theirs (3 significant digits, ``ClaimCheck/number(_:)``;
/// a PSNR with two decimals).
/// A run of another profile only prints "(not run at this profile)"; a failed run "(run failed)".
public struct ProseValue: Sendable, Equatable {
    public let metric: ClaimMetric
    public let run: String
    /// The run whose value divides `run`'s (nil: the value itself).
    public let over: String?

    public init(metric: ClaimMetric, run: String, over: String? = nil) {
        self.metric = metric
        self.run = run
        self.over = over
    }

    /// The names it reads: those of `run`, and of `over` for a ratio (a list split at its commas).
    public var runs: [String] { ([run] + (over.map { [$0] } ?? [])).flatMap { $0.split(separator: ",").map(String.init) } }

    /// What it is, in words: "test RSE of a" or "test RSE of a ÷ test RSE of b".
    public var words: String {
        "\(metric.words) of \(run)" + (over.map { " ÷ \(metric.words) of \($0)" } ?? "")
    }

    /// The text between the braces, e.g. `final_loss of manifold--L-16`, read or why not.
    public static func parse(_ inner: String) -> Result<ProseValue, ProseValueError> {
        let words = inner.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count == 3 || (words.count == 5 && words[3] == "/"), words[1] == "of" else {
            return .failure(ProseValueError(message: "{{\(inner)}} is not a built value: write {{METRIC of RUN}}, e.g. {{final_loss of my-run}}, or {{METRIC of RUN / OTHER}} for a ratio"))
        }
        guard let metric = ClaimMetric(rawValue: words[0]) else {
            var message = "{{\(inner)}}: '\(words[0])' is not a metric"
            if let near = closest(to: words[0], in: ClaimMetric.allCases.map(\.rawValue)) { message += "; did you mean '\(near)'?" }
            else { message += " (one of: \(ClaimMetric.allCases.map(\.rawValue).joined(separator: ", ")))" }
            return .failure(ProseValueError(message: message))
        }
        return .success(ProseValue(metric: metric, run: words[2], over: words.count == 5 ? words[4] : nil))
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

extension ClaimCheck {
    /// What a built value prints for `value` on the runs of one build: the number, or why there
    /// is none. `number` is nil when there is no number, and `note` says why (not run at this
    /// profile, not yet computed, the run failed, the run has no such metric).
    /// `count` is the number of runs averaged (of `run`; a ratio's `over` is averaged the same way).
    public static func builtValue(_ value: ProseValue, specs: [ExperimentSpec], runs: [String: RunResult])
        -> (number: Double?, count: Int, note: String?) {
        func mean(_ name: String) -> (number: Double?, count: Int, note: String?) {
            let names = name.split(separator: ",").map(String.init)
            let lists: [[ExperimentSpec]] = names.map { ClaimCheck.members($0, specs: specs) }
            let named: [ExperimentSpec] = lists.contains(where: { $0.isEmpty }) ? [] : lists.flatMap { $0 }
            guard !named.isEmpty else { return (nil, 0, "not run at this profile") }
            var values: [Double] = []
            for spec in named {
                guard let run = runs[spec.name] else { return (nil, 0, "not yet computed") }
                guard run.status == .ok else { return (nil, 0, "run failed") }
                guard let v = value.metric.value(of: run) else { return (nil, 0, "no \(value.metric.words)") }
                values.append(v)
            }
            return (values.reduce(0, +) / Double(values.count), values.count, nil)
        }
        let first = mean(value.run)
        guard let over = value.over, let numerator = first.number else { return first }
        let second = mean(over)
        guard let denominator = second.number else { return second }
        return (numerator / denominator, first.count, nil)
    }
}
