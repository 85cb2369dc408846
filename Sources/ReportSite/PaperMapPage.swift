import Experiments
import Foundation

/// `papers.html`: the papers' map (`reports/papers.yml`, see `PaperMap`) with, for each item,
/// links to where our reports show it and the verdicts of the claims it names, read from the
/// reports' index entries (so a `build --only` keeps the verdicts of the reports it did not build).
enum PaperMapPage {
    static let fileName = "papers.html"

    /// The page's Mustache context; `entries` are the reports' index entries (`SiteEntry.entry`).
    static func context(_ map: PaperMap, entries: [[String: Any]], index: [String: Any]) -> [String: Any] {
        let byID = Dictionary(entries.compactMap { e in (e["id"] as? String).map { ($0, e) } }, uniquingKeysWith: { a, _ in a })
        var context = index
        var overview: [[String: Any]] = []
        context["papers"] = map.papers.map { paper -> [String: Any] in
            var tally = Tally()
            var shownCount = 0
            let items = paper.items.map { item -> [String: Any] in
                if !item.shown.isEmpty { shownCount += 1 }
                return itemContext(item, byID: byID, tally: &tally)
            }
            let summary = "\(shownCount) of \(paper.items.count) item\(paper.items.count == 1 ? "" : "s") shown"
                + (tally.isEmpty ? "" : "; claims: " + tally.words)
            overview.append(["key": paper.key, "title": paper.title, "short": paper.short, "summary": summary,
                             "anyNotReproduced": tally.notReproduced > 0])
            var c: [String: Any] = [
                "key": paper.key, "title": paper.title, "authors": paper.authors,
                "venue": paper.venue.contains(String(paper.year)) ? paper.venue : "\(paper.venue), \(paper.year)",
                "summary": paper.summary, "items": items, "tally": summary,
            ]
            if let url = paper.url { c["url"] = url }
            return c
        }
        context["overview"] = overview
        context["title"] = "The papers, item by item"
        return context
    }

    /// Claims per verdict over an item or a paper.
    struct Tally {
        var reproduced = 0, notReproduced = 0, notRun = 0, missing = 0
        var isEmpty: Bool { reproduced + notReproduced + notRun + missing == 0 }
        var words: String {
            [(reproduced, "reproduced"), (notReproduced, "not reproduced"), (notRun, "not run at this profile"), (missing, "not checked")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        }
        mutating func add(_ verdict: String?) {
            switch verdict.flatMap(ClaimVerdict.init(rawValue:)) {
            case .reproduced: reproduced += 1
            case .notReproduced: notReproduced += 1
            case .notRun: notRun += 1
            case nil: missing += 1
            }
        }
        static func += (a: inout Tally, b: Tally) {
            a.reproduced += b.reproduced; a.notReproduced += b.notReproduced; a.notRun += b.notRun; a.missing += b.missing
        }
    }

    private static func itemContext(_ item: PaperMap.Item, byID: [String: [String: Any]], tally paperTally: inout Tally) -> [String: Any] {
        var tally = Tally()
        // The places, one entry per report (its title once, then its figures and tables).
        var places: [[String: Any]] = []
        func place(href: String, text: String, report: String, title: String) {
            let link = ["href": href, "text": text]
            if let last = places.indices.last, places[last]["id"] as? String == report {
                places[last]["links"] = (places[last]["links"] as? [[String: String]] ?? []) + [link]
            } else {
                places.append(["id": report, "report": title, "reportHref": "\(report)/index.html", "links": [link]])
            }
        }
        var claims: [[String: Any]] = []
        for anchor in item.shown {
            let entry = byID[anchor.report]
            let title = entry?["title"] as? String ?? anchor.report
            let href = "\(anchor.report)/index.html" + (anchor.fragment.map { "#\($0)" } ?? "")
            switch anchor.kind {
            case .claim:
                let verdict = (entry?["claimVerdicts"] as? [String: String])?[anchor.name!]
                tally.add(verdict)
                let v = verdict.flatMap(ClaimVerdict.init(rawValue:))
                claims.append([
                    "href": href, "name": anchor.name!, "report": title,
                    "mark": v.map { ["reproduced": "✓", "not_reproduced": "✗", "not_run": "–"][$0.rawValue]! } ?? "?",
                    "verdict": v?.words ?? "not checked (the report is not in this site)",
                    "verdictClass": (v?.rawValue ?? "not_run").replacingOccurrences(of: "_", with: "-"),
                ])
            case .figure, .table:
                place(href: href, text: "\(anchor.kind!.rawValue) \(anchor.name!)", report: anchor.report, title: title)
            case nil:
                place(href: href, text: "the report", report: anchor.report, title: title)
            }
        }
        paperTally += tally
        var context: [String: Any] = [
            "label": item.label, "finding": item.finding, "places": places, "claims": claims,
            "hasClaims": !claims.isEmpty, "shown": !item.shown.isEmpty,
            "verdictText": item.shown.isEmpty ? "not shown" : (tally.isEmpty ? "shown; no checked claim" : tally.words),
            "statusClass": item.shown.isEmpty ? "not-shown" : (tally.notReproduced > 0 ? "not-reproduced" : (tally.reproduced > 0 ? "reproduced" : "shown")),
        ]
        if let missing = item.missing { context["missing"] = missing }
        return context
    }
}
