/// What a command run on a host gave back.
public struct CommandResult: Sendable, Equatable {
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var status: Int32

    public init(stdout: [UInt8], stderr: [UInt8], status: Int32) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    public var succeeded: Bool { status == 0 }
}

/// How a file is written.
public struct WriteOptions: Sendable, Equatable {
    /// Keep the previous version under this path (a hard link, so it costs nothing and is
    /// atomic); nil for no backup. It is the file's path plus a suffix (`.crucible~`): the
    /// backup sits beside the file written, which for a symlink is the file it points to.
    public var backupPath: String?
    /// Mode for a file that did not exist yet (an existing file keeps its mode, owner and
    /// SELinux context).
    public var modeIfNew: String
    /// Explicit mode and owner to set (`"0644"`, `"root:root"`), when the op asks for them.
    public var mode: String?
    public var owner: String?

    public init(backupPath: String? = nil, modeIfNew: String = "0644", mode: String? = nil, owner: String? = nil) {
        self.backupPath = backupPath
        self.modeIfNew = modeIfNew
        self.mode = mode
        self.owner = owner
    }

    /// What the write script adds to the written file's name for its backup: empty for none.
    /// A backup path that is not the file's path plus a suffix gets the default suffix.
    package func backupSuffix(for path: String) -> String {
        guard let backupPath, backupPath != path else { return "" }
        return backupPath.hasPrefix(path) ? String(backupPath.dropFirst(path.count)) : Self.defaultBackupSuffix
    }

    public static let defaultBackupSuffix = ".crucible~"
}

/// Counters for the run report (`--json`): how much a host cost in round trips.
public struct TransportStats: Sendable, Equatable, Codable {
    public var connections = 0
    public var execChannels = 0
    /// Always 0: files move by commands since the SFTP stack went. The `--json` report keeps
    /// the key, which its formatVersion 1 promises (dropping it means formatVersion 2).
    public var sftpOperations = 0
    public var bytesWritten = 0
    public init() {}
}

/// Why talking to a host failed. `unreachable` and `disconnected` fail the whole host;
/// the others fail the op that caused them.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(host: String, reason: String)
    case hostKey(host: String, message: String)
    case authentication(host: String, message: String)
    case disconnected(host: String, reason: String)
    case timeout(host: String, what: String, seconds: Double)
    case io(host: String, message: String)

    public var host: String {
        switch self {
        case .unreachable(let host, _), .hostKey(let host, _), .authentication(let host, _),
             .disconnected(let host, _), .timeout(let host, _, _), .io(let host, _):
            return host
        }
    }

    /// True when the host can no longer be used for this run.
    public var isFatalForHost: Bool {
        switch self {
        case .unreachable, .hostKey, .authentication, .disconnected, .timeout: return true
        case .io: return false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let host, let reason): return "\(host): unreachable: \(reason)"
        case .hostKey(let host, let message): return "\(host): host key: \(message)"
        case .authentication(let host, let message): return "\(host): authentication failed: \(message)"
        case .disconnected(let host, let reason): return "\(host): connection lost: \(reason)"
        case .timeout(let host, let what, let seconds): return "\(host): \(what) timed out after \(seconds)s"
        case .io(let host, let message): return "\(host): \(message)"
        }
    }
}

/// One connection to one host, used by every op of a run on that host.
///
/// Implementations never block Swift's cooperative thread pool: blocking work (libssh2,
/// waiting for a child process) runs on threads of its own.
public protocol Transport: AnyObject, Sendable {
    var target: HostTarget { get }

    /// Opens the connection if it is not open yet; safe to call again.
    func connect() async throws

    /// Runs `command` with `/bin/sh -c` semantics on the host. The command must already be
    /// quoted with `ShellQuote`. `stdin` is written to the command's standard input, then closed.
    func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult

    /// The bytes of a file, or nil when it does not exist.
    func readFile(_ path: String) async throws -> [UInt8]?

    /// Replaces a file atomically: readers see either the old or the new bytes, never a mix.
    func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws

    func stats() -> TransportStats

    func close() async

    /// Starts `command` (quoted with `ShellQuote`) beside the other commands, to run until
    /// `stop()` or until the connection ends, whichever comes first: a process on the host
    /// whose life is the connection (the host lock's keeper). Nil when the transport has
    /// no such thing; then nothing was started.
    func startHeld(_ command: String) async throws -> (any HeldCommand)?
}

/// A command started with `Transport.startHeld`.
public protocol HeldCommand: Sendable {
    /// Closes the command's input (it sees end-of-file) and lets it go.
    func stop() async
}

extension Transport {
    public func run(_ command: String) async throws -> CommandResult {
        try await run(command, stdin: nil, timeout: nil)
    }

    public func startHeld(_ command: String) async throws -> (any HeldCommand)? { nil }
}
