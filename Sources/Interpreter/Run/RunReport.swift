/// One op call on one host, as the report and the live display show it.
public struct OpRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, changed, failed }
    public var op: String
    /// `file:line:col` of the call in the recipe.
    public var location: String
    public var status: Status
    public var diff: String
    public var commands: [String]
    public var reason: String?
    public var error: String?
    public var milliseconds: Int

    public init(op: String, location: String, status: Status, diff: String = "", commands: [String] = [],
                reason: String? = nil, error: String? = nil, milliseconds: Int = 0) {
        self.op = op
        self.location = location
        self.status = status
        self.diff = diff
        self.commands = commands
        self.reason = reason
        self.error = error
        self.milliseconds = milliseconds
    }
}

/// Everything that happened on one host during a run.
public struct HostReport: Sendable, Codable, Equatable {
    /// `hostKeyRefused`: never logged in, because the host key was changed, revoked or not
    /// known: a possible attack, which must not read as a network problem.
    public enum Status: String, Sendable, Codable { case ok, failed, unreachable, hostKeyRefused = "host_key_refused" }
    public var host: String
    public var address: String
    public var status: Status
    public var error: String?
    public var ops: [OpRecord]
    public var stats: TransportStats
    /// What `--rollback-on-failure` put back on this host after a failure.
    public var rolledBack: [String]?

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
}

/// The report of a whole run (`--json` prints it).
public struct RunReport: Sendable, Codable, Equatable {
    public var recipe: String
    public var checkMode: Bool
    public var hosts: [HostReport]
    /// An error outside any host (a runtime error in top-level code).
    public var error: String?

    public init(recipe: String, checkMode: Bool, hosts: [HostReport] = [], error: String? = nil) {
        self.recipe = recipe
        self.checkMode = checkMode
        self.hosts = hosts
        self.error = error
    }

    public var succeeded: Bool { error == nil && hosts.allSatisfy { $0.status == .ok } }
    public var changedCount: Int { hosts.reduce(0) { $0 + $1.changedCount } }
}

/// Receives run events as they happen, for the live display and `-v` output.
public protocol RunObserver: Sendable {
    func hostStarted(_ host: HostTarget, blockLocation: String)
    func opStarted(_ host: HostTarget, op: String, location: String)
    func opFinished(_ host: HostTarget, _ record: OpRecord)
    func hostFailed(_ host: HostTarget, _ report: HostReport)
    func log(_ host: HostTarget?, _ message: String)
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
