import Foundation
import Synchronization

/// One host's way from "an op returned a plan" to "the bytes are on the host", for a whole
/// run (or interactive session). It owns, for that host:
///
/// - the read cache (`CachingTransport`): files and probes read once, until something this
///   run changes may have changed them;
/// - in a real run, the changes planned and not applied yet, with the op records and log
///   lines that wait for them (`ApplyQueue`);
/// - in check mode, the host as the changes planned so far would leave it (`PlannedState`),
///   which later ops read instead of the host.
///
/// It decides when changes reach the host, here and nowhere else: before a read the cache
/// cannot answer (the read must see them), before a recipe's own check command, when an op
/// needs its commands' output (`run` whose result is used), and at a barrier: the end of an
/// `on` block, of an interactive entry, or before a failure is reported (`barrier()`). Runs,
/// check mode and the interactive session all go through it.
final class HostPipeline: Sendable {
    let cache: CachingTransport
    private let queue: ApplyQueue
    private let plannedState = Mutex<PlannedState?>(nil)

    init(cache: CachingTransport, queue: ApplyQueue) {
        self.cache = cache
        self.queue = queue
    }

    var target: HostTarget { cache.target }

    /// Check mode's picture of the host; nil in a real run.
    var planned: PlannedState? { plannedState.withLock { $0 } }

    /// Starts check mode from the host as it is (a new run, or an interactive entry), or
    /// ends it (`checkMode` false).
    func plan(_ checkMode: Bool) {
        plannedState.withLock { $0 = checkMode ? PlannedState() : nil }
    }

    // MARK: - Reads

    func readFile(_ path: String) async throws -> [UInt8]? {
        switch planned?.file(path) ?? .host {
        case .planned(let bytes): return bytes
        case .unknown(let because): throw UnknownInCheckMode(because: because)
        case .host: break
        }
        if let cached = cache.cachedFile(path) { return cached }
        try await barrier()
        return try await cache.readFile(path)
    }

    func probe(_ probe: Probe) async throws -> CommandResult {
        switch planned?.probe(probe) ?? .host {
        case .planned(let result): return result
        case .unknown(let because): throw UnknownInCheckMode(because: because)
        case .host: break
        }
        if let cached = cache.cachedProbe(probe) { return cached }
        try await barrier()
        return try await cache.probe(probe)
    }

    /// Before a recipe's own check command (`unless:`, `probe`), which is never cached: the
    /// changes before it are applied, or in check mode it is known to be answerable.
    func beforeCheck(_ command: String) async throws {
        if let because = planned?.guardUnknown(command) { throw UnknownInCheckMode(because: because) }
        try await barrier()
    }

    // MARK: - Changes

    /// A real run's plan: queued (the cache answers as if it had run), or applied now with
    /// everything before it when the op needs what its commands print.
    func apply(_ plan: OpPlan) async throws -> [CommandOutput] {
        if plan.wantsOutput { return try await queue.applyNow(plan, location: plan.calledAt ?? "") }
        queue.enqueue(plan)
        return []
    }

    /// Check mode's plan: taken in as if it had been applied.
    func assume(_ plan: OpPlan, op: String) { planned?.assume(plan, op: op) }

    func assumeUnknown(op: String, at location: String, mayChange: CommandEffect) {
        planned?.assumeUnknown(op: op, at: location, mayChange: mayChange)
    }

    /// Applies every queued change now, in one exec, and delivers the records waiting for them.
    func barrier() async throws { try await queue.flush() }

    /// An op record or log line waits here while changes before it are queued; false when
    /// nothing waits and it may be delivered now.
    func hold(_ record: OpRecord) -> Bool { queue.hold(record) }
    func hold(log message: String, location: String?) -> Bool { queue.hold(log: message, location: location) }

    /// The connection is gone: what was queued never ran (`ApplyQueue.abandon`).
    func abandon(_ error: TransportError) async -> ApplyQueue.Failed? { await queue.abandon(error) }
}
