import Interpreter

/// `probe`: runs a command that only reads the host and returns what it printed, for
/// `preflight` and `verify` blocks (and any `if` that must look at the host). It runs in
/// check mode too, so the command must change nothing: that is the recipe's promise, as
/// with `unless:`. Never cached: each call asks the host again, after the changes planned
/// before it are applied.
enum ProbeCommand {
    static let command = Param.string("command", positional: true,
                                      doc: "a shell command that changes nothing (values in it go through quote())")

    static let spec = OpSpec(
        name: "probe",
        summary: "Runs a read-only command and returns {ok, rc, stdout, stderr}; runs in check mode too.",
        params: [command.spec, CommandTimeoutParam.timeout.spec],
        examples: [
            #"let ports = probe "rpcinfo -p""#,
            #"expect(probe("findmnt -n ${quote(path)}").ok, "${path} is mounted")"#,
        ],
        returns: .record,
        resultFields: [
            FieldSpec("ok", .bool, doc: "true when the command exited 0"),
            FieldSpec("rc", .int, doc: "its exit status"),
            FieldSpec("stdout", .string, doc: "what it printed, without the last newline"),
            FieldSpec("stderr", .string, doc: "its error output, without the last newline"),
        ],
        body: .query { arguments, context in
            let timeout = CommandTimeoutParam.seconds(arguments, context)
            let result = try await context.check(arguments[command], timeout: timeout)
            // A probe that ran out of time has no answer: the op fails rather than return
            // what it printed so far as if that were all.
            if CommandTimeout.timedOut(result.stderrText) {
                throw OpError("\(context.target.name): " + CommandTimeout.failure("probe \(arguments[command])", seconds: timeout))
            }
            return value(of: result)
        })

    static func value(of result: CommandResult) -> Value {
        .record([
            "ok": .bool(result.succeeded),
            "rc": .int(Int(result.status)),
            "stdout": .string(trimmingFinalNewline(result.stdoutText)),
            "stderr": .string(trimmingFinalNewline(result.stderrText)),
        ])
    }

    static func trimmingFinalNewline(_ text: String) -> String {
        text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
