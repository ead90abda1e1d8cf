import OrderedCollections

/// One step that changes a host. Plans are lists of these; check mode shows them, a real
/// run applies them in order.
public enum PlannedAction: Sendable, Equatable {
    /// Replace (or create) a file. `before` is nil when the file does not exist yet.
    case writeFile(path: String, before: [UInt8]?, after: [UInt8], options: WriteOptions)
    /// Run a shell command (built with `ShellQuote`), described for humans by `summary`.
    /// `timeout`: seconds after which the command is stopped on the host with every process
    /// it started (`CommandTimeout`), and the op fails; nil: no limit.
    case run(command: String, summary: String, timeout: Int? = nil)
    /// A read-only shell test that must pass before the actions after it: the state they
    /// were planned from still holds (changes are applied a while after the reads, in
    /// batches). Not listed among the op's commands; when it fails, `summary` says why and
    /// nothing after it runs.
    case verify(command: String, summary: String)

    public var summary: String {
        switch self {
        case .writeFile(let path, let before, _, _): return before == nil ? "create \(path)" : "edit \(path)"
        case .run(_, let summary, _), .verify(_, let summary): return summary
        }
    }
}

/// What an op decided: the actions that close the gap between the host and the request,
/// or none with the reason nothing is needed.
public struct OpPlan: Sendable {
    public var actions: [PlannedAction]
    /// Why there is nothing to do, when that is not obvious ("SELinux is disabled").
    public var reason: String?
    /// Extra fields for the op's result record.
    public var details: OrderedDictionary<String, Value>
    /// What the plan's commands may change of what the run has already read, so cached reads
    /// that stay true are kept (a `systemctl restart` does not change `iptables-save`).
    public var effect: CommandEffect
    /// The op's result holds what its commands printed (`run`'s `stdout`, `stderr`, `rc`):
    /// its changes are applied at once, not queued with later ones.
    public var wantsOutput = false
    /// `file:line:col` of the call that made the plan (set by `OpExecutor`).
    public var calledAt: String?
    /// What the plan's writes change besides the files' bytes and paths, once in place (a
    /// drop-in written makes systemd's loaded units stale): `effect` is about its commands only.
    public var writesChange: Set<HostState> = []
    /// What probes answer once the plan is applied, where the op knows (the status of a
    /// service it starts): check mode plans the ops after it on these (`PlannedState`).
    public var predicts: [Probe: CommandResult] = [:]
    /// What every probe reading a part of the state answers once the plan is applied, where
    /// the op knows it for all of them (`daemon-reload`: `NeedDaemonReload=no` for every unit).
    public var predictsReading: [HostState: CommandResult] = [:]

    public init(actions: [PlannedAction] = [], reason: String? = nil, details: OrderedDictionary<String, Value> = [:],
                effect: CommandEffect = .anything, wantsOutput: Bool = false) {
        self.actions = actions
        self.reason = reason
        self.details = details
        self.effect = effect
        self.wantsOutput = wantsOutput
    }

    public static func noChange(_ reason: String? = nil, details: OrderedDictionary<String, Value> = [:]) -> OpPlan {
        OpPlan(actions: [], reason: reason, details: details)
    }

    public var changes: Bool { !actions.isEmpty }
}
