import Foundation
import Mustache

/// The Mustache templates of a template folder (`templates/` by default, or the user's own).
/// `*.mustache` files are templates; every other file (the stylesheet) is copied to the site root.
struct SiteTemplates {
    let directory: URL
    let library: MustacheLibrary
    static let required = ["layout", "index", "report", "run"]

    init(directory: URL) throws {
        self.directory = directory
        var library = MustacheLibrary()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            throw BuildError(step: "load templates", path: directory.path, message: "cannot read the template folder: \(error.localizedDescription)")
        }
        for name in names where name.hasSuffix(".mustache") {
            let url = directory.appendingPathComponent(name)
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                throw BuildError(step: "load templates", path: url.path, message: "cannot parse the template: \(error)")
            }
        }
        for name in Self.required where library.getTemplate(named: name) == nil {
            throw BuildError(step: "load templates", path: directory.appendingPathComponent("\(name).mustache").path,
                             message: "the template folder has no \(name).mustache")
        }
        self.library = library
    }

    func render(_ context: [String: Any], template: String) throws -> String {
        guard let html = library.render(context, withTemplate: template) else {
            throw BuildError(step: "pages", path: directory.appendingPathComponent("\(template).mustache").path, message: "no such template")
        }
        return html
    }

    func copyStaticFiles(to site: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names.sorted() where !name.hasSuffix(".mustache") && !name.hasPrefix(".") {
            let source = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            do {
                try write(Data(contentsOf: source), to: site.appendingPathComponent(name), step: "write site")
            } catch let error as BuildError {
                throw error
            } catch {
                throw BuildError(step: "write site", path: source.path, message: error.localizedDescription)
            }
        }
    }
}
