/// A condition an argument's value must meet that needs no host: one line of text, an
/// octal mode, an INI section name. A parameter declares its rule once; the checker applies
/// it to arguments written as literals (an error before the run), the evaluator to every
/// value before the op runs (an error at the argument, before anything is read or written).
public struct ValueRule: Sendable {
    /// What is wrong with the value, or nil when it meets the rule.
    public let problem: @Sendable (Value) -> OpError?

    public init(_ problem: @escaping @Sendable (Value) -> OpError?) {
        self.problem = problem
    }

    /// Every rule, in order; the first problem wins.
    public static func all(_ rules: ValueRule...) -> ValueRule {
        ValueRule { value in rules.lazy.compactMap { $0.problem(value) }.first }
    }

    /// Text that ends up as one line of a file (or one word of one): no `\n` or `\r`
    /// anywhere in the value, lists and records included.
    public static let singleLine = ValueRule { value in
        guard let text = value.firstString(where: \.containsLineBreak) else { return nil }
        return OpError("\(Value.quoted(text)) contains a line break, and this value is written as one line",
                       hint: "remove the `\\n` or `\\r`; a line break here would add a line of its own to the file")
    }

    /// A file mode in octal digits: `"0644"`, `"644"`, `"2755"`. Symbolic modes (`u+x`) are
    /// refused: whether a file already has one cannot be compared.
    public static let octalMode = ValueRule { value in
        guard case .string(let mode) = value, !isOctalMode(mode) else { return nil }
        return OpError("\(Value.quoted(mode)) is not an octal mode",
                       hint: "write three or four octal digits, like \"0644\" or \"2755\"")
    }

    public static func isOctalMode(_ mode: String) -> Bool {
        (3...4).contains(mode.utf8.count) && mode.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }
    }

    /// A name that goes on a command line (a unit, a boolean): not empty, not an option.
    public static let commandWord = ValueRule { value in
        guard case .string(let word) = value else { return nil }
        if word.isEmpty { return OpError("the name is empty") }
        if word.hasPrefix("-") { return OpError("\(Value.quoted(word)) starts with `-`, so a command would read it as an option") }
        if word.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return OpError("\(Value.quoted(word)) contains a control character")
        }
        return nil
    }
}

extension OpSpec {
    /// The first argument that breaks its parameter's rule: its name and the problem.
    public func ruleViolation(in arguments: OpArguments) -> (param: String, problem: OpError)? {
        for param in params {
            guard let rule = param.rule, let value = arguments.values[param.name], let problem = rule.problem(value) else { continue }
            return (param.name, problem)
        }
        return nil
    }

    /// Throws the first rule violation as an op error (direct calls; recipes get it from
    /// the evaluator, at the argument).
    public func requireRules(_ arguments: OpArguments) throws {
        if let (param, problem) = ruleViolation(in: arguments) {
            throw OpError("\(name) `\(param)`: \(problem.message)", hint: problem.hint)
        }
    }
}

extension Value {
    /// The first string in the value (itself, a list item, a record key or field, at any
    /// depth) that matches.
    public func firstString(where matches: (String) -> Bool) -> String? {
        switch self {
        case .string(let text): return matches(text) ? text : nil
        case .list(let items):
            for item in items { if let found = item.firstString(where: matches) { return found } }
            return nil
        case .record(let fields):
            for (key, field) in fields {
                if matches(key) { return key }
                if let found = field.firstString(where: matches) { return found }
            }
            return nil
        case .none, .bool, .int, .host:
            return nil
        }
    }
}

extension String {
    /// Whether the text holds a `\n` or `\r`. Checked on Unicode scalars: as a Character,
    /// `"\r\n"` is neither `"\n"` nor `"\r"`, so `contains("\n")` misses it.
    public var containsLineBreak: Bool {
        unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
    }
}
