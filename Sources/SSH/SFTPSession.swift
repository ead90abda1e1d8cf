import Foundation
import CLibSSH2

/// The SFTP subsystem of one SSH session, opened on first use and shut down in `deinit`
/// (before the session it keeps alive). Runs as the login user: no `become` here.
final class SFTPSession {
    private let session: SSHSession
    let handle: OpaquePointer

    init(session: SSHSession, deadline: Deadline) throws {
        self.session = session
        handle = try session.retrying(deadline) { libssh2_sftp_init(session.handle) }
    }

    deinit {
        let sftp = handle
        _ = try? session.retrying(Deadline(seconds: 2, what: "SFTP shutdown")) { libssh2_sftp_shutdown(sftp) }
    }

    /// The bytes of a file, or nil when it does not exist.
    func read(_ path: String, deadline: Deadline) throws -> [UInt8]? {
        try explained(path) {
            let file: SFTPFile
            do {
                file = try SFTPFile(sftp: self, session: session, path: path, flags: crucible_sftp_read_flags(), mode: 0, deadline: deadline)
            } catch let error as SSHError where error.code == LIBSSH2_ERROR_SFTP_PROTOCOL
                && libssh2_sftp_last_error(handle) == crucible_sftp_no_such_file() {
                return nil
            }
            let bytes = try file.readAll(deadline: deadline)
            try file.close(deadline: deadline)
            return bytes
        }
    }

    /// Turns libssh2's generic "SFTP Protocol Error" into the server's status for `path`.
    private func explained<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SSHError where error.code == LIBSSH2_ERROR_SFTP_PROTOCOL {
            let status = SFTPStatus.describe(libssh2_sftp_last_error(handle))
            throw SSHError(error.code, "SFTP: \(path): \(status)")
        }
    }

    /// Replaces a file: the bytes go to a new temp file beside it (created with `mode`),
    /// which is then renamed over the path. SFTP v3's rename refuses an existing
    /// destination, so replacing an existing file falls back to `replaceExisting`
    /// (an exec of `mv -f`), which keeps the swap atomic.
    func write(
        _ path: String, bytes: [UInt8], mode: Int, deadline: Deadline,
        replaceExisting: (_ temp: String, _ path: String) throws -> Void
    ) throws {
        let temp = Self.tempPath(beside: path)
        let file = try explained(path) { try SFTPFile(sftp: self, session: session, path: temp, flags: crucible_sftp_create_flags(), mode: mode, deadline: deadline) }
        do {
            try file.writeAll(bytes, deadline: deadline)
            try file.setMode(mode, deadline: deadline)
            try file.close(deadline: deadline)
            try rename(temp, to: path, deadline: deadline, replaceExisting: replaceExisting)
        } catch {
            try? file.close(deadline: deadline)
            try? unlink(temp, deadline: deadline)
            throw error
        }
    }

    private func rename(
        _ temp: String, to path: String, deadline: Deadline,
        replaceExisting: (_ temp: String, _ path: String) throws -> Void
    ) throws {
        let sftp = handle
        do {
            try session.retrying(deadline) { crucible_sftp_rename(sftp, temp, path) }
        } catch let error as SSHError where error.code == LIBSSH2_ERROR_SFTP_PROTOCOL {
            try replaceExisting(temp, path)
        }
    }

    func unlink(_ path: String, deadline: Deadline) throws {
        let sftp = handle
        try session.retrying(deadline) { crucible_sftp_unlink(sftp, path) }
    }

    /// A name in the same directory, so the final rename stays on one filesystem.
    static func tempPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return "\(directory)/.\(url.lastPathComponent).crucible-sftp-\(suffix)"
    }
}

/// One open SFTP file handle, closed by `close` or, failing that, in `deinit`.
final class SFTPFile {
    private let sftp: SFTPSession
    private let session: SSHSession
    private let handle: OpaquePointer
    private var closed = false
    private static let chunk = 64 * 1024

    init(sftp: SFTPSession, session: SSHSession, path: String, flags: UInt, mode: Int, deadline: Deadline) throws {
        self.sftp = sftp
        self.session = session
        handle = try session.retrying(deadline) { crucible_sftp_open(sftp.handle, path, flags, mode) }
    }

    deinit {
        try? close(deadline: Deadline(seconds: 2, what: "SFTP close"))
    }

    func close(deadline: Deadline) throws {
        guard !closed else { return }
        closed = true
        let file = handle
        try session.retrying(deadline) { crucible_sftp_close(file) }
    }

    func readAll(deadline: Deadline) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: Self.chunk)
        let file = handle
        while true {
            let count = try buffer.withUnsafeMutableBufferPointer { pointer in
                try session.retrying(deadline) { libssh2_sftp_read(file, pointer.baseAddress!, pointer.count) }
            }
            if count == 0 { return bytes }
            buffer.withUnsafeBytes { bytes.append(contentsOf: $0.prefix(count)) }
        }
    }

    func writeAll(_ bytes: [UInt8], deadline: Deadline) throws {
        var offset = 0
        let file = handle
        while offset < bytes.count {
            let end = min(offset + Self.chunk, bytes.count)
            let written = try bytes[offset..<end].withUnsafeBytes { raw in
                try session.retrying(deadline) {
                    libssh2_sftp_write(file, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
                }
            }
            offset += written
        }
    }

    /// Sets the mode explicitly: the mode given at open is filtered by the server's umask.
    func setMode(_ mode: Int, deadline: Deadline) throws {
        let file = handle
        try session.retrying(deadline) { crucible_sftp_fsetmode(file, UInt(mode)) }
    }
}

/// The SFTP status codes (`LIBSSH2_FX_*`) in words.
enum SFTPStatus {
    private static let words: [UInt: String] = [
        1: "end of file", 2: "no such file", 3: "permission denied", 4: "failure", 5: "bad message",
        6: "no connection", 7: "connection lost", 8: "operation unsupported", 9: "invalid handle",
        10: "no such path (a missing directory?)", 11: "file already exists", 12: "write protected",
        13: "no media", 14: "no space left on the filesystem", 15: "quota exceeded",
        18: "directory not empty", 19: "not a directory", 20: "invalid file name", 21: "link loop",
    ]

    static func describe(_ status: UInt) -> String {
        words[status] ?? "SFTP status \(status)"
    }
}
