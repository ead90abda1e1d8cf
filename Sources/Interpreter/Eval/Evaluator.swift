import DSL
import Foundation
import OrderedCollections
import Synchronization

/// Runs a checked recipe: top-level statements in order; each `on` block runs its body
/// once per host, hosts concurrently (up to `forks`), and waits for all of them before the
/// next statement (the barrier that makes "server before clients" expressible).
public final class Evaluator: Sendable {
    let ops: [String: OpSpec]
    let observer: any RunObserver
    let sessions: RunHosts
    let globals = Environment()
    let budget: RunBudget
    /// The values of `secret` params, masked out of everything the run shows.
    public let secrets = SecretMask()

    /// What changes while the program runs: written by the task that runs its top level (or
    /// an interactive entry, or the session between entries), read by the hosts' tasks.
    struct Mutable: Sendable {
        /// An interactive session switches check mode between entries.
        var options: RunOptions
        /// An interactive session loads a recipe with values for its params (`:load --set`).
        var paramValues: [String: Value]
        var functions: [String: FunctionDecl] = [:]
        /// Every name `--limit` matched in an `on` block so far.
        var limitedIn: Set<String> = []
        /// The kinds of block this run skipped and said so (`--check` skips verify blocks...).
        var skippedPhases: Set<OnPhase> = []
    }

    let mutable: Mutex<Mutable>

    var options: RunOptions { mutable.withLock { $0.options } }

    /// The user function `name`, if the program declares one.
    func function(_ name: String) -> FunctionDecl? { mutable.withLock { $0.functions[name] } }

    /// The host a piece of code runs on, when inside an `on` block.
    struct HostRun: Sendable {
        let target: HostTarget
        let context: any HostContext
        /// True for the read-ahead pass (`ReadAhead`): ops only plan, nothing is reported.
        var speculative = false
        /// The host's reads and changes (nil in the read-ahead pass).
        var pipeline: HostPipeline? { (context as? RunHostContext)?.pipeline }
    }

    public init(ops: [OpSpec], paramValues: [String: Value], transports: @escaping TransportFactory,
                options: RunOptions = RunOptions(), observer: any RunObserver = SilentObserver()) {
        var table: [String: OpSpec] = [:]
        for op in ops { table[op.name] = op }
        self.ops = table
        self.mutable = Mutex(Mutable(options: options, paramValues: paramValues))
        self.observer = observer
        self.budget = RunBudget(limits: options.limits)
        let lock = options.lockHosts && !options.checkMode
            ? HostLock(path: options.lockPath, owner: HostLock.describeThisRun(), staleAfter: options.lockStaleAfter) : nil
        self.sessions = RunHosts(factory: transports, lock: lock, waitForLock: options.waitForLock,
                                     lockTimeout: options.lockTimeout, readOnly: { [options] in options.isLimitedOut($0) }) { [observer] target, message in
            observer.log(target, message)
        }
    }

    /// Runs the whole program and returns the report; never throws: failures are in it.
    public func run(_ program: Program) async -> RunReport {
        let options = self.options
        var report = RunReport(recipe: program.file.name, checkMode: options.checkMode)
        budget.reset()
        if options.lockHosts {
            await sessions.setFollowUps(FollowUps(pendingFile: HostLock.pendingFile(forLock: options.lockPath),
                                                  recipe: program.file.name))
        }
        let statements = Checker.flatten(program.statements)
        mutable.withLock { state in
            for case .function(let decl) in statements { state.functions[decl.name.name] = decl }
        }
        do {
            // Params are bound before anything else runs, as the checker declares them:
            // a recipe may use a param above the line that declares it.
            for statement in statements where Checker.isParam(statement) {
                try await execute(statement, in: globals, on: nil)
                if case .param(let decl) = statement, decl.isSecret, case .string(let secret)? = globals.lookup(decl.name.name) {
                    secrets.add(secret)
                }
            }
            for statement in statements where !Checker.isParam(statement) {
                try Task.checkCancellation()
                try await execute(statement, in: globals, on: nil)
            }
        } catch is CancellationError {
            // Ctrl-C: the hosts say where they stopped; the caller knows it interrupted.
        } catch let error as RuntimeError {
            report.error = secrets.mask(DiagnosticRenderer().render(error.diagnostic))
        } catch {
            report.error = secrets.mask("\(error)")
        }
        if let limit = options.limit, report.error == nil,
           case let unmatched = limit.subtracting(mutable.withLock { $0.limitedIn }), !unmatched.isEmpty {
            report.error = "--limit names \(unmatched.sorted().joined(separator: ", ")), which no `on` block of this run ran on: "
                + "give hosts as the recipe names them (display name, alias or address)"
        }
        report.hosts = await sessions.finalReports()
        report.logs = await sessions.runLogs
        // Locks are released even after Ctrl-C: in a task of its own, which the run's
        // cancellation does not reach (transports start nothing for a cancelled task).
        let sessions = self.sessions
        await Task { await sessions.closeAll() }.value
        return report
    }

    // MARK: - Statements

    func execute(_ statement: Stmt, in env: Environment, on host: HostRun?) async throws {
        switch statement {
        case .param(let decl):
            if let given = mutable.withLock({ $0.paramValues[decl.name.name] }) {
                env.define(decl.name.name, given)
            } else if let defaultValue = decl.defaultValue {
                let value = try await evaluate(defaultValue, in: env, on: host)
                env.define(decl.name.name, coerceParam(value, decl))
            }
        case .let(let name, let value, _):
            env.define(name.name, try await evaluate(value, in: env, on: host))
        case .assign(let name, let value, let span):
            let result = try await evaluate(value, in: env, on: host)
            if !env.assign(name.name, result) { throw RuntimeError(span, "`\(name.name)` is not defined") }
        case .expression(let expr):
            if case .call(let inner) = expr {
                _ = try await call(inner, in: env, on: host, resultUsed: false)
            } else {
                _ = try await evaluate(expr, in: env, on: host)
            }
        case .if(let condition, let then, let otherwise, _):
            if try await truth(condition, in: env, on: host) {
                try await executeBlock(then, in: env, on: host)
            } else if let otherwise {
                try await execute(otherwise, in: env, on: host)
            }
        case .for(let name, let sequence, let body, let span):
            let items = try await iterate(sequence, in: env, on: host)
            for item in items {
                try budget.step(at: span, on: host)
                let scope = Environment(parent: env)
                scope.define(name.name, item)
                for inner in body.statements { try await execute(inner, in: scope, on: host) }
            }
        case .on(let targets, let body, let phase, let span):
            // The read-ahead pass of one host never starts work on others.
            if host?.speculative == true { throw ReadAhead.Stop() }
            if let reason = skipReason(phase) {
                // Said once per kind of block, at the first one skipped.
                if mutable.withLock({ $0.skippedPhases.insert(phase).inserted }) {
                    let blocks = phase == .change ? "plain `on` blocks" : "`\(phase.rawValue) on` blocks"
                    await deliverLog("\(blocks) skipped (the first at \(span)): \(reason)", location: span.description, on: nil)
                }
                return
            }
            let hosts = try await hostList(targets, in: env, on: host)
            try await budget.excludingTime { try await runOn(hosts, body, span, in: env) }
            if phase == .preflight { try await stopIfPreflightFailed(hosts, span) }
        case .function:
            break
        case .return(let value, _):
            var result = Value.none
            if let value { result = try await evaluate(value, in: env, on: host) }
            throw ReturnSignal(value: result)
        case .include(_, _, let included):
            for inner in included { try await execute(inner, in: env, on: host) }
        case .block(let block):
            try await executeBlock(block, in: env, on: host)
        }
    }

    func executeBlock(_ block: Block, in env: Environment, on host: HostRun?) async throws {
        let scope = Environment(parent: env)
        for statement in block.statements { try await execute(statement, in: scope, on: host) }
    }

    func coerceParam(_ value: Value, _ decl: ParamDecl) -> Value {
        guard let typeExpr = decl.type, case .success(let type) = ValueType.from(typeExpr) else { return value }
        return Checker.coerce(value, to: type)
    }

    // MARK: - Host blocks

    /// Why a block does not run in this run, if it does not.
    func skipReason(_ phase: OnPhase) -> String? {
        let options = self.options
        switch (phase, options.verify) {
        case (.verify, _) where options.checkMode:
            return "--check changes nothing, so there is nothing new to verify (run without --check, or with --verify-only)"
        case (.verify, .skip): return "--no-verify"
        case (.change, .only): return "--verify-only"
        default: return nil
        }
    }

    /// A preflight block is a gate for the whole run: when its checks failed on any host,
    /// nothing after it runs anywhere (it comes before every change: the checker sees to it).
    func stopIfPreflightFailed(_ hosts: [HostTarget], _ span: Span) async throws {
        var failed: [String] = []
        for target in hosts where await sessions.isFailed(target) { failed.append(target.name) }
        guard !failed.isEmpty else { return }
        throw RuntimeError(span, "preflight failed on \(failed.joined(separator: ", ")): the run stopped before changing any host",
                           hint: "fix what the failed checks above say, then run again")
    }

    func hostList(_ targets: Expr, in env: Environment, on host: HostRun?) async throws -> [HostTarget] {
        let value = try await evaluate(targets, in: env, on: host)
        var hosts: [HostTarget] = []
        for item in value.asList ?? [value] {
            let target = try asHost(item, at: targets.span)
            if !hosts.contains(target) { hosts.append(target) }
        }
        return hosts
    }

    func asHost(_ value: Value, at span: Span) throws -> HostTarget {
        switch value {
        case .host(let target): return target
        case .string(let text):
            switch ParamConversion.host(text) {
            case .success(let target): return target
            case .failure(let error): throw RuntimeError(span, error.description)
            }
        default:
            throw RuntimeError(span, "expected a host, got \(value.type.withArticle)")
        }
    }

    /// Runs the body on every host that has not failed yet, `forks` at a time, and waits
    /// for all of them.
    func runOn(_ hosts: [HostTarget], _ body: Block, _ span: Span, in env: Environment) async throws {
        var live: [HostTarget] = []
        let options = self.options
        let limitedOut = hosts.filter(options.isLimitedOut)
        if !limitedOut.isEmpty {
            observer.log(nil, "on block at \(span): skipped \(limitedOut.map(\.name).joined(separator: ", ")) (not in --limit)")
        }
        let matched = hosts.filter { !options.isLimitedOut($0) }.flatMap { [$0.name, $0.address, $0.description] }
        mutable.withLock { $0.limitedIn.formUnion(matched) }
        for target in hosts where !options.isLimitedOut(target) {
            await sessions.register(target)
            if await !sessions.isFailed(target) { live.append(target) }
        }
        let location = span.description
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func startNext() {
                // After Ctrl-C no host starts.
                guard next < live.count, !Task.isCancelled else { return }
                let target = live[next]
                next += 1
                group.addTask { await self.runHost(target, body, location, in: env) }
            }
            for _ in 0..<min(options.forks, live.count) { startNext() }
            for await _ in group { startNext() }
        }
    }

    func runHost(_ target: HostTarget, _ body: Block, _ location: String, in env: Environment) async {
        observer.hostStarted(target, blockLocation: location)
        var pipeline: HostPipeline?
        do {
            let current = try await self.pipeline(for: target)
            pipeline = current
            let context = try await hostContext(target, current)
            await readAhead(body, on: target, through: current.cache, context: context, in: env)
            let run = HostRun(target: target, context: context)
            let scope = Environment(parent: env)
            scope.define("host", .host(target))
            let recordsBefore = await sessions.report(for: target).ops.count
            for statement in body.statements { try await execute(statement, in: scope, on: run) }
            // The block's changes are on the host before the next block (or host) relies on them.
            try await current.barrier()
            // Every check of the block was reported; a failed one fails the host now.
            let failedChecks = await sessions.report(for: target).ops.dropFirst(recordsBefore)
                .filter { ops[$0.op].map(\.isCheck) == true && $0.status == .failed }
            if !failedChecks.isEmpty {
                let count = failedChecks.count
                await fail(target, status: .failed,
                           message: "\(count) check\(count == 1 ? "" : "s") failed: " + failedChecks.compactMap(\.error).joined(separator: "; "),
                           failedAt: failedChecks.first?.location)
            }
        } catch is HostAborted {
            // The failing op already recorded the failure.
        } catch is CancellationError {
            // Interrupted while connecting, or before an op (which said where).
            await fail(target, status: .interrupted, message: "interrupted")
        } catch let stop as CheckModeStop {
            // Check mode cannot plan the rest of the block on this host; the host did not fail.
            await deliverLog(stop.message, location: stop.location, on: target)
        } catch let failure as ApplyQueue.Failed {
            await fail(target, status: failure.unreachable ? .unreachable : .failed, message: failure.message,
                       failedAt: failure.location)
        } catch let error as TransportError {
            if case .hostKey = error {
                await fail(target, status: .hostKeyRefused, message: error.description)
            } else {
                await fail(target, unreachable: error.isFatalForHost, message: error.description)
            }
        } catch let error as RuntimeError {
            // The ops before the error happen, as they would have one at a time.
            if await flushBeforeFailing(pipeline, target) {
                await fail(target, unreachable: false, message: DiagnosticRenderer().render(error.diagnostic))
            }
        } catch {
            await fail(target, unreachable: false, message: "\(error)")
        }
    }

    /// What the ops of a block see of the host.
    func hostContext(_ target: HostTarget, _ pipeline: HostPipeline) async throws -> RunHostContext {
        let options = self.options
        var context = RunHostContext(target: target, pipeline: pipeline, checkMode: options.checkMode,
                                     backupsByDefault: options.backups, sessions: sessions)
        context.followUps = await sessions.followUps
        context.secrets = secrets
        context.commandTimeout = options.commandTimeout
        return context
    }

    /// The host's pipeline for this run: made (and in check mode started from the host as it
    /// is) the first time a block runs there.
    func pipeline(for target: HostTarget) async throws -> HostPipeline {
        let followUps = await sessions.followUps
        return try await sessions.pipeline(for: target) { cache in
            let pipeline = HostPipeline(cache: cache, queue: self.makeQueue(for: target, cache, followUps: followUps))
            pipeline.plan(self.options.checkMode)
            return pipeline
        }
    }

    func makeQueue(for target: HostTarget, _ caching: CachingTransport, followUps: FollowUps?) -> ApplyQueue {
        ApplyQueue(
            transport: caching, followUps: followUps,
            deliver: { [sessions, observer, secrets] held in
                switch held {
                case .record(let record):
                    let shown = secrets.masked(record)
                    await sessions.append(shown, for: target)
                    observer.opFinished(target, shown)
                case .log(let message, let location):
                    await sessions.appendLog(message, location: location, for: target)
                    observer.log(target, message)
                }
            },
            journal: { [sessions] path, previous in await sessions.journal(path, previous: previous, on: target) },
            secrets: secrets,
            onHold: { [observer] record in observer.opQueued(target, record) },
            onBatch: { [observer] count in observer.batchStarted(target, changes: count) })
    }

    /// Applies what is pending before a failure is reported; false when that itself failed
    /// (and was reported: it came first).
    func flushBeforeFailing(_ pipeline: HostPipeline?, _ target: HostTarget) async -> Bool {
        // An interrupted run applies nothing more: what is queued was never made.
        guard let pipeline, !Task.isCancelled else { return true }
        do {
            try await pipeline.barrier()
            return true
        } catch let failure as ApplyQueue.Failed {
            await fail(target, status: failure.unreachable ? .unreachable : .failed, message: failure.message,
                       failedAt: failure.location)
        } catch {
            await fail(target, unreachable: false, message: "\(error)")
        }
        return false
    }

    func fail(_ target: HostTarget, unreachable: Bool, message: String) async {
        await fail(target, status: unreachable ? .unreachable : .failed, message: message)
    }

    func fail(_ target: HostTarget, status: HostReport.Status, message: String, failedAt: String? = nil) async {
        // A host that fails after Ctrl-C failed because of it (its command was stopped, or
        // could not start): it reads as interrupted, where it stopped, and is not rolled back
        // (nothing more is sent to it). A refused host key stays what it is.
        var status = status
        if Task.isCancelled && status != .hostKeyRefused { status = .interrupted }
        if status == .interrupted, await sessions.report(for: target).status == .interrupted { return }
        await sessions.markFailed(target, status: status, error: secrets.mask(message), failedAt: failedAt)
        let options = self.options
        if options.rollbackOnFailure && !options.checkMode && status == .failed {
            for line in await sessions.rollBack(target) { observer.log(target, "rollback: \(line)") }
        }
        observer.hostFailed(target, await sessions.report(for: target))
    }
}
