import Interpreter

/// A line starting with `:`: a command to the REPL itself rather than recipe code.
enum MetaCommand: Equatable {
    case help(op: String?)
    case facts
    case check(on: Bool?)
    /// `:load FILE [--set NAME=VALUE]...`
    case load(path: String, sets: [String])
    case hosts
    case connect(host: String)
    case quit
    /// Malformed or unknown; the message says what to type instead.
    case invalid(String)

    static let names = ["help", "facts", "check", "load", "hosts", "connect", "quit"]

    static let summary = """
        :help             this help          :help OP      an op's parameters and examples
        :facts            the host's facts   :check on|off dry-run mode (show diffs, change nothing)
        :load FILE [--set NAME=VALUE]...     run a recipe file, its params given as with `run`
        :hosts            hosts you can :connect to
        :connect HOST     switch host        :quit         leave (or Ctrl-D)
        """

    static func parse(_ line: String) -> MetaCommand {
        let words = line.trimmed.dropFirst().split(whereSeparator: \.isWhitespace).map(String.init)
        guard let name = words.first else { return .invalid("a `:` needs a command; `:help` lists them") }
        let rest = words.dropFirst()
        let argument = rest.joined(separator: " ")
        switch name {
        case "help", "h", "?": return .help(op: rest.first)
        case "facts": return .facts
        case "check":
            switch argument {
            case "": return .check(on: nil)
            case "on": return .check(on: true)
            case "off": return .check(on: false)
            default: return .invalid("`:check` takes `on` or `off`, not `\(argument)`")
            }
        case "load":
            guard let path = rest.first else { return .invalid("`:load` needs a recipe file: `:load FILE [--set NAME=VALUE]...`") }
            var sets: [String] = []
            var words = rest.dropFirst()[...]
            while let word = words.popFirst() {
                if word.hasPrefix("--set="), word.count > 6 {
                    sets.append(String(word.dropFirst(6)))
                } else if word == "--set", let value = words.popFirst() {
                    sets.append(value)
                } else {
                    return .invalid("`:load` takes a file and `--set NAME=VALUE` options, not `\(word)`")
                }
            }
            if let bad = sets.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
                return .invalid("`--set \(bad)`: expected NAME=VALUE")
            }
            return .load(path: path, sets: sets)
        case "hosts": return .hosts
        case "connect":
            return argument.isEmpty ? .invalid("`:connect` needs a host: `:connect [user@]address[:port]`, an ssh alias or `local`")
                : .connect(host: argument)
        case "quit", "q", "exit": return .quit
        default:
            let hint = Suggestions.hint(for: name, in: names) ?? "`:help` lists the commands"
            return .invalid("unknown command `:\(name)`; \(hint)")
        }
    }
}
