import Foundation

/// Changes planned on one host in a run and not applied yet.
///
/// An op that plans changes does not apply them at once: they wait here, and the run's read
/// cache answers as if they had been applied (written files hold their new bytes; what a
/// command may change is forgotten). The queue is applied in ONE exec (`ApplyBatch`) when the
/// host must be read again (a cache miss), when an op fails (what came before it still
/// happens, in order), and at the end of the host's block, before the barrier that lets
/// other hosts go on. So a first run costs one exec per stretch of changes, not one per file
/// and command.
///
/// Reports keep the order and the truth: op records wait with the changes before them and
/// are delivered when the batch has run. If a step fails, the ops before it are delivered,
/// its op is reported failed with the step's own message, and the ops after it are dropped
/// (they never ran: the host stops there, as it would have one op at a time).
final class ApplyQueue: @unchecked Sendable {
    /// A batch failed: the failed op is already in the report; the host stops.
    struct Failed: Error {
        let message: String
        let unreachable: Bool
    }

    struct Step {
        let action: PlannedAction
        /// Index into `held` of the op that planned it.
        let record: Int

        var isWrite: Bool {
            if case .writeFile = action { return true }
            return false
        }

        func writes(_ path: String) -> Bool {
            if case .writeFile(let written, _, _, _) = action { return written == path }
            return false
        }
    }

    private let lock = NSLock()
    private var steps: [Step] = []
    private var held: [OpRecord] = []

    let transport: CachingTransport
    /// Where each op's key is recorded before its first change; nil records nothing.
    let followUps: FollowUps?
    /// Puts a record in the host's report and tells the observer.
    let deliver: @Sendable (OpRecord) async -> Void
    /// Remembers a file's previous bytes for `--rollback-on-failure`.
    let journal: @Sendable (String, [UInt8]?) async -> Void
    /// The run's secrets: commands holding one reach the host on stdin.
    let secrets: SecretMask?

    init(transport: CachingTransport, followUps: FollowUps? = nil, deliver: @escaping @Sendable (OpRecord) async -> Void,
         journal: @escaping @Sendable (String, [UInt8]?) async -> Void, secrets: SecretMask? = nil) {
        self.transport = transport
        self.followUps = followUps
        self.deliver = deliver
        self.journal = journal
        self.secrets = secrets
    }

    /// Queues a plan's actions; from now on the cache answers as if they had run.
    func enqueue(_ plan: OpPlan) {
        lock.lock()
        for action in plan.actions { steps.append(Step(action: action, record: held.count)) }
        lock.unlock()
        for action in plan.actions {
            switch action {
            case .writeFile(let path, _, let after, _): transport.assumeWritten(path, after)
            case .run: transport.invalidate(plan.effect)
            case .verify: break
            }
        }
    }

    /// Keeps an op's record until the changes before it (its own included) have run; false
    /// when nothing waits, and the record can be delivered now.
    func hold(_ record: OpRecord) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if steps.isEmpty && held.isEmpty { return false }
        held.append(record)
        return true
    }

    private func takeAll() -> (steps: [Step], held: [OpRecord]) {
        lock.lock(); defer { lock.unlock() }
        let taken = (steps, held)
        steps = []
        held = []
        return taken
    }

    /// Applies everything queued in one exec and delivers the waiting records.
    func flush() async throws {
        let (queued, held) = takeAll()
        guard !queued.isEmpty else {
            for record in held { await deliver(record) }
            return
        }
        let steps = Self.coalesced(queued)
        let batch = ApplyBatch(steps.map(\.action), markers: markers(steps, held),
                               pendingFile: followUps?.pendingFile ?? "", secrets: secrets)
        let result: CommandResult
        do {
            result = try await transport.inner.run(batch.command, stdin: batch.stdin, timeout: nil)
        } catch let error as TransportError {
            // How far it got is unknown: the first op with a change is the one cut off.
            transport.invalidate()
            throw await fail(at: steps[0].record, held, message: error.description,
                             unreachable: error.isFatalForHost)
        }
        let outcome = batch.outcome(of: result)
        for step in steps.prefix(outcome.completed) {
            if case .writeFile(let path, let before, let after, _) = step.action {
                transport.countBatchedWrite(after.count)
                await journal(path, before)
            }
        }
        guard let failure = outcome.failure else {
            for record in held { await deliver(record) }
            return
        }
        transport.invalidate()
        let step = steps[outcome.completed]
        // Named like a transport error ("HOST: ..."): the message stands on its own in logs.
        let message: String
        switch step.action {
        case .writeFile(let path, _, _, _):
            message = "\(transport.target.name): cannot write \(path): \(failure.message)"
        case .run(_, let summary):
            message = "\(transport.target.name): " + OpExecutor.failureMessage(summary, status: failure.status, detail: failure.message)
        case .verify(_, let summary):
            message = "\(transport.target.name): \(summary)"
        }
        throw await fail(at: step.record, held, message: message, unreachable: false)
    }

    /// The follow-up keys of the ops that have steps in the batch.
    private func markers(_ steps: [Step], _ held: [OpRecord]) -> [String] {
        guard let followUps else { return [] }
        var keys: [String] = []
        for step in steps where step.record < held.count {
            let key = followUps.key(held[step.record].location)
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// Two writes of one file with only writes of other files between them (two `edit-ini`
    /// sections of nova.conf) become one write of the later bytes, where the first was: no
    /// command in between could have read the middle version. It keeps the first write's
    /// `before` (the rollback journal and the backup are of the file as it was) and its op
    /// (if the write fails, that op is the one that failed; the later one never ran).
    static func coalesced(_ steps: [Step]) -> [Step] {
        var result: [Step] = []
        for step in steps {
            guard case .writeFile(let path, _, let after, let options) = step.action,
                  let earlier = result.lastIndex(where: { $0.writes(path) }),
                  result[(earlier + 1)...].allSatisfy({ $0.isWrite }),
                  case .writeFile(_, let before, _, let first) = result[earlier].action else {
                result.append(step)
                continue
            }
            let merged = WriteOptions(backupPath: first.backupPath ?? options.backupPath, modeIfNew: first.modeIfNew,
                                      mode: options.mode ?? first.mode, owner: options.owner ?? first.owner)
            result[earlier] = Step(action: .writeFile(path: path, before: before, after: after, options: merged),
                                   record: result[earlier].record)
        }
        return result
    }

    /// The connection is gone before the queue could run: the first op with a change is the
    /// one cut off.
    func abandon(_ error: TransportError) async -> Failed? {
        let (steps, held) = takeAll()
        guard let first = steps.first else {
            for record in held { await deliver(record) }
            return nil
        }
        transport.invalidate()
        return await fail(at: first.record, held, message: error.description, unreachable: error.isFatalForHost)
    }

    /// Delivers the records before `index`, the one at `index` as failed; drops the rest.
    private func fail(at index: Int, _ held: [OpRecord], message: String, unreachable: Bool) async -> Failed {
        for record in held.prefix(index) { await deliver(record) }
        var failed = held[index]
        failed.status = .failed
        failed.error = message
        await deliver(failed)
        return Failed(message: "\(failed.op) at \(failed.location): \(message)", unreachable: unreachable)
    }
}
