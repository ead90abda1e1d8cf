import OrderedCollections

/// Applies an op's plan through the transport, or only describes it in check mode. This is
/// the one path every changing op takes, so a dry run cannot drift from a real one.
public enum OpExecutor {
    public static func execute(_ spec: OpSpec, _ arguments: OpArguments, on context: any HostContext) async throws -> OpRecord {
        guard case .plan(let plan) = spec.body else {
            preconditionFailure("OpExecutor.execute called for \(spec.name), which is not a changing op")
        }
        try spec.requireRules(arguments)
        var decided: OpPlan
        do {
            decided = try await plan(arguments, context)
        } catch var unknown as UnknownInCheckMode {
            unknown.mayChange = spec.mayChange?(arguments) ?? .anything
            throw unknown
        }
        decided.calledAt = arguments.callSpan?.description
        let location = arguments.callSpan?.description ?? ""
        var outcome = OpRecord(op: spec.name, location: location, status: decided.changes ? .changed : .ok,
                               reason: decided.reason, details: spec.completing(decided.details))
        if !decided.changes, !location.isEmpty, await context.changedByUnfinishedRun(at: location) {
            outcome.status = .changed
            outcome.reason = FollowUps.reason
        }
        for action in decided.actions {
            switch action {
            case .writeFile(let path, let before, let after, _):
                outcome.diff += UnifiedDiff.render(old: before, new: after, path: path)
            case .run(let command, _, _):
                outcome.commands.append(command)
            case .verify:
                break
            }
        }
        if context.checkMode {
            await context.assume(decided, op: spec.name)
        } else {
            outcome.output = try await context.apply(decided)
            if decided.wantsOutput {
                for (key, value) in CommandOutput.fields(outcome.output) { outcome.details[key] = value }
            }
        }
        return outcome
    }

    /// Runs the actions in order; the first failure stops the op (an `OpError` with the
    /// output when a command failed). Returns what the commands printed.
    @discardableResult
    public static func apply(_ actions: [PlannedAction], effect: CommandEffect, on context: any HostContext) async throws -> [CommandOutput] {
        var outputs: [CommandOutput] = []
        for action in actions {
            switch action {
            case .writeFile(let path, let before, let after, let options):
                await context.willWrite(path, previous: before)
                try await context.transport.writeFile(path, contents: after, options: options)
            case .verify(let command, let summary):
                let result = try await run(command, on: context)
                guard result.succeeded else { throw OpError(summary) }
            case .run(let command, let summary, let timeout):
                let started = ContinuousClock.now
                let result = try await run(command, timeout: timeout, on: context)
                await context.didRunCommand(effect)
                let elapsed = ContinuousClock.now - started
                outputs.append(CommandOutput(command: command, status: result.status, stdout: result.stdoutText,
                                             stderr: result.stderrText,
                                             milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)))
                guard result.succeeded else {
                    let detail = result.stderrText.trimmed.isEmpty ? result.stdoutText.trimmed : result.stderrText.trimmed
                    throw OpError(failureMessage(summary, status: result.status, detail: detail), output: outputs)
                }
            }
        }
        return outputs
    }
}

extension CommandOutput {
    /// `stdout`, `stderr` and `rc` of an op's result, from the last command it ran, each
    /// stream without its final newline (as `$(...)` gives it); empty and `none` when none
    /// ran (a guard skipped it, or check mode).
    public static func fields(_ outputs: [CommandOutput]) -> OrderedDictionary<String, Value> {
        guard let last = outputs.last else { return ["stdout": .string(""), "stderr": .string(""), "rc": .none] }
        func chomp(_ text: String) -> String { text.hasSuffix("\n") ? String(text.dropLast()) : text }
        return ["stdout": .string(chomp(last.stdout)), "stderr": .string(chomp(last.stderr)), "rc": .int(Int(last.status))]
    }
}

extension OpExecutor {
    /// Runs a planned command; one that holds a secret goes on stdin, where no `ps` on the
    /// host sees it, to a shell that reads it and runs it (with stdin from /dev/null).
    /// `timeout`: seconds after which the command and all it started are stopped on the host
    /// (`CommandTimeout`); the client gives up on the host a while after that.
    public static func run(_ command: String, timeout: Int? = nil, on context: any HostContext) async throws -> CommandResult {
        let hidden = context.secrets?.appears(in: Array(command.utf8)) == true
        if let timeout {
            let timed = CommandTimeout.wrap(command, seconds: timeout, hidden: hidden)
            return try await context.transport.run(timed.command, stdin: timed.stdin, timeout: CommandTimeout.backstop(timeout))
        }
        guard hidden else { return try await context.transport.run(command) }
        return try await context.transport.run(ShellQuote.command(["/bin/sh", "-c", #"c=$(cat); eval "$c" </dev/null"#]),
                                                stdin: Array(command.utf8), timeout: nil)
    }

    /// How a failed command is reported, whether it ran alone or in a batch.
    public static func failureMessage(_ summary: String, status: Int32, detail: String) -> String {
        if CommandTimeout.timedOut(detail) { return CommandTimeout.failure(summary, seconds: CommandTimeout.seconds(in: detail)) }
        if status == CommandStop.status, detail.hasSuffix(CommandStop.marker) {
            return "\(summary) was interrupted (Ctrl-C): crucible stopped it and every process it started on the host"
        }
        return "\(summary) failed (exit status \(status))\(detail.isEmpty ? "" : ": \(detail)")"
    }
}

extension OpArguments {
    /// Named values bound to a spec's parameters by the same binder recipes go through
    /// (`ArgumentBinder`), defaults filled in: for tests and direct calls.
    public static func bind(_ spec: OpSpec, _ given: [String: Value]) throws -> OpArguments {
        let binding = ArgumentBinder.bind(spec, given.sorted { $0.key < $1.key }.map { CallArgument(label: $0.key, payload: $0.value) })
        if let problem = binding.problems.first { throw OpError("\(spec.name): \(ArgumentBinder.describe(problem))") }
        var values = OrderedDictionary<String, Value>()
        for param in spec.params { values[param.name] = binding.given[param.name]?.payload ?? param.defaultValue ?? Value.none }
        let arguments = OpArguments(values: values)
        try spec.requireRules(arguments)
        return arguments
    }
}
