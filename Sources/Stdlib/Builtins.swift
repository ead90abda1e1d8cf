import Interpreter
import OrderedCollections

/// Pure built-in functions: no host needed, usable anywhere.
public enum Builtins {
    public static var all: [OpSpec] {
        [len, join, split, keys, str, int, lower, upper, replace, startsWith, endsWith, unique, sorted, range, fail, log, expect, defaultValue, quote, regexEscape]
    }

    static func pure(_ name: String, _ summary: String, _ params: [ParamSpec], returns: ValueType, examples: [String] = [],
                     _ body: @escaping @Sendable (OpArguments) throws -> Value) -> OpSpec {
        OpSpec(name: name, summary: summary, params: params, examples: examples, returns: returns, body: .pure(body))
    }

    static let len: OpSpec = {
        let value = Param.value("value", .oneOf([.list(.any), .string, .record]), positional: true, doc: "what to count")
        return pure("len", "Number of items in a list or record, or characters in a string.", [value.spec],
                    returns: .int, examples: ["len(computes) > 0"]) { args in
            switch args[value] {
            case .list(let items): return .int(items.count)
            case .string(let text): return .int(text.count)
            case .record(let fields): return .int(fields.count)
            default: return .int(0)
            }
        }
    }()

    static let join: OpSpec = {
        let items = Param.list("items", positional: true, doc: "the values to join")
        let separator = Param.string("separator", default: ",", positional: true, doc: "put between items")
        return pure("join", "Joins strings (or values) with a separator.", [items.spec, separator.spec],
                    returns: .string, examples: ["join([\"a\", \"b\"], \" \")  # \"a b\""]) { args in
            .string(args[items].map(\.interpolated).joined(separator: args[separator]))
        }
    }()

    static let split: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the string")
        let separator = Param.string("separator", default: ",", positional: true, doc: "where to split")
        return pure("split", "Splits a string on a separator.", [text.spec, separator.spec], returns: .list(.string)) { args in
            guard !args[separator].isEmpty else { throw OpError("the separator is empty") }
            return .list(args[text].components(separatedBy: args[separator]).map(Value.string))
        }
    }()

    static let keys: OpSpec = {
        let record = Param.record("record", positional: true, doc: "the record")
        return pure("keys", "The keys of a record, in order.", [record.spec], returns: .list(.string)) { args in
            .list(args[record].keys.map(Value.string))
        }
    }()

    static let str: OpSpec = {
        let value = Param.value("value", .any, positional: true, doc: "any value")
        return pure("str", "A value as a string (as `${value}` would write it).", [value.spec], returns: .string) { args in
            .string(args[value].interpolated)
        }
    }()

    static let int: OpSpec = {
        let value = Param.value("value", .oneOf([.string, .int]), positional: true, doc: "digits")
        return pure("int", "A string of digits as an int.", [value.spec], returns: .int) { args in
            if case .int(let number) = args[value] { return .int(number) }
            // Otherwise a string: the parameter takes nothing else.
            let text = args[value].interpolated
            guard let number = Int(text.trimmed) else { throw OpError("`\(text)` is not an integer") }
            return .int(number)
        }
    }()

    static let lower: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the string")
        return pure("lower", "Lowercase copy of a string.", [text.spec], returns: .string) { .string($0[text].lowercased()) }
    }()

    static let upper: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the string")
        return pure("upper", "Uppercase copy of a string.", [text.spec], returns: .string) { .string($0[text].uppercased()) }
    }()

    static let replace: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the string")
        let old = Param.string("old", positional: true, doc: "what to replace")
        let new = Param.string("new", positional: true, doc: "the replacement")
        return pure("replace", "Replaces every occurrence of a substring.", [text.spec, old.spec, new.spec], returns: .string) { args in
            guard !args[old].isEmpty else { throw OpError("`old` is empty") }
            return .string(args[text].replacingAll(args[old], with: args[new]))
        }
    }()

    static let startsWith: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the string")
        let prefix = Param.string("prefix", positional: true, doc: "the prefix")
        return pure("starts-with", "Whether a string starts with a prefix.", [text.spec, prefix.spec], returns: .bool) { args in
            .bool(args[text].hasPrefix(args[prefix]))
        }
    }()

    static let endsWith: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the string")
        let suffix = Param.string("suffix", positional: true, doc: "the suffix")
        return pure("ends-with", "Whether a string ends with a suffix.", [text.spec, suffix.spec], returns: .bool) { args in
            .bool(args[text].hasSuffix(args[suffix]))
        }
    }()

    static let unique: OpSpec = {
        let items = Param.list("items", positional: true, doc: "the list")
        return pure("unique", "The list without repeated items, first occurrence kept.", [items.spec], returns: .list(.any)) { args in
            var seen = Set<Value>()
            return .list(args[items].filter { seen.insert($0).inserted })
        }
    }()

    static let sorted: OpSpec = {
        let items = Param.list("items", positional: true, doc: "the list")
        return pure("sort", "The list sorted (ints numerically, everything else as text).", [items.spec], returns: .list(.any)) { args in
            .list(args[items].sorted { left, right in
                if case .int(let a) = left, case .int(let b) = right { return a < b }
                return left.interpolated < right.interpolated
            })
        }
    }()

    static let range: OpSpec = {
        let from = Param.int("from", positional: true, doc: "first int")
        let to = Param.int("to", positional: true, doc: "one past the last int")
        return pure("range", "The ints from `from` up to (not including) `to`.", [from.spec, to.spec], returns: .list(.int)) { args in
            let first = args[from], end = args[to]
            // The width may not fit in an int itself (range(-huge, huge)): that is too large too.
            let (width, overflow) = end.subtractingReportingOverflow(first)
            guard !overflow, width <= 100_000 else {
                throw OpError("range from \(first) to \(end) is too large (at most 100000 ints)")
            }
            return .list(first < end ? (first..<end).map(Value.int) : [])
        }
    }()

    static let fail: OpSpec = {
        let message = Param.string("message", positional: true, doc: "what is wrong and what to do")
        return pure("fail", "Stops with an error: outside `on` blocks the whole run, inside one only that host.", [message.spec],
                    returns: .none, examples: ["if len(computes) == 0 { fail(\"give at least one compute node\") }"]) { args in
            throw OpError(args[message])
        }
    }()

    static let log: OpSpec = {
        let message = Param.value("message", .any, positional: true, doc: "what to print")
        return OpSpec(
            name: "log", summary: "Prints a message in the run output (with the host's name inside `on` blocks).",
            params: [message.spec], returns: .none,
            body: .report { $0[message].interpolated })
    }()

    static let expect: OpSpec = {
        let condition = Param.bool("condition", positional: true, doc: "what must hold")
        let message = Param.string("message", positional: true, doc: "what is checked, and what to do when it fails")
        return OpSpec(
            name: "expect",
            summary: "A check: reported per host, ok or failed with the message; a failed one fails the host when its block ends (the block's other checks still run).",
            params: [condition.spec, message.spec],
            examples: [#"expect(ids != none, "a nova user exists (install openstack-nova-compute first)")"#],
            returns: .bool, body: .check { (holds: $0[condition], message: $0[message]) })
    }()

    static let defaultValue: OpSpec = {
        let value = Param.value("value", .any, positional: true, doc: "the value")
        let fallback = Param.value("fallback", .any, positional: true, doc: "used when the value is none or \"\"")
        return pure("default", "The value, or a fallback when it is `none` or an empty string.", [value.spec, fallback.spec],
                    returns: .any) { args in
            switch args[value] {
            case .none, .string(""): return args[fallback]
            case let value: return value
            }
        }
    }()

    static let quote: OpSpec = {
        let value = Param.value("value", .any, positional: true, doc: "the value to quote")
        return pure("quote", "Quotes a value as one shell word, for the command string of `run`.", [value.spec], returns: .string,
                    examples: [#"run "packstack --answer-file=${quote(answer_file)}" creates: "/root/keystonerc_admin""#]) { args in
            .string(ShellQuote.quote(args[value].interpolated))
        }
    }()

    static let regexEscape: OpSpec = {
        let text = Param.string("text", positional: true, doc: "the literal text")
        return pure("regex-escape", "Escapes a string so a regular expression matches it literally.", [text.spec], returns: .string,
                    examples: [#"ensure-line "/etc/exports" line match: "^${regex-escape(path)}[ \t]""#]) { args in
            var out = ""
            for char in args[text] {
                if "\\^$.|?*+()[]{}/".contains(char) { out.append("\\") }
                out.append(char)
            }
            return .string(out)
        }
    }()
}
