import Foundation

/// Appends lines to a known_hosts file, safely from several hosts (threads) and
/// processes at once: a process-wide lock plus `flock(2)`, one `write(2)` with O_APPEND.
enum KnownHostsAppender {
    private static let lock = NSLock()

    /// What one append did, seen under the file lock: the file's version just before the
    /// write, the bytes written, and its version after. A cache of the file that held the
    /// version before can add the bytes instead of reading the file again.
    struct Appended {
        let before: FileStamp?
        let bytes: [UInt8]
        let after: FileStamp?
    }

    @discardableResult
    static func append(_ line: String, to path: String) throws -> Appended {
        lock.lock()
        defer { lock.unlock() }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Read-write, not write-only: `endsWithoutNewline` reads the last byte, and on a
        // write-only descriptor that read fails, gluing the new line onto the last one.
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConnectFailure.hostKey("cannot record the host key in \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let before = FileStamp(descriptor: fd)
        let bytes = Array(((endsWithoutNewline(fd) ? "\n" : "") + line + "\n").utf8)
        let written = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ConnectFailure.hostKey("cannot record the host key in \(path): \(String(cString: strerror(errno)))")
        }
        return Appended(before: before, bytes: bytes, after: FileStamp(descriptor: fd))
    }

    private static func endsWithoutNewline(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, info.st_size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
