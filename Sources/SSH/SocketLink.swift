import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The byte stream under one SSH session: a TCP socket, one end of a socket pair that a
/// jump host relays through a channel of its own connection, or one end of a socket pair
/// whose other end is a ProxyCommand's stdin and stdout. Owns the descriptor and what
/// keeps the stream going, and releases both in `deinit` (after the session is freed).
final class SocketLink {
    let fd: Int32
    /// A TCP socket (it gets TCP_QUICKACK before each wait); socket pairs do not.
    let isTCP: Bool
    private let process: ProxyCommandProcess?
    private let onClose: (() -> Void)?

    private init(fd: Int32, isTCP: Bool, process: ProxyCommandProcess? = nil, onClose: (() -> Void)? = nil) {
        self.fd = fd
        self.isTCP = isTCP
        self.process = process
        self.onClose = onClose
    }

    deinit {
        close(fd)
        onClose?()
    }

    /// A TCP connection (see `TCPSocket`).
    static func tcp(address: String, port: Int, family: Int32, deadline: Deadline) throws -> SocketLink {
        SocketLink(fd: try TCPSocket.connect(address: address, port: port, family: family, deadline: deadline), isTCP: true)
    }

    /// One end of a socket pair whose other end someone else relays; `onClose` runs when
    /// the session is done with it.
    static func relayed(_ fd: Int32, onClose: @escaping () -> Void) -> SocketLink {
        SocketLink(fd: fd, isTCP: false, onClose: onClose)
    }

    /// Starts `command` with `/bin/sh -c`, its stdin and stdout on a socket pair, as
    /// OpenSSH runs a ProxyCommand.
    static func proxyCommand(_ command: String, host: String) throws -> SocketLink {
        let (ours, theirs) = try socketPair()
        defer { close(theirs) }
        do {
            let process = try ProxyCommandProcess(command: command, host: host, socket: theirs)
            return SocketLink(fd: ours, isTCP: false, process: process)
        } catch {
            close(ours)
            throw error
        }
    }

    /// Why the stream ended, when its ProxyCommand has exited: its status and what it said.
    func endNote() -> String? { process?.exitNote() }

    /// A non-blocking, close-on-exec stream socket pair.
    static func socketPair() throws -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &ends) == 0 else {
            throw ConnectFailure.unreachable("cannot create a socket pair: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }
}

/// A running ProxyCommand: its own process group, stderr in an unlinked temp file (read
/// only to explain a failure), ended with SIGTERM when the session is done.
final class ProxyCommandProcess {
    let command: String
    let pid: pid_t
    private let stderrFile: Int32
    private var status: Int32?

    init(command: String, host: String, socket: Int32) throws {
        self.command = command
        var template = Array("/tmp/crucible-proxy.XXXXXX".utf8CString)
        stderrFile = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard stderrFile >= 0 else {
            throw ConnectFailure.unreachable("cannot create a temp file for the ProxyCommand of \(host): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(stderrFile, F_SETFD, FD_CLOEXEC)
        do {
            pid = try ChildProcess.spawn(["/bin/sh", "-c", "exec " + command], stdin: socket, stdout: socket, stderr: stderrFile)
        } catch {
            close(stderrFile)
            throw ConnectFailure.configuration("ProxyCommand \(command) for \(host) cannot be started: \(error)")
        }
    }

    /// "ProxyCommand `nc ...` exited with status 127: sh: 1: exec: nc: not found", once it has exited.
    func exitNote() -> String? {
        // Called when the stream failed: a command that is exiting gets a moment to be reaped.
        for _ in 0..<50 where status == nil {
            status = ChildProcess.exitStatusIfEnded(pid)
            if status == nil { usleep(10_000) }
        }
        guard let status else { return nil }
        var bytes = [UInt8](repeating: 0, count: 2048)
        let count = max(0, pread(stderrFile, &bytes, bytes.count, 0))
        let said = String(decoding: bytes[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return "ProxyCommand `\(command)` exited with status \(status)" + (said.isEmpty ? "" : ": " + said)
    }

    deinit {
        if status == nil {
            kill(-pid, SIGTERM)
            _ = ChildProcess.wait(pid)
        }
        close(stderrFile)
    }
}
