/// One command an op ran on a host: its exit status and what it printed, each stream kept
/// up to `limit` bytes (its end, where the reason for a failure usually is).
public struct CommandOutput: Sendable, Codable, Equatable {
    public var command: String
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var milliseconds: Int

    /// Bytes kept of each stream.
    public static let limit = 64 * 1024

    public init(command: String, status: Int32, stdout: String, stderr: String, milliseconds: Int = 0) {
        self.command = command
        self.status = status
        self.stdout = Self.bounded(stdout)
        self.stderr = Self.bounded(stderr)
        self.milliseconds = milliseconds
    }

    /// The text's last `limit` bytes (whole lines), after a note of what was left out.
    static func bounded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > limit else { return text }
        var tail = bytes.suffix(limit)
        if let newline = tail.firstIndex(of: UInt8(ascii: "\n")) { tail = tail[(newline + 1)...] }
        return "[\(bytes.count - tail.count) earlier bytes not kept]\n" + String(decoding: tail, as: UTF8.self)
    }
}

/// A `log(...)` line, where it came in the run: after `afterOps` op records of its host.
public struct LogLine: Sendable, Codable, Equatable {
    public var message: String
    public var location: String?
    public var afterOps: Int

    public init(message: String, location: String? = nil, afterOps: Int = 0) {
        self.message = message
        self.location = location
        self.afterOps = afterOps
    }
}

/// Everything that happened on one host during a run.
public struct HostReport: Sendable, Codable, Equatable {
    /// `hostKeyRefused`: never logged in, because the host key was changed, revoked or not
    /// known: a possible attack, which must not read as a network problem.
    /// `interrupted`: the run was interrupted (Ctrl-C) while this host was under way or
    /// before it started; `failedAt` says where it stopped.
    public enum Status: String, Sendable, Codable { case ok, failed, unreachable, hostKeyRefused = "host_key_refused", interrupted }
    public var host: String
    public var address: String
    public var status: Status
    public var error: String?
    public var ops: [OpRecord]
    public var stats: TransportStats
    /// What `--rollback-on-failure` put back on this host after a failure.
    public var rolledBack: [String]?
    /// Where the op whose failure failed the host is (its record says why); nil when the
    /// host failed outside any op record (unreachable, a runtime error).
    public var failedAt: String?
    /// The host's `log(...)` lines and notes (waiting for a lock), in order.
    public var logs: [LogLine] = []

    public init(host: String, address: String) {
        self.host = host
        self.address = address
        self.status = .ok
        self.ops = []
        self.stats = TransportStats()
    }

    public var changedCount: Int { ops.filter { $0.status == .changed }.count }
    public var okCount: Int { ops.filter { $0.status == .ok }.count }
    public var failedCount: Int { ops.filter { $0.status == .failed }.count }
    public var unknownCount: Int { ops.filter { $0.status == .unknown }.count }
}

/// The report of a whole run (`--json` prints it).
public struct RunReport: Sendable, Codable, Equatable {
    public var recipe: String
    public var checkMode: Bool
    public var hosts: [HostReport]
    /// An error outside any host (a runtime error in top-level code).
    public var error: String?
    /// `log(...)` lines outside any host, and notes about skipped blocks.
    public var logs: [LogLine] = []

    public init(recipe: String, checkMode: Bool, hosts: [HostReport] = [], error: String? = nil) {
        self.recipe = recipe
        self.checkMode = checkMode
        self.hosts = hosts
        self.error = error
    }

    public var succeeded: Bool { error == nil && hosts.allSatisfy { $0.status == .ok } }
    public var changedCount: Int { hosts.reduce(0) { $0 + $1.changedCount } }
    public var unknownCount: Int { hosts.reduce(0) { $0 + $1.unknownCount } }
    /// Whether the run changed, or in check mode would change, something (or could not
    /// tell): what `--detailed-exitcode` reports.
    public var hasChanges: Bool { changedCount > 0 || unknownCount > 0 }
}

/// Receives run events as they happen, for the live display and `-v` output.
public protocol RunObserver: Sendable {
    func hostStarted(_ host: HostTarget, blockLocation: String)
    func opStarted(_ host: HostTarget, op: String, location: String)
    func opFinished(_ host: HostTarget, _ record: OpRecord)
    func hostFailed(_ host: HostTarget, _ report: HostReport)
    func log(_ host: HostTarget?, _ message: String)
    /// An op was decided and its record waits for changes queued before it (its own
    /// included) to be applied; `opFinished` follows when they are.
    func opQueued(_ host: HostTarget, _ record: OpRecord)
    /// A batch of `changes` queued changes starts on the host.
    func batchStarted(_ host: HostTarget, changes: Int)
}

extension RunObserver {
    public func opQueued(_ host: HostTarget, _ record: OpRecord) {}
    public func batchStarted(_ host: HostTarget, changes: Int) {}
}

/// An observer that ignores everything.
public struct SilentObserver: RunObserver {
    public init() {}
    public func hostStarted(_ host: HostTarget, blockLocation: String) {}
    public func opStarted(_ host: HostTarget, op: String, location: String) {}
    public func opFinished(_ host: HostTarget, _ record: OpRecord) {}
    public func hostFailed(_ host: HostTarget, _ report: HostReport) {}
    public func log(_ host: HostTarget?, _ message: String) {}
}
