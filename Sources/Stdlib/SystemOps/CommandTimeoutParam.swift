import Interpreter

/// The `timeout:` parameter of the ops that run a recipe's own commands (`run`, `probe`),
/// declared once so that both read and document it alike.
enum CommandTimeoutParam {
    static let timeout = Param.optionalInt(
        "timeout", rule: rule,
        doc: "Seconds the command may run; then it and every process it started are stopped on the host "
            + "(TERM, then KILL \(CommandTimeout.grace) s later) and the op fails. Default: `--command-timeout`, else no limit.")

    /// Whole seconds, from 1 to a week.
    static let rule = ValueRule { value in
        guard case .int(let seconds) = value, let problem = CommandTimeout.problem(seconds) else { return nil }
        return OpError(problem, hint: "give a number of seconds from 1 to \(CommandTimeout.maximum), or leave `timeout:` out for no limit")
    }

    /// The op's own limit, else the run's `--command-timeout`.
    static func seconds(_ arguments: OpArguments, _ context: any HostContext) -> Int? {
        arguments[Self.timeout] ?? context.commandTimeout
    }
}
