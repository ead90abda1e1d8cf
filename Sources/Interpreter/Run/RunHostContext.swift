/// What an op sees of the host it runs on, in a run or an interactive session: its reads
/// and changes go through the host's pipeline (`HostPipeline`).
struct RunHostContext: HostContext {
    let target: HostTarget
    let pipeline: HostPipeline
    let checkMode: Bool
    let backupsByDefault: Bool
    let sessions: RunHosts
    /// Where follow-ups of an earlier, unfinished run are read from; nil: none are.
    var followUps: FollowUps? = nil
    var secrets: SecretMask? = nil
    var commandTimeout: Int? = nil

    var transport: any Transport { pipeline.cache }

    func facts() async throws -> HostFacts { try await sessions.facts(for: target) }
    func facts(of other: HostTarget) async throws -> HostFacts { try await sessions.facts(for: other) }
    func readFile(_ path: String) async throws -> [UInt8]? { try await pipeline.readFile(path) }
    func probe(_ probe: Probe) async throws -> CommandResult { try await pipeline.probe(probe) }

    func check(_ command: String) async throws -> CommandResult {
        try await check(command, timeout: nil)
    }

    func check(_ command: String, timeout: Int?) async throws -> CommandResult {
        try await pipeline.beforeCheck(command)
        // A recipe's `unless` may hold a secret: it goes on stdin then.
        return try await OpExecutor.run(command, timeout: timeout, on: self)
    }

    func apply(_ plan: OpPlan) async throws -> [CommandOutput] { try await pipeline.apply(plan) }
    func assume(_ plan: OpPlan, op: String) async { pipeline.assume(plan, op: op) }
    func assumeUnknown(op: String, at location: String, mayChange: CommandEffect) async {
        pipeline.assumeUnknown(op: op, at: location, mayChange: mayChange)
    }

    func changedByUnfinishedRun(at location: String) async -> Bool {
        guard let followUps, let facts = try? await facts() else { return false }
        return facts.pendingFollowUps.contains(followUps.key(location))
    }
}
