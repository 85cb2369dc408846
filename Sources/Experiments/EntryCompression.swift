import CLZMA
import Foundation

/// The compressed form of a store entry's file: the committed results store keeps each entry's
/// `result.json` as `result.json.xz` (`freeze`; `freeze --reencode` converts a store in place).
/// The entry's digest stays the SHA-256 of the uncompressed bytes, so run keys, `digest.json` and
/// `verify-store` are the same for either form, a store may hold both, and every read checks the
/// decompressed bytes against the digest.
///
/// The format is xz (LZMA2, liblzma's preset 6, CRC-64 check, one stream), written by liblzma's
/// single-threaded buffer encoder: the same bytes give the same file. xz and not zlib, measured
/// on the committed results (70 entries, 12.58 MB of JSON): zlib at level 9 gives 4.91 MB and
/// xz 3.81 MB; and since git already stores every blob deflated, a zlib-compressed file takes as
/// much room in the repository as the JSON it replaces (4.82 MB packed either way), while the xz
/// files pack to 3.78 MB (docs/committed-results.md).
public enum EntryCompression {
    /// The suffix of a compressed file: `result.json.xz`.
    public static let suffix = ".xz"
    /// liblzma's preset (6: its default; 9 and "extreme" gained less than 1% on these files).
    static let preset: UInt32 = 6
    /// The most bytes a compressed file may expand to (a damaged or hostile file is refused).
    static let limit = 1 << 32

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// `data` compressed (deterministic: the same bytes and liblzma give the same file).
    public static func compress(_ data: Data) throws -> Data {
        let bound = lzma_stream_buffer_bound(data.count)
        var output = Data(count: bound)
        var written = 0
        let status = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, nil, input.bindMemory(to: UInt8.self).baseAddress, data.count,
                                        out.bindMemory(to: UInt8.self).baseAddress, &written, bound)
            }
        }
        guard status == LZMA_OK else { throw Failure(message: "xz compression failed (liblzma status \(status.rawValue))") }
        output.count = written
        return output
    }

    /// The bytes `compress` was given; throws on a damaged, truncated or trailing-garbage file.
    public static func decompress(_ data: Data) throws -> Data {
        var stream = lzma_stream()
        guard lzma_stream_decoder(&stream, UInt64.max, 0) == LZMA_OK else {
            throw Failure(message: "cannot start the xz decoder")
        }
        defer { lzma_end(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try data.withUnsafeBytes { input in
            stream.next_in = input.bindMemory(to: UInt8.self).baseAddress
            stream.avail_in = data.count
            while true {
                let status: lzma_ret = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = buffer.count
                    let status = lzma_code(&stream, LZMA_FINISH)
                    output.append(buffer.baseAddress!, count: buffer.count - stream.avail_out)
                    return status
                }
                if status == LZMA_STREAM_END { break }
                guard status == LZMA_OK else { throw Failure(message: "not a whole xz stream (liblzma status \(status.rawValue))") }
                guard output.count <= limit else { throw Failure(message: "expands beyond \(limit) bytes") }
            }
            guard stream.avail_in == 0 else { throw Failure(message: "bytes after the end of the xz stream") }
        }
        return output
    }
}
