import Foundation
import Synchronization

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
/// Reports keep the order and the truth: op records and `log(...)` lines wait with the
/// changes before them and are delivered when the batch has run, each record with what its
/// commands printed and how long its steps took. If a step fails, what came before it is
/// delivered, its op is reported failed with the step's own message and output, and what
/// came after it is dropped (it never ran: the host stops there, as it would have one op at
/// a time).
final class ApplyQueue: Sendable {
    /// A batch failed: the failed op is already in the report; the host stops.
    struct Failed: Error {
        let message: String
        let unreachable: Bool
        /// Where the failed op is.
        let location: String
    }

    /// What waits for the changes queued before it.
    enum Held {
        case record(OpRecord)
        case log(message: String, location: String?)
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

    /// What waits: the steps not applied yet, and the records and log lines behind them.
    private struct Waiting {
        var steps: [Step] = []
        var held: [Held] = []

        var isEmpty: Bool { steps.isEmpty && held.isEmpty }
    }

    private let waiting = Mutex(Waiting())

    let transport: CachingTransport
    /// Where each op's key is recorded before its first change; nil records nothing.
    let followUps: FollowUps?
    /// Puts a record or a log line in the host's report and tells the observer.
    let deliver: @Sendable (Held) async -> Void
    /// Remembers a file's previous bytes for `--rollback-on-failure`.
    let journal: @Sendable (String, [UInt8]?) async -> Void
    /// The run's secrets: commands holding one reach the host on stdin.
    let secrets: SecretMask?
    /// Told when a record starts waiting, and when a batch of N changes starts.
    let onHold: @Sendable (OpRecord) -> Void
    let onBatch: @Sendable (Int) -> Void

    init(transport: CachingTransport, followUps: FollowUps? = nil, deliver: @escaping @Sendable (Held) async -> Void,
         journal: @escaping @Sendable (String, [UInt8]?) async -> Void, secrets: SecretMask? = nil,
         onHold: @escaping @Sendable (OpRecord) -> Void = { _ in }, onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.transport = transport
        self.followUps = followUps
        self.deliver = deliver
        self.journal = journal
        self.secrets = secrets
        self.onHold = onHold
        self.onBatch = onBatch
    }

    /// Queues a plan's actions; from now on the cache answers as if they had run.
    func enqueue(_ plan: OpPlan) {
        waiting.withLock { waiting in
            for action in plan.actions { waiting.steps.append(Step(action: action, record: waiting.held.count)) }
        }
        for action in plan.actions {
            switch action {
            case .writeFile(let path, _, let after, _): transport.assumeWritten(path, after)
            case .run: transport.invalidate(plan.effect)
            case .verify: break
            }
        }
        if plan.changes, !plan.writesChange.isEmpty {
            transport.invalidate(.limited(plan.writesChange))
        }
    }

    /// Keeps an op's record until the changes before it (its own included) have run; false
    /// when nothing waits, and the record can be delivered now.
    func hold(_ record: OpRecord) -> Bool {
        let waits: Bool = waiting.withLock { waiting in
            if waiting.isEmpty { return false }
            waiting.held.append(.record(record))
            return true
        }
        if waits { onHold(record) }
        return waits
    }

    /// Keeps a `log(...)` line until the changes before it have run; false when nothing waits.
    func hold(log message: String, location: String?) -> Bool {
        waiting.withLock { waiting in
            if waiting.isEmpty { return false }
            waiting.held.append(.log(message: message, location: location))
            return true
        }
    }

    private func takeAll() -> (steps: [Step], held: [Held]) {
        let taken = waiting.withLock { waiting in
            defer { waiting = Waiting() }
            return waiting
        }
        return (taken.steps, taken.held)
    }

    /// Applies everything queued in one exec and delivers the waiting records.
    func flush() async throws {
        _ = try await run(own: nil)
    }

    /// Queues the plan of the op being decided now (its record is not held yet) and applies
    /// everything at once, for an op whose result needs what its commands printed (`run`).
    /// Returns that output; when one of its own steps fails, throws an `OpError` with that output.
    func applyNow(_ plan: OpPlan, location: String) async throws -> [CommandOutput] {
        enqueue(plan)
        return try await run(own: location)
    }

    /// Runs the batch. `own`: the location of an op whose steps are queued but whose record
    /// is not held (it comes right after the held ones); its output is returned, not delivered.
    private func run(own: String?) async throws -> [CommandOutput] {
        let (queued, held) = takeAll()
        guard !queued.isEmpty else {
            for item in held { await deliver(item) }
            return []
        }
        let steps = Self.coalesced(queued)
        let batch = ApplyBatch(steps.map(\.action), markers: markers(steps, held, own: own),
                               pendingFile: followUps?.pendingFile ?? "", secrets: secrets)
        onBatch(steps.count)
        let result: CommandResult
        do {
            result = try await transport.inner.run(batch.command, stdin: batch.stdin, timeout: batch.backstop)
        } catch let error as TransportError {
            // How far it got is unknown: the first op with a change is the one cut off.
            transport.invalidate()
            if steps[0].record >= held.count {
                // That is the op being decided now: it fails like an op that ran alone.
                for item in held { await deliver(item) }
                throw error
            }
            throw await fail(at: steps[0].record, held, own: own, message: error.description, output: nil,
                             unreachable: error.isFatalForHost)
        }
        let outcome = batch.outcome(of: result)
        var records = held
        var ownOutput: [CommandOutput] = []
        for (index, step) in steps.prefix(outcome.completed).enumerated() {
            if case .writeFile(let path, let before, let after, _) = step.action {
                transport.countBatchedWrite(after.count)
                await journal(path, before)
            }
            guard index < outcome.steps.count else { continue }
            let ran = outcome.steps[index]
            let output = Self.output(of: step.action, ran, status: 0)
            if step.record < records.count, case .record(var record) = records[step.record] {
                record.milliseconds += ran.milliseconds
                if let output { record.output.append(output) }
                records[step.record] = .record(record)
            } else if let output {
                ownOutput.append(output)
            }
        }
        guard let failure = outcome.failure else {
            for item in records { await deliver(item) }
            return ownOutput
        }
        transport.invalidate()
        let step = steps[outcome.completed]
        // Named like a transport error ("HOST: ..."): the message stands on its own in logs.
        let message: String
        switch step.action {
        case .writeFile(let path, _, _, _):
            message = "\(transport.target.name): cannot write \(path): \(failure.message)"
        case .run(_, let summary, _):
            message = "\(transport.target.name): " + OpExecutor.failureMessage(summary, status: failure.status, detail: failure.message)
        case .verify(_, let summary):
            message = "\(transport.target.name): \(summary)"
        }
        let failedOutput = outcome.steps.count > outcome.completed
            ? Self.output(of: step.action, outcome.steps[outcome.completed], status: failure.status) : nil
        if step.record >= records.count {
            for item in records { await deliver(item) }
            throw OpError(message, output: ownOutput + (failedOutput.map { [$0] } ?? []))
        }
        let elapsed = outcome.steps.count > outcome.completed ? outcome.steps[outcome.completed].milliseconds : 0
        throw await fail(at: step.record, records, own: own, message: message, output: failedOutput, unreachable: false,
                         milliseconds: elapsed)
    }

    /// What a command step printed, for its op's record; nil for writes and checks.
    static func output(of action: PlannedAction, _ ran: ApplyBatch.StepOutput, status: Int32) -> CommandOutput? {
        guard case .run(let command, _, _) = action else { return nil }
        return CommandOutput(command: command, status: status, stdout: ran.stdout, stderr: ran.stderr,
                             milliseconds: ran.milliseconds)
    }

    /// The follow-up keys of the ops that have steps in the batch.
    private func markers(_ steps: [Step], _ held: [Held], own: String?) -> [String] {
        guard let followUps else { return [] }
        var keys: [String] = []
        for step in steps {
            let location: String
            if step.record < held.count, case .record(let record) = held[step.record] {
                location = record.location
            } else if step.record >= held.count, let own {
                location = own
            } else {
                continue
            }
            let key = followUps.key(location)
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
        guard let first = steps.first, first.record < held.count else {
            for item in held { await deliver(item) }
            return nil
        }
        transport.invalidate()
        return await fail(at: first.record, held, own: nil, message: error.description, output: nil,
                          unreachable: error.isFatalForHost)
    }

    /// Delivers what came before `index`, the record at `index` as failed; drops the rest.
    private func fail(at index: Int, _ held: [Held], own: String?, message: String, output: CommandOutput?,
                      unreachable: Bool, milliseconds: Int = 0) async -> Failed {
        for item in held.prefix(index) { await deliver(item) }
        guard index < held.count, case .record(var failed) = held[index] else {
            // The op being decided now was cut off: its own failure says so.
            return Failed(message: message, unreachable: unreachable, location: own ?? "")
        }
        failed.status = .failed
        failed.error = message
        failed.milliseconds += milliseconds
        if let output { failed.output.append(output) }
        await deliver(.record(failed))
        return Failed(message: "\(failed.op) at \(failed.location): \(message)", unreachable: unreachable,
                      location: failed.location)
    }
}
