import Foundation
import CLibSSH2
import Interpreter

/// The host key a server presented in the handshake.
struct PresentedHostKey {
    let blob: [UInt8]
    let type: HostKeyType
    /// `SHA256:` and the unpadded base64 of the key's SHA-256, like OpenSSH prints it.
    let fingerprint: String

    init(session: SSHSession) throws {
        var length = 0
        var rawType: Int32 = 0
        guard let key = libssh2_session_hostkey(session.handle, &length, &rawType), length > 0 else {
            throw ConnectFailure.hostKey("the server presented no host key")
        }
        guard let type = HostKeyType(sessionType: rawType) else {
            throw ConnectFailure.hostKey("the server's host key type (\(rawType)) is not supported")
        }
        blob = key.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        self.type = type
        let digest = libssh2_hostkey_hash(session.handle, LIBSSH2_HOSTKEY_HASH_SHA256)
        let bytes = digest.map { pointer in
            pointer.withMemoryRebound(to: UInt8.self, capacity: 32) { Array(UnsafeBufferPointer(start: $0, count: 32)) }
        } ?? []
        fingerprint = "SHA256:" + Data(bytes).base64EncodedString().replacingAll("=", with: "")
    }

    /// The algorithm name inside the blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...).
    var algorithmName: String {
        guard blob.count >= 4 else { return type.methodNames[0] }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard blob.count >= 4 + length else { return type.methodNames[0] }
        return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// The known_hosts line that records this key for `host` on `port`.
    func knownHostsLine(host: String, port: Int) -> String {
        "\(KnownHostsFile.hostField(host: host, port: port)) \(algorithmName) \(Data(blob).base64EncodedString())"
    }
}

/// Checks the presented host key against known_hosts, OpenSSH style: a known key goes on,
/// an unknown host is refused (or recorded with `acceptNew`), a changed key is always
/// refused, loudly.
struct HostKeyVerifier {
    let knownHostsPath: String
    let acceptNew: Bool

    func verify(_ key: PresentedHostKey, known: KnownHostsFile, host: String, port: Int) throws {
        let place = port == 22 ? host : "\(host) port \(port)"
        switch known.check(host: host, port: port, key: key.blob, type: key.type) {
        case .match:
            return
        case .mismatch(let line):
            throw ConnectFailure.hostKey(changedMessage(key, place: place, host: host, port: port, line: line))
        case .notFound:
            guard acceptNew else { throw ConnectFailure.hostKey(unknownMessage(key, place: place, host: host, port: port)) }
            try KnownHostsAppender.append(key.knownHostsLine(host: host, port: port), to: knownHostsPath)
        }
    }

    private func unknownMessage(_ key: PresentedHostKey, place: String, host: String, port: Int) -> String {
        let portFlag = port == 22 ? "" : "-p \(port) "
        return """
        the host key of \(place) is not known: \(key.type.shortName.uppercased()) key \(key.fingerprint) \
        is not in \(knownHostsPath). If you trust this fingerprint, rerun with --accept-new-host-keys, \
        or record it with: ssh-keyscan \(portFlag)-t \(key.type.shortName) \(host) >> \(knownHostsPath)
        """
    }

    private func changedMessage(_ key: PresentedHostKey, place: String, host: String, port: Int, line: Int?) -> String {
        let oldLine = line.map { "line \($0) of \(knownHostsPath)" } ?? "the old entry in \(knownHostsPath)"
        return """
        WARNING: the host key for \(place) has CHANGED: it is now \(key.type.shortName.uppercased()) key \
        \(key.fingerprint), which does not match \(oldLine). Someone could be eavesdropping on you \
        right now (possible man-in-the-middle attack), or the host was reinstalled. Refusing to connect. \
        If the change is expected, remove the old \(oldLine) \
        (ssh-keygen -R \(ShellQuote.quote(KnownHostsFile.hostField(host: host, port: port))) -f \(knownHostsPath)) \
        and connect again.
        """
    }
}

extension KnownHostsFile {
    /// How known_hosts names a host: bare on port 22, `[host]:port` otherwise.
    static func hostField(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }
}

/// Appends lines to a known_hosts file, safely from several hosts (threads) and
/// processes at once: a process-wide lock plus `flock(2)`, one `write(2)` with O_APPEND.
enum KnownHostsAppender {
    private static let lock = NSLock()

    static func append(_ line: String, to path: String) throws {
        lock.lock()
        defer { lock.unlock() }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConnectFailure.hostKey("cannot record the host key in \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let text = (endsWithoutNewline(fd) ? "\n" : "") + line + "\n"
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count else {
            throw ConnectFailure.hostKey("cannot record the host key in \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func endsWithoutNewline(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, info.st_size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
