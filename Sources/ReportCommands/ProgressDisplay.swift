import Experiments
import Foundation
import ReportSite

/// Shows where a build stands: a live line on a terminal, plain periodic lines otherwise (CI).
final class ProgressDisplay {
    let quiet: Bool
    let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private var runStart = Date()
    private var liveLine = false
    private var current = ""

    let json: Bool
    private var running: [String: String] = [:]
    private var finished = 0
    private var total = 0

    init(quiet: Bool, json: Bool = false) {
        self.quiet = quiet
        self.json = json
    }

    func handle(_ event: BuildEvent) {
        if json { return emitJSON(event) }
        switch event {
        case .step(let name):
            if !quiet && !isTerminal { emit("[\(name)]") }
        case .runStarted(let report, let run, let index, let count, let steps):
            current = "[\(index)/\(count)] \(report)/\(run)"
            runStart = Date()
            if trainingStart == nil { trainingStart = runStart }
            starts[run] = Date()
            names[run] = current
            total = count
            if !quiet { emit("\(current): training \(steps) steps") }
        case .runRestored(let report, let run, let index, let count):
            if !quiet { emit("[\(index)/\(count)] \(report)/\(run): from the run store") }
        case .runCarriedOver(let report, let run):
            if !quiet { emit("\(names[run] ?? "\(report)/\(run)"): continues from the checkpoint committed to the results store") }
        case .trainingPlanned(let costs):
            self.costs = costs
        case .runProgress(let progress):
            fractions[progress.run] = Double(progress.step) / Double(max(1, progress.totalSteps))
            guard !quiet else { return }
            let now = Date()
            let interval = isTerminal ? 0.2 : 15
            guard now.timeIntervalSince(lastPrint) >= interval else { return }
            lastPrint = now
            let elapsed = now.timeIntervalSince(starts[progress.run] ?? runStart)
            let rate = Double(progress.step) / max(elapsed, 1e-9)
            let eta = rate > 0 ? Double(progress.totalSteps - progress.step) / rate : 0
            let text = String(format: "%@: step %d/%d  loss %.3e  %.0f steps/s  ETA %.0f s",
                              names[progress.run] ?? progress.run, progress.step, progress.totalSteps, progress.loss, rate, eta)
            running[progress.run] = text
            if isTerminal {
                // One line per running training, and an overall count, redrawn in place.
                let lines = running.keys.sorted().map { running[$0]! } + ["\(finished)/\(total) run(s) done" + overallETA(now)]
                var out = ""
                if drawnLines > 0 { out += "\u{1B}[\(drawnLines)A" }
                for line in lines { out += "\r\u{1B}[K" + line + "\n" }
                FileHandle.standardError.write(Data(out.utf8))
                drawnLines = lines.count
                liveLine = true
            } else {
                emit(text + overallETA(now))
            }
        case .runFinished(_, let run, let result):
            running[run] = nil
            fractions[run] = 1
            finished += 1
            let status = result.status == .ok
                ? String(format: "done in %.1f s, final loss %.3e", result.seconds, result.losses.last ?? .nan)
                : "FAILED: \(result.message ?? "")"
            if !quiet || result.status == .failed { emit("\(names[run] ?? run): \(status)") }
        case .figureFailed(let report, let figure, let message):
            emit("figure \(report)/\(figure) could not be drawn: \(message)")
        case .claimChecked(let report, let claim):
            if claim.verdict == .notReproduced || !quiet {
                emit("claim \(report)/\(claim.name): \(claim.verdict.words): \(claim.evidence)")
            }
        }
    }

    private var costs: [String: Double] = [:]
    private var fractions: [String: Double] = [:]
    private var trainingStart: Date?

    /// The overall ETA: the estimated training seconds of what is left (`RunCost.seconds`, from
    /// the engine's measured speed on each run's shapes), calibrated by how the estimate compares
    /// with the time taken so far (estimated seconds done per second since the first training
    /// started: parallel jobs and a loaded machine are accounted for). Empty until there is a
    /// measurement.
    func overallETA(_ now: Date) -> String {
        guard let trainingStart, !costs.isEmpty else { return "" }
        let total = costs.values.reduce(0, +)
        let done = costs.reduce(0) { $0 + $1.value * min(1, fractions[$1.key] ?? 0) }
        let elapsed = now.timeIntervalSince(trainingStart)
        guard done > 0, elapsed > 0.5, total > done else { return "" }
        let seconds = (total - done) * elapsed / done
        return " · overall ETA " + Self.duration(seconds)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }

    private var starts: [String: Date] = [:]
    private var names: [String: String] = [:]
    private var drawnLines = 0

    func finishLine() {
        if liveLine {
            var out = ""
            if drawnLines > 0 { out += "\u{1B}[\(drawnLines)A" }
            out += "\r\u{1B}[J"
            FileHandle.standardError.write(Data(out.utf8))
            liveLine = false
            drawnLines = 0
        }
    }

    private func emitJSON(_ event: BuildEvent) {
        var object: [String: Any]
        switch event {
        case .step(let name): object = ["event": "step", "step": name]
        case .runStarted(let report, let run, let index, let count, let steps):
            object = ["event": "run_started", "report": report, "run": run, "index": index, "count": count, "steps": steps]
        case .runRestored(let report, let run, let index, let count):
            object = ["event": "run_restored", "report": report, "run": run, "index": index, "count": count]
        case .runCarriedOver(let report, let run):
            object = ["event": "run_carried_over", "report": report, "run": run]
        case .runProgress(let p):
            let now = Date()
            guard now.timeIntervalSince(lastPrint) >= 1 else { return }
            lastPrint = now
            object = ["event": "run_progress", "run": p.run, "step": p.step, "steps": p.totalSteps, "loss": p.loss.isFinite ? p.loss : NSNull()]
        case .runFinished(let report, let run, let result):
            object = ["event": "run_finished", "report": report, "run": run, "status": result.status.rawValue,
                      "seconds": result.seconds, "message": result.message ?? NSNull()]
        case .figureFailed(let report, let figure, let message):
            object = ["event": "figure_failed", "report": report, "figure": figure, "message": message]
        case .claimChecked(let report, let claim):
            object = ["event": "claim", "report": report, "claim": claim.name, "verdict": claim.verdict.rawValue,
                      "evidence": claim.evidence]
        case .trainingPlanned(let costs):
            self.costs = costs
            object = ["event": "training_planned", "runs": costs.count, "cost": costs.values.reduce(0, +)]
        }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            FileHandle.standardError.write(data + Data("\n".utf8))
        }
    }

    private func emit(_ text: String) {
        finishLine()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
