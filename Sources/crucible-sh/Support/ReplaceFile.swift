import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a local file's contents atomically: the new bytes go to a temp file in the same
/// directory (so the rename stays on one filesystem) that gets the original's permissions,
/// then the temp file is renamed over the original. A reader sees the old file or the new
/// one, never half of it; on any failure the original is untouched.
enum ReplaceFile {
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "cannot write `\(path)`: \(reason)" }
    }

    static func atomically(_ path: String, contents: String) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.crucible-fmt.XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        let temp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            close(descriptor)
            if !ok { unlink(temp) }
        }
        var info = stat()
        if stat(path, &info) == 0 { fchmod(descriptor, info.st_mode & 0o7777) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
            written += count
        }
        guard fsync(descriptor) == 0, rename(temp, path) == 0 else {
            throw Failure(path: path, reason: String(cString: strerror(errno)))
        }
        ok = true
    }
}
