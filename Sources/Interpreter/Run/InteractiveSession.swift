import DSL
import Foundation
import Synchronization

/// An interactive session on one host: each entry is checked, then run as if written
/// inside `on HOST { ... }`. Names an entry defines (`let`, `fn`) persist for the next
/// entries; the connection is opened once and kept.
public final class InteractiveSession: Sendable {
    /// The host and the names defined so far. Entries run one at a time (the REPL waits for
    /// an interrupted one), but completion reads the names from the line editor's thread.
    struct Mutable {
        var target: HostTarget
        var checker: Checker
    }

    let mutable: Mutex<Mutable>

    public var target: HostTarget { mutable.withLock { $0.target } }

    /// Dry-run mode: ops plan and show their diffs, but change nothing.
    public var checkMode: Bool {
        get { evaluator.options.checkMode }
        set { evaluator.mutable.withLock { $0.options.checkMode = newValue } }
    }

    let evaluator: Evaluator

    public init(target: HostTarget, ops: [OpSpec], transports: @escaping TransportFactory,
                checkMode: Bool = false, observer: any RunObserver = SilentObserver()) {
        var options = RunOptions(checkMode: checkMode)
        // A session may sit idle for an hour: it must not hold the host's run lock (HostLock)
        // and make every real run wait for it.
        options.lockHosts = false
        self.evaluator = Evaluator(ops: ops, paramValues: [:], transports: transports,
                                   options: options, observer: observer)
        self.mutable = Mutex(Mutable(target: target, checker: Checker(sessionOps: ops)))
        evaluator.globals.define("host", .host(target))
    }

    /// Opens the connection (a no-op when it is already open).
    public func connect() async throws {
        _ = try await evaluator.sessions.transport(for: target)
    }

    /// Moves the session to another host; names defined so far are kept. On failure the
    /// session stays on the host it was on.
    public func switchHost(to other: HostTarget) async throws {
        do {
            _ = try await evaluator.sessions.transport(for: other)
        } catch {
            // Not remembered as unreachable: the user may fix the cause and try again.
            await evaluator.sessions.forget(other)
            throw error
        }
        mutable.withLock { $0.target = other }
        evaluator.globals.define("host", .host(other))
    }

    /// The hosts this session has been connected to, in order.
    public func connectedHosts() async -> [HostTarget] {
        await evaluator.sessions.order
    }

    public func facts() async throws -> HostFacts {
        try await evaluator.sessions.facts(for: target)
    }

    /// Variables and functions an entry may use, for completion.
    public var names: [String] { mutable.withLock { $0.checker.sessionNames } }

    public func close() async {
        await evaluator.sessions.closeAll()
    }

    // MARK: - Entries

    /// Runs a loaded recipe as one entry, its params bound to `params` (values checked and
    /// typed by a recipe checker, as `run --set` does); the values hold for this entry only.
    public func evaluate(_ program: Program, params: [String: Value], show: @Sendable (Value) -> Void) async -> EntryResult {
        mutable.withLock { $0.checker.sessionParamTypes = params.mapValues(\.type) }
        evaluator.mutable.withLock { $0.paramValues = params }
        defer {
            mutable.withLock { $0.checker.sessionParamTypes = [:] }
            evaluator.mutable.withLock { $0.paramValues = [:] }
        }
        return await evaluate(program, show: show)
    }

    /// Checks and runs one entry. `show` receives the value of each top-level expression
    /// worth printing (not the records of changing ops: the observer shows those).
    public func evaluate(_ program: Program, show: @Sendable (Value) -> Void) async -> EntryResult {
        let diagnostics = mutable.withLock { $0.checker.checkEntry(program) }
        if diagnostics.hasErrors { return .rejected(diagnostics) }
        let statements = Checker.flatten(program.statements)
        evaluator.mutable.withLock { state in
            for case .function(let decl) in statements { state.functions[decl.name.name] = decl }
        }
        await evaluator.sessions.resetFailures()
        evaluator.budget.reset()
        do {
            let run = try await hostRun()
            do {
                for statement in statements {
                    try Task.checkCancellation()
                    try await execute(statement, on: run, show: show)
                }
            } catch is CancellationError {
                // What the entry changed before the interrupt reaches the host, as it would
                // have one op at a time.
                try? await run.pipeline?.barrier()
                return .interrupted
            } catch let error as RuntimeError {
                try? await run.pipeline?.barrier()
                throw error
            }
            // The entry's changes are on the host before the next prompt.
            try await run.pipeline?.barrier()
            return await failuresInOnBlocks()
        } catch is CancellationError {
            return .interrupted
        } catch let failed as ApplyQueue.Failed {
            await evaluator.sessions.markFailed(target, status: failed.unreachable ? .unreachable : .failed,
                                                error: failed.message, failedAt: failed.location)
            return await failure(HostAborted())
        } catch {
            return await failure(error)
        }
    }

    func hostRun() async throws -> Evaluator.HostRun {
        await forgetCachedReads()
        let pipeline = try await evaluator.pipeline(for: target)
        await evaluator.sessions.register(target)
        return Evaluator.HostRun(target: target, context: try await evaluator.hostContext(target, pipeline))
    }

    /// File reads are cached per run; between entries anyone may have changed a file, so
    /// each entry starts from what the hosts hold now (in check mode too).
    func forgetCachedReads() async {
        for pipeline in await evaluator.sessions.allPipelines() {
            pipeline.cache.invalidate()
            pipeline.plan(checkMode)
        }
    }

    func execute(_ statement: Stmt, on run: Evaluator.HostRun, show: @Sendable (Value) -> Void) async throws {
        guard case .expression(let expr) = statement else {
            try await evaluator.execute(statement, in: evaluator.globals, on: run)
            return
        }
        let value = try await evaluator.evaluate(expr, in: evaluator.globals, on: run)
        if isShown(expr, value) { show(value) }
    }

    /// A changing op's record is shown by the observer (ok/changed and the diff); a call
    /// that returns `none` (`log(...)`) has nothing to show.
    func isShown(_ expr: Expr, _ value: Value) -> Bool {
        let callee: Identifier
        switch expr {
        case .call(let call): callee = call.callee
        case .variable(let identifier) where evaluator.globals.lookup(identifier.name) == nil: callee = identifier
        default: return true
        }
        if evaluator.ops[callee.name]?.isChangingOp == true { return false }
        return value != .none
    }

    /// Hosts of `on` blocks in the entry that failed (their errors were recorded, not thrown).
    func failuresInOnBlocks() async -> EntryResult {
        let reports = await evaluator.sessions.finalReports()
        let failed = reports.filter { $0.status != .ok }
        if failed.isEmpty { return .done }
        return .failed(failed.map { "error: [\($0.host)] \(($0.error ?? "failed").trimmed)" }.joined(separator: "\n"))
    }

    /// After a failed op: whether the connection still answers. When it does not, it is
    /// dropped so that the next entry connects again instead of failing the same way.
    func connectionSurvived() async -> Bool {
        do {
            let transport = try await evaluator.sessions.transport(for: target)
            _ = try await transport.run("true")
            return true
        } catch {
            await evaluator.sessions.forget(target)
            return false
        }
    }

    func failure(_ error: Error) async -> EntryResult {
        switch error {
        case is HostAborted:
            let report = await evaluator.sessions.report(for: target)
            let message = "error: " + (report.error ?? "the op failed").trimmed
            return .failed(message + (await connectionSurvived() ? "" : "\nthe connection to \(target.name) is lost; the next entry connects again"))
        case let error as TransportError where error.isFatalForHost:
            await evaluator.sessions.forget(target)
            return .failed("error: \(error.description) (the next entry connects again)")
        case let error as RuntimeError:
            return .failed(DiagnosticRenderer().render(error.diagnostic).trimmed)
        case is ReturnSignal:
            return .failed("error: `return` outside a function")
        default:
            return .failed("error: \(error)")
        }
    }
}
