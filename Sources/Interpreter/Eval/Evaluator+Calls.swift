import DSL
import Foundation
import OrderedCollections

extension Evaluator {
    /// `resultUsed` false: the call is a statement of its own (see `OpArguments.resultUsed`).
    func call(_ call: Call, in env: Environment, on host: HostRun?, resultUsed: Bool = true) async throws -> Value {
        if let decl = function(call.callee.name) {
            return try await callFunction(decl, call, in: env, on: host)
        }
        guard let op = ops[call.callee.name] else {
            throw RuntimeError(call.callee.span, "unknown operation `\(call.callee.name)`")
        }
        var arguments = try await bindArguments(call, op, in: env, on: host)
        arguments.resultUsed = resultUsed
        if Self.writesArgumentsAsText.contains(op.name) {
            for (name, value) in arguments.values { try budget.checkText(of: value, at: arguments.spans[name] ?? call.span) }
        }
        switch op.body {
        case .report(let line):
            if host?.speculative == true { return .none }
            await log(secrets.mask(line(arguments)), location: call.span.description, on: host)
            return .none
        case .check(let check):
            return try await expect(check(arguments), op, call, on: try requireHost(host, call))
        case .pure(let body):
            do { return try budget.checkSize(try body(arguments), at: call.span) } catch let error as OpError {
                throw RuntimeError(call.span, "\(op.name): \(error.message)", hint: error.hint)
            }
        case .query(let body):
            let run = try requireHost(host, call)
            return try await perform(op, call, on: run) { try await body(arguments, run.context) }.value
        case .plan:
            let run = try requireHost(host, call)
            return try await perform(op, call, on: run) {
                try await OpExecutor.execute(op, arguments, on: run.context)
            }.value
        }
    }

    /// A check (`expect(condition, message)`): one reported record. A false one is a failed record with
    /// the message; the host fails when its block ends, so every check of the block is seen.
    func expect(_ check: (holds: Bool, message: String), _ op: OpSpec, _ call: Call, on run: HostRun) async throws -> Value {
        let (holds, message) = check
        if run.speculative { return .bool(holds) }
        // Changes planned before the check are on the host before it is reported.
        try await run.pipeline?.barrier()
        let record = OpRecord(op: op.name, location: call.span.description, status: holds ? .ok : .failed,
                              reason: message, error: holds ? nil : message)
        await sessions.append(record, for: run.target)
        observer.opFinished(run.target, record)
        return .bool(holds)
    }

    /// Built-ins whose result is their arguments written as text: a value whose text would
    /// be past the string limit is refused before that text is built.
    static let writesArgumentsAsText: Set = ["log", "str", "join", "quote"]

    /// A `log(...)` line: it waits with the host's queued changes, so it comes after the
    /// ops before it in the output and the report.
    func log(_ message: String, location: String?, on host: HostRun?) async {
        if let run = host, run.pipeline?.hold(log: message, location: location) == true { return }
        await deliverLog(message, location: location, on: host?.target)
    }

    func deliverLog(_ message: String, location: String?, on target: HostTarget?) async {
        await sessions.appendLog(message, location: location, for: target)
        observer.log(target, message)
    }

    func requireHost(_ host: HostRun?, _ call: Call) throws -> HostRun {
        guard let host else { throw RuntimeError(call.callee.span, "`\(call.callee.name)` can only run inside an `on` block") }
        return host
    }

    /// Runs one op on a host, records it in the report and tells the observer. A failure
    /// stops this host (the others go on).
    func perform(_ op: OpSpec, _ call: Call, on run: HostRun,
                 _ body: () async throws -> Any) async throws -> (value: Value, record: OpRecord) {
        let location = call.span.description
        if run.speculative { return try await speculate(op, location, body) }
        // An interrupted run (Ctrl-C) or session entry starts no op: the host says where it stopped.
        if Task.isCancelled {
            await fail(run.target, status: .interrupted, message: "interrupted before \(op.name) at \(location)", failedAt: location)
            throw CancellationError()
        }
        observer.opStarted(run.target, op: op.name, location: location)
        let started = ContinuousClock.now
        var record = OpRecord(op: op.name, location: location, status: .ok)
        do {
            let result = try await body()
            record.milliseconds = Self.milliseconds(since: started)
            let value: Value
            if let outcome = result as? OpRecord {
                // The op's own record, timed and placed by this call.
                record = OpRecord(op: record.op, location: location, status: outcome.status, diff: outcome.diff,
                                  commands: outcome.commands, reason: outcome.reason, milliseconds: record.milliseconds,
                                  output: outcome.output)
                value = outcome.value
            } else {
                value = result as? Value ?? .none
            }
            // Queries (facts, detect-nfs) are not listed as ops in the report. A record waits
            // while changes planned before it (its own included) are queued.
            record = secrets.masked(record)
            if op.isChangingOp, run.pipeline?.hold(record) != true {
                await sessions.append(record, for: run.target)
                observer.opFinished(run.target, record)
            }
            return (value, record)
        } catch let unknown as UnknownInCheckMode {
            return try await reportUnknown(unknown, op, record, since: started, on: run)
        } catch let failure as ApplyQueue.Failed {
            // Applying earlier ops' changes failed (this op needed a fresh read): that op is
            // in the report as failed; this one never ran.
            await fail(run.target, status: failure.unreachable ? .unreachable : .failed, message: failure.message,
                       failedAt: failure.location)
            throw HostAborted()
        } catch let error as TransportError where error.isFatalForHost {
            if let pipeline = run.pipeline, let failure = await pipeline.abandon(error) {
                // Changes were waiting: the first op whose changes were cut off is the one named.
                await fail(run.target, status: failure.unreachable ? .unreachable : .failed, message: failure.message,
                           failedAt: failure.location)
                throw HostAborted()
            }
            // The connection is gone: the host stops, and its report still says which op
            // was cut off (the op's own record for changing ops, the host error for all).
            record.milliseconds = Self.milliseconds(since: started)
            record.status = .failed
            record.error = secrets.mask(error.description)
            if op.isChangingOp {
                await sessions.append(record, for: run.target)
                observer.opFinished(run.target, record)
            }
            await fail(run.target, status: .unreachable, message: "\(op.name) at \(location): \(error.description)",
                       failedAt: op.isChangingOp ? location : nil)
            throw HostAborted()
        } catch is CancellationError {
            // Interrupted while this op read the host or applied the changes queued before it
            // (a transport starts nothing once the run is interrupted): those changes were not
            // made and are dropped with their records; this op is where the host stopped.
            record.milliseconds = Self.milliseconds(since: started)
            record.status = .failed
            record.error = "interrupted before it finished"
            if op.isChangingOp {
                await sessions.append(record, for: run.target)
                observer.opFinished(run.target, record)
            }
            await fail(run.target, status: .interrupted, message: "\(op.name) at \(location): interrupted", failedAt: location)
            throw HostAborted()
        } catch {
            guard await flushBeforeFailing(run.pipeline, run.target) else { throw HostAborted() }
            record.milliseconds = Self.milliseconds(since: started)
            record.status = .failed
            record.error = secrets.mask(Self.describe(error))
            if let failed = error as? OpError { record.output = failed.output }
            record = secrets.masked(record)
            await sessions.append(record, for: run.target)
            observer.opFinished(run.target, record)
            await fail(run.target, status: .failed, message: "\(op.name) at \(location): \(record.error ?? "")", failedAt: location)
            throw HostAborted()
        }
    }

    /// Check mode could not plan the op: what it reads depends on a change the dry run does
    /// not make. A changing op is reported `unknown` and taken to change something (so
    /// `if x.changed` goes the way that does more, and what it may change, `OpSpec.mayChange`,
    /// is unknown for the ops after it); a query has no answer to give, so the host's block stops here.
    func reportUnknown(_ unknown: UnknownInCheckMode, _ op: OpSpec, _ started: OpRecord, since clock: ContinuousClock.Instant,
                       on run: HostRun) async throws -> (value: Value, record: OpRecord) {
        guard op.isChangingOp else {
            throw CheckModeStop(message: "\(op.name) at \(started.location): \(unknown.reason); the rest of this block "
                                    + "is not planned on \(run.target.name) in check mode", location: started.location)
        }
        var record = started
        record.milliseconds = Self.milliseconds(since: clock)
        record.status = .unknown
        record.reason = secrets.mask(unknown.reason)
        await run.context.assumeUnknown(op: op.name, at: started.location, mayChange: unknown.mayChange)
        await sessions.append(record, for: run.target)
        observer.opFinished(run.target, record)
        var result = record
        result.details = op.completing([:])
        return (result.value, record)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let error as OpError: return error.description
        case let error as RuntimeError: return error.message + (error.hint.map { " (\($0))" } ?? "")
        case let error as TransportError: return error.description
        default: return "\(error)"
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    // MARK: - Arguments

    /// Matches arguments to parameters (as the checker did), evaluates them, fills in
    /// defaults and turns host strings into hosts.
    func bindArguments(_ call: Call, _ op: OpSpec, in env: Environment, on host: HostRun?) async throws -> OpArguments {
        var arguments: [CallArgument<Value>] = []
        for argument in call.arguments {
            arguments.append(CallArgument(label: argument.label?.name, labelSpan: argument.label?.span,
                                          payload: try await evaluate(argument.value, in: env, on: host), span: argument.value.span))
        }
        var block: (payload: Value, span: Span?)?
        if let expr = call.block, op.blockParam != nil { block = (try await evaluate(expr, in: env, on: host), expr.span) }
        let binding = ArgumentBinder.bind(op, arguments, block: block)
        // The checker reported every problem before the run; one here is a checker bug.
        if let problem = binding.problems.first {
            throw RuntimeError(call.callee.span, "`\(op.name)`: \(ArgumentBinder.describe(problem))")
        }
        var values = OrderedDictionary<String, Value>()
        var spans: [String: Span] = [:]
        for param in op.params {
            if let (value, span) = binding.given[param.name] {
                values[param.name] = try convert(value, to: param, op: op, at: span ?? call.span)
                spans[param.name] = span
            } else {
                values[param.name] = param.defaultValue ?? Value.none
            }
        }
        let bound = OpArguments(values: values, spans: spans, callSpan: call.span)
        if let (param, problem) = op.ruleViolation(in: bound) {
            throw RuntimeError(spans[param] ?? call.span, "\(op.name) `\(param)`: \(problem.message)", hint: problem.hint)
        }
        return bound
    }

    func convert(_ value: Value, to param: ParamSpec, op: OpSpec, at span: Span) throws -> Value {
        if !param.acceptedType.accepts(value.type) {
            throw RuntimeError(span, "`\(op.name)` expects \(param.acceptedType) for `\(param.name)`, got \(value.type.withArticle)")
        }
        if let choices = param.choices, case .string(let text) = value, !choices.contains(text) {
            throw RuntimeError(span, "`\(text)` is not a valid `\(param.name)` for `\(op.name)`",
                               hint: "choose one of: \(choices.joined(separator: ", "))")
        }
        switch (param.type, value) {
        case (.host, .string), (.list(.host), .list):
            if case .failure(let error) = Checker.validateHosts(value, type: param.type) {
                throw RuntimeError(span, error.description)
            }
            return Checker.coerce(value, to: param.type)
        default:
            return value
        }
    }

    // MARK: - User functions

    /// Deepest nesting of user function calls; past it a recursion that never ends is an
    /// error instead of a run that eats memory until the machine gives out.
    static let maxCallDepth = 1000

    /// The user function calls under way in the current task (each host's task has its own).
    @TaskLocal static var callDepth = 0

    func callFunction(_ decl: FunctionDecl, _ call: Call, in env: Environment, on host: HostRun?) async throws -> Value {
        guard Self.callDepth < Self.maxCallDepth else {
            throw RuntimeError(call.span, "function calls nested more than \(Self.maxCallDepth) deep (in `\(decl.name.name)`)",
                               hint: "a function that calls itself needs a case that returns without calling again")
        }
        try budget.step(at: call.span, on: host)
        return try await Self.$callDepth.withValue(Self.callDepth + 1) {
            try await callFunctionBody(decl, call, in: env, on: host)
        }
    }

    func callFunctionBody(_ decl: FunctionDecl, _ call: Call, in env: Environment, on host: HostRun?) async throws -> Value {
        // Functions see the recipe's globals and their own parameters, not the caller's locals.
        let scope = Environment(parent: globals)
        if let host { scope.define("host", .host(host.target)) }
        var positionalIndex = 0
        var bound = Set<String>()
        for argument in call.arguments {
            let value = try await evaluate(argument.value, in: env, on: host)
            if let label = argument.label {
                scope.define(label.name, value)
                bound.insert(label.name)
            } else {
                let name = decl.parameters[positionalIndex].name.name
                scope.define(name, value)
                bound.insert(name)
                positionalIndex += 1
            }
        }
        for parameter in decl.parameters where !bound.contains(parameter.name.name) {
            guard let defaultValue = parameter.defaultValue else {
                throw RuntimeError(call.span, "missing argument `\(parameter.name.name)` for `\(decl.name.name)`")
            }
            scope.define(parameter.name.name, try await evaluate(defaultValue, in: scope, on: host))
        }
        do {
            for statement in decl.body.statements { try await execute(statement, in: scope, on: host) }
        } catch let signal as ReturnSignal {
            return signal.value
        }
        return .none
    }
}

