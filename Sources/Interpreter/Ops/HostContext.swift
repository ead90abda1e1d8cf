/// What an op sees of the host it runs on.
public protocol HostContext: Sendable {
    var target: HostTarget { get }
    var transport: any Transport { get }
    /// True in check mode: ops plan as usual; the interpreter applies nothing.
    var checkMode: Bool { get }
    /// Whether ops keep a backup of files they replace unless told `backup: false`.
    var backupsByDefault: Bool { get }
    /// The host's facts, gathered with one exec the first time they are asked for.
    func facts() async throws -> HostFacts
    /// Facts of another host of this run (its /etc/hosts name, say), over its own connection.
    func facts(of other: HostTarget) async throws -> HostFacts
    /// Called just before a file is replaced, with its previous bytes (nil: it did not
    /// exist), so a failed run can be rolled back.
    func willWrite(_ path: String, previous: [UInt8]?) async
    /// Called after a planned command ran: it may have changed what was read earlier
    /// (`effect` says what it may have changed).
    func didRunCommand(_ effect: CommandEffect) async
    /// A file's bytes (nil: it does not exist), from the run's cache when it has them; in
    /// check mode, as the changes planned before would leave it (`PlannedState`).
    func readFile(_ path: String) async throws -> [UInt8]?
    /// Check mode: takes in the plan of `op` as if it had been applied, so the ops after it
    /// plan on its result. Never called in a real run.
    func assume(_ plan: OpPlan, op: String) async
    /// Check mode: an op at `location` could not be planned; what it may change is unknown.
    func assumeUnknown(op: String, at location: String, mayChange: CommandEffect) async
    /// Runs a read-only command that reads the host's state (`iptables-save`, `systemctl
    /// is-active x`). Within a run the same probe is answered once until a planned command
    /// or a write may have changed a part of the state it reads (`Probe.reads`).
    func probe(_ probe: Probe) async throws -> CommandResult
    /// Runs a command that reads the host but may not be read-only (a recipe's `unless`
    /// check): never cached, and changes planned before it are applied first.
    func check(_ command: String) async throws -> CommandResult
    /// `check` with a time limit: the command and all it started are stopped on the host
    /// after `timeout` seconds (`CommandTimeout`); nil is `check(command)`.
    func check(_ command: String, timeout: Int?) async throws -> CommandResult
    /// `--command-timeout`: the limit of a recipe's own commands (`run`, `probe`) that give
    /// no `timeout:` of their own; nil: none.
    var commandTimeout: Int? { get }
    /// Applies a plan (never called in check mode). A run may queue the plan and apply it
    /// with the changes around it in one exec, before anything reads the host again; a plan
    /// that `wantsOutput` is applied before this returns, with what its commands printed.
    func apply(_ plan: OpPlan) async throws -> [CommandOutput]
    /// True when an earlier run changed what the op at `location` manages and stopped before
    /// its end on this host (`FollowUps`): the op then reports `changed`.
    func changedByUnfinishedRun(at location: String) async -> Bool
    /// The run's secret values: ops keep the backups of files that hold one private.
    var secrets: SecretMask? { get }
}

extension HostContext {
    public func willWrite(_ path: String, previous: [UInt8]?) async {}
    public func readFile(_ path: String) async throws -> [UInt8]? { try await transport.readFile(path) }
    public func assume(_ plan: OpPlan, op: String) async {}
    public func assumeUnknown(op: String, at location: String, mayChange: CommandEffect) async {}
    public func didRunCommand(_ effect: CommandEffect) async {}
    public func probe(_ probe: Probe) async throws -> CommandResult { try await transport.run(probe.command) }
    public func check(_ command: String) async throws -> CommandResult { try await transport.run(command) }
    public func changedByUnfinishedRun(at location: String) async -> Bool { false }
    public func check(_ command: String, timeout: Int?) async throws -> CommandResult {
        guard let timeout else { return try await check(command) }
        return try await OpExecutor.run(command, timeout: timeout, on: self)
    }
    public var commandTimeout: Int? { nil }
    public var secrets: SecretMask? { nil }
    public func apply(_ plan: OpPlan) async throws -> [CommandOutput] {
        try await OpExecutor.apply(plan.actions, effect: plan.effect, on: self)
    }
}
