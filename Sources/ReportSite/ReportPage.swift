import Experiments
import Foundation
import Ink

/// The data a report page is rendered from (Mustache context), and its downloads.
struct ReportPage {
    let report: Report
    let runs: [String: RunResult]
    let figures: [String: FigureFiles]
    let provenance: Provenance

    var failed: Bool {
        runs.values.contains { $0.status == .failed } || figures.values.contains { $0.error != nil }
    }

    func context() -> [String: Any] {
        let parser = MarkdownParser()
        var segments: [[String: Any]] = []
        for segment in report.segments {
            switch segment {
            case .prose(let markdown):
                segments.append(["isProse": true, "html": parser.html(from: markdown)])
            case .figure(let name):
                guard let spec = report.figures.first(where: { $0.name == name }) else { continue }
                segments.append(figureContext(spec))
            case .experiment(let name):
                guard let spec = report.experiments.first(where: { $0.name == name }) else { continue }
                segments.append(experimentContext(spec))
            }
        }
        let totalSeconds = runs.values.reduce(0) { $0 + $1.seconds }
        return [
            "title": report.title,
            "summary": report.summary,
            "root": "../",
            "source": report.file,
            "failed": failed,
            "segments": segments,
            "provenance": provenance.context,
            "runs": report.experiments.map { spec -> [String: Any] in
                let run = runs[spec.name]
                return [
                    "name": spec.name, "seed": spec.seed,
                    "seconds": String(format: "%.1f", run?.seconds ?? 0),
                    "ok": run?.status == .ok,
                ]
            },
            "totalSeconds": String(format: "%.1f", totalSeconds),
        ]
    }

    private func figureContext(_ spec: FigureSpec) -> [String: Any] {
        let files = figures[spec.name]
        var context: [String: Any] = [
            "isFigure": true, "name": spec.name, "caption": spec.caption,
            "svg": "figures/\(spec.name).svg", "png": "figures/\(spec.name).png",
            "darkSvg": "figures/\(spec.name)-dark.svg", "darkPng": "figures/\(spec.name)-dark.png",
            "csv": "figures/\(spec.name).csv",
            "alt": files?.altText ?? spec.caption,
        ]
        if let error = files?.error { context["error"] = error }
        return context
    }

    private func experimentContext(_ spec: ExperimentSpec) -> [String: Any] {
        let run = runs[spec.name]
        let frequencies = spec.task.frequencies.map(String.init).joined(separator: ", ")
        let batch = spec.train.batch.map { "minibatches of \($0)" } ?? "full batch"
        var rows: [[String: String]] = [
            ["key": "method", "value": spec.method == "mlp" ? "one network trained end to end (mlp)" : spec.method],
            ["key": "task", "value": "sum of sines, k = \(frequencies); \(spec.task.amplitudeProfile) amplitudes; \(spec.task.points) equispaced points on [0, 1)"],
            ["key": "network", "value": "widths \(spec.model.widths.map(String.init).joined(separator: "-")), \(spec.model.activation), init \(spec.model.initializer)"],
            ["key": "training", "value": "\(spec.train.optimizer), lr \(spec.train.learningRate), \(spec.train.steps) steps, \(batch), \(spec.train.precision)"],
            ["key": "seed", "value": "\(spec.seed)"],
            ["key": "profile", "value": spec.profile.isEmpty ? "none (the block's own values)" : spec.profile],
        ]
        if let run {
            rows.append(["key": "parameters", "value": "\(run.parameterCount)"])
            rows.append(["key": "training time", "value": String(format: "%.2f s", run.seconds)])
            if let rse = run.finalRSE { rows.append(["key": "final RSE on the grid", "value": String(format: "%.3e", rse)]) }
            if let loss = run.losses.last { rows.append(["key": "final training loss", "value": String(format: "%.3e", loss)]) }
        }
        var context: [String: Any] = [
            "isExperiment": true, "name": spec.name, "rows": rows, "json": "runs/\(spec.name).json",
        ]
        if let run, run.status == .failed { context["error"] = run.message ?? "the run failed" }
        if run == nil { context["error"] = "this run has no result" }
        return context
    }

    func runJSON() -> [(String, String)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return report.experiments.compactMap { spec in
            guard let run = runs[spec.name] else { return nil }
            struct Download: Encodable { let spec: ExperimentSpec; let result: RunResult }
            guard let data = try? encoder.encode(Download(spec: spec, result: run)) else { return nil }
            return (spec.name, String(decoding: data, as: UTF8.self))
        }
    }

    func indexEntry() -> [String: Any] {
        var entry: [String: Any] = [
            "id": report.id, "title": report.title, "summary": report.summary,
            "href": "\(report.id)/index.html", "failed": failed,
            "runCount": report.experiments.count, "figureCount": report.figures.count,
        ]
        if let thumbnail = report.thumbnail, figures[thumbnail]?.error == nil {
            entry["thumbnail"] = "\(report.id)/figures/\(thumbnail).png"
            entry["thumbnailAlt"] = figures[thumbnail]?.altText ?? ""
        }
        return entry
    }
}
