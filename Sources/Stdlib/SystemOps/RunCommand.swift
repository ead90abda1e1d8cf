import Interpreter

/// `run`: the one op that takes a shell command from the recipe. The command string is
/// passed to `sh -c` exactly as written: it is the recipe author's own command, so its
/// words are not quoted (quoting would break pipes and redirections). Every other value
/// of this op (the `creates` path, the `chdir` directory) is quoted with `ShellQuote`, and
/// `unless` is, like the command, the author's own shell text.
///
/// Idempotence comes from the guards: `creates` skips the command when a path exists,
/// `unless` skips it when a check command succeeds. Both are read in one exec.
///
/// The result carries the command's `stdout`, `stderr` and `rc`, so a recipe can branch on
/// what it printed; a `run` whose result is used is applied at once (with the changes queued
/// before it), one whose result is thrown away is queued with the others.
enum RunCommand {
    static let command = Param.string("command", positional: true,
                                      doc: "Shell text run with `sh -c` as written (pipes, redirections and variables work).")
    static let creates = Param.nonEmptyString("creates", doc: "Skip the command when this path exists.")
    static let unless = Param.nonEmptyString("unless", doc: "Skip the command when this shell check exits 0.")
    static let chdir = Param.nonEmptyString("chdir", doc: "Run the command (and `unless`) in this directory.")
    /// Read as given: `[]` (nothing) is not the same as leaving it out (anything).
    static let changes = Param.value(
        "changes", .list(.string), default: Value.none,
        doc: "What the command may change of what ops read: absolute paths of files, and names of services, units or users. "
            + "Left out: anything, so a run reads the host again after it and `--check` reports the ops that "
            + "read the host after it as unknown. `[]`: nothing ops read.")

    static let spec = OpSpec(
        name: "run",
        summary: "Run a shell command, unless a guard says it already did its work.",
        params: [command.spec, creates.spec, unless.spec, chdir.spec, changes.spec, CommandTimeoutParam.timeout.spec],
        examples: [
            #"run "packstack --gen-answer-file=/root/answers.txt" creates: "/root/answers.txt""#,
            #"run "usermod -aG libvirt nova" unless: "id -nG nova | grep -qw libvirt" changes: ["/etc/group"]"#,
            #"run "/usr/local/bin/warm-cache" timeout: 600"#,
        ],
        resultFields: [
            FieldSpec("skipped_by", oneOf: ["creates", "unless", ""], doc: "`creates` or `unless` when a guard skipped the command, else empty"),
            FieldSpec("stdout", .string, doc: "What the command printed on standard output, without the final newline; empty when it did not run."),
            FieldSpec("stderr", .string, doc: "What it printed on standard error, without the final newline; empty when it did not run."),
            FieldSpec("rc", .oneOf([.int, .none]), doc: "Its exit status; none when it did not run (a guard skipped it, or check mode)."),
        ],
        guards: [creates.name, unless.name],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { (try? declaredEffect($0)) ?? .anything }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let command = arguments[Self.command]
        guard !command.trimmed.isEmpty else { throw OpError("run needs a command") }
        let creates = arguments[Self.creates]
        let unless = arguments[Self.unless]
        let chdir = arguments[Self.chdir]
        let timeout = CommandTimeoutParam.seconds(arguments, context)
        let effect = try declaredEffect(arguments)
        if creates != nil || unless != nil {
            // `creates` alone is a read-only probe (cached, read ahead); an `unless` command is
            // the recipe's own and may not be read-only, so it runs every time.
            let check = guardProbe(creates: creates, unless: unless, chdir: chdir)
            let guardResult = try await unless == nil ? context.probe(Probe(check, reads: creates.map { [.path($0)] } ?? []))
                : context.check(check, timeout: timeout)
            if unless != nil, CommandTimeout.timedOut(guardResult.stderrText) {
                throw OpError("\(context.target.name): " + CommandTimeout.failure("the `unless` check", seconds: timeout))
            }
            let answers = HostProbe.fields(guardResult.stdoutText)
            // Check mode runs the guards (they must only read) and says so.
            let ran = context.checkMode ? " (check mode ran the guard on the host)" : ""
            if let creates, answers["creates"] == "yes" {
                return notRun(.noChange("\(creates) exists" + ran, details: ["skipped_by": .string("creates")]))
            }
            if answers["unless"] == "yes" {
                return notRun(.noChange("the `unless` check succeeded" + ran, details: ["skipped_by": .string("unless")]))
            }
            if context.checkMode {
                let which = [creates.map { "\($0) does not exist" }, unless.map { _ in "the `unless` check failed" }]
                return notRun(OpPlan(actions: [.run(command: inDirectory(chdir, command), summary: "run \(command)", timeout: timeout)],
                                     reason: "would run: " + which.compactMap { $0 }.joined(separator: " and ") + ran,
                                     details: ["skipped_by": .string("")], effect: effect, wantsOutput: arguments.resultUsed))
            }
        }
        return notRun(OpPlan(actions: [.run(command: inDirectory(chdir, command), summary: "run \(command)", timeout: timeout)],
                             details: ["skipped_by": .string("")], effect: effect, wantsOutput: arguments.resultUsed))
    }

    /// `changes:` as the command's effect: an absolute path is a file whose bytes or metadata
    /// the command may change; anything else names a service or unit whose status, or a user
    /// whose account, it may change. Left out: anything.
    static func declaredEffect(_ arguments: OpArguments) throws -> CommandEffect {
        guard case .list(let items) = arguments[Self.changes] else { return .anything }
        var states: Set<HostState> = []
        for item in items.map(\.interpolated) {
            guard !item.isEmpty, !item.contains(where: \.isNewline) else {
                throw OpError("run `changes:` holds an empty or multi-line entry",
                              hint: "give absolute paths of files and names of services or users, one per entry")
            }
            states.formUnion(item.hasPrefix("/") ? [.contents(item), .path(item)] : [.service(item), .user(item)])
        }
        return .limited(states)
    }

    /// The plan with the `stdout`, `stderr` and `rc` of a command that did not run (skipped,
    /// or check mode); a command that runs replaces them with its own.
    static func notRun(_ plan: OpPlan) -> OpPlan {
        var plan = plan
        for (key, value) in CommandOutput.fields([]) { plan.details[key] = value }
        return plan
    }

    /// `creates=yes|no` and `unless=yes|no` from one exec.
    static func guardProbe(creates: String?, unless: String?, chdir: String?) -> String {
        var lines: [String] = []
        if let creates { lines.append(HostProbe.flag("creates", test: ShellQuote.command(["[", "-e", creates, "]"]))) }
        if let unless {
            lines.append(HostProbe.flag("unless", test: "(" + inDirectory(chdir, unless) + ") >/dev/null 2>&1"))
        }
        return Shell.sequence(lines)
    }

    /// `cd DIR && sh -c COMMAND`: the directory quoted, the command handed to its own shell
    /// as one argument so that `;` or `||` in it cannot escape the `cd`.
    static func inDirectory(_ directory: String?, _ command: String) -> String {
        guard let directory else { return command }
        return Shell.all([ShellQuote.command(["cd", "--", directory]), ShellQuote.command(["sh", "-c", command])])
    }
}
