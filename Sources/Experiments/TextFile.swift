import Foundation

/// Reads a report file as text, refusing what the YAML and Markdown readers would misplace: a
/// file too large, bytes that are not UTF-8 (with the line, column and byte offset of the first
/// bad byte) and NUL characters (with their line and column).
enum TextFile {
    struct Problem: Error {
        let line: Int
        let column: Int
        let message: String
    }

    static func read(_ url: URL) -> Result<String, Problem> {
        let data: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            if size > Limits.fileBytes {
                return .failure(Problem(line: 0, column: 0, message: "the file has \(size) bytes; a report may have at most \(Limits.fileBytes)"))
            }
            data = try Data(contentsOf: url)
        } catch {
            return .failure(Problem(line: 0, column: 0, message: "cannot read the file (\(reason(error)))"))
        }
        let bytes = [UInt8](data)
        var offset = 0, line = 1, lineStart = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\0" {
                    return .failure(Problem(line: line, column: offset - lineStart + 1,
                                            message: "the file contains a NUL character (byte offset \(offset)); remove it"))
                }
                if scalar == "\n" { line += 1; lineStart = offset + 1 }
                offset += UTF8.width(scalar)
            case .emptyInput:
                break loop
            case .error:
                return .failure(Problem(line: line, column: offset - lineStart + 1,
                                        message: "the file is not valid UTF-8: byte 0x\(String(format: "%02X", bytes[offset])) at byte offset \(offset); save it as UTF-8"))
            }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// A file error in words, without Foundation's domain and code or the file's absolute path.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        var posix = ns.domain == NSPOSIXErrorDomain ? ns.code : nil
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain { posix = underlying.code }
        if let posix { return String(cString: strerror(Int32(posix))).lowercased() }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        default: return ns.domain == NSCocoaErrorDomain ? "file error \(ns.code)" : "\(error)"
        }
    }
}
