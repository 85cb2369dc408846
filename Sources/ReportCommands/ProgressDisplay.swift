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

    init(quiet: Bool) { self.quiet = quiet }

    func handle(_ event: BuildEvent) {
        switch event {
        case .step(let name):
            if !quiet && !isTerminal { emit("[\(name)]") }
        case .runStarted(let report, let run, let index, let count, let steps):
            current = "[\(index)/\(count)] \(report)/\(run)"
            runStart = Date()
            if !quiet { emit("\(current): training \(steps) steps") }
        case .runRestored(let report, let run, let index, let count):
            if !quiet { emit("[\(index)/\(count)] \(report)/\(run): from the run store") }
        case .runProgress(let progress):
            guard !quiet else { return }
            let now = Date()
            let interval = isTerminal ? 0.2 : 15
            guard now.timeIntervalSince(lastPrint) >= interval else { return }
            lastPrint = now
            let elapsed = now.timeIntervalSince(runStart)
            let rate = Double(progress.step) / max(elapsed, 1e-9)
            let eta = rate > 0 ? Double(progress.totalSteps - progress.step) / rate : 0
            let text = String(format: "%@: step %d/%d  loss %.3e  %.0f steps/s  ETA %.0f s",
                              current, progress.step, progress.totalSteps, progress.loss, rate, eta)
            if isTerminal {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
                liveLine = true
            } else {
                emit(text)
            }
        case .runFinished(_, _, let result):
            let status = result.status == .ok
                ? String(format: "done in %.1f s, final loss %.3e", result.seconds, result.losses.last ?? .nan)
                : "FAILED: \(result.message ?? "")"
            if !quiet || result.status == .failed { emit("\(current): \(status)") }
        case .figureFailed(let report, let figure, let message):
            emit("figure \(report)/\(figure) could not be drawn: \(message)")
        }
    }

    func finishLine() {
        if liveLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); liveLine = false }
    }

    private func emit(_ text: String) {
        finishLine()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
