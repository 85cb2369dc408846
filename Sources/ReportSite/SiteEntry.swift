import Foundation

/// What the site-wide pages (index, search, KaTeX) need to know of one report, kept beside its
/// pages as `<report>/.site-entry.json`. `build --only A` builds A and takes every other report
/// from its entry and its folder in the current site, unchanged, so the index and the search
/// still list all of them.
struct SiteEntry {
    let id: String
    let title: String
    /// The index card's Mustache context.
    let entry: [String: Any]
    let docs: [SearchIndex.Document]
    let hasMath: Bool

    static let fileName = ".site-entry.json"

    init(page: ReportPage) {
        id = page.report.id
        title = page.report.title
        entry = page.indexEntry()
        docs = SearchIndex.documents(for: page)
        hasMath = page.hasMath
    }

    init?(json data: Data, id: String) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entry = object["entry"] as? [String: Any], let title = object["title"] as? String,
              let docsObject = object["docs"], let docsData = try? JSONSerialization.data(withJSONObject: docsObject),
              let docs = try? JSONDecoder().decode([SearchIndex.Document].self, from: docsData) else { return nil }
        self.id = id
        self.title = title
        self.entry = entry
        self.docs = docs
        self.hasMath = object["hasMath"] as? Bool ?? false
    }

    func json() throws -> Data {
        let docsObject = try JSONSerialization.jsonObject(with: JSONEncoder.sorted.encode(docs))
        return try JSONSerialization.data(withJSONObject: ["title": title, "entry": entry, "docs": docsObject, "hasMath": hasMath],
                                          options: [.sortedKeys, .prettyPrinted])
    }
}

extension SiteBuilder {
    /// Under `--only`: the reports not being built whose pages the current site holds (and whose
    /// notebook still exists) are copied into the staging folder as they are, and their entries
    /// returned. Without `--only`, or for a first build, nothing is kept.
    func keepOtherReports(built: Set<String>, into staging: URL) throws -> [SiteEntry] {
        guard !only.isEmpty else { return [] }
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: outputDirectory.path)) ?? []).sorted()
        var kept: [SiteEntry] = []
        for name in names where !built.contains(name) {
            let folder = outputDirectory.appendingPathComponent(name)
            guard fm.fileExists(atPath: reportsDirectory.appendingPathComponent("\(name).md").path),
                  let data = try? Data(contentsOf: folder.appendingPathComponent(SiteEntry.fileName)),
                  let entry = SiteEntry(json: data, id: name) else { continue }
            do {
                try fm.copyItem(at: folder, to: staging.appendingPathComponent(name))
            } catch {
                throw BuildError(step: "pages", path: folder.path, message: "cannot keep the pages of report \(name): \(error.localizedDescription)")
            }
            kept.append(entry)
        }
        return kept
    }
}
