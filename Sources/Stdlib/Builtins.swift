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

    static let len = pure("len", "Number of items in a list or record, or characters in a string.",
                          [ParamSpec("value", .oneOf([.list(.any), .string, .record]), positional: true, doc: "what to count")],
                          returns: .int, examples: ["len(computes) > 0"]) { args in
        switch args["value"] {
        case .list(let items): return .int(items.count)
        case .string(let text): return .int(text.count)
        case .record(let fields): return .int(fields.count)
        default: return .int(0)
        }
    }

    static let join = pure("join", "Joins strings (or values) with a separator.",
                           [ParamSpec("items", .list(.any), positional: true, doc: "the values to join"),
                            ParamSpec("separator", .string, default: .string(","), positional: true, doc: "put between items")],
                           returns: .string, examples: ["join([\"a\", \"b\"], \" \")  # \"a b\""]) { args in
        .string((args["items"].asList ?? []).map(\.interpolated).joined(separator: args.string("separator")))
    }

    static let split = pure("split", "Splits a string on a separator.",
                            [ParamSpec("text", .string, positional: true, doc: "the string"),
                             ParamSpec("separator", .string, default: .string(","), positional: true, doc: "where to split")],
                            returns: .list(.string)) { args in
        let separator = args.string("separator")
        guard !separator.isEmpty else { throw OpError("the separator is empty") }
        return .list(args.string("text").components(separatedBy: separator).map(Value.string))
    }

    static let keys = pure("keys", "The keys of a record, in order.",
                           [ParamSpec("record", .record, positional: true, doc: "the record")], returns: .list(.string)) { args in
        .list(args.record("record").keys.map(Value.string))
    }

    static let str = pure("str", "A value as a string (as `${value}` would write it).",
                          [ParamSpec("value", .any, positional: true, doc: "any value")], returns: .string) { args in
        .string(args["value"].interpolated)
    }

    static let int = pure("int", "A string of digits as an int.",
                          [ParamSpec("value", .oneOf([.string, .int]), positional: true, doc: "digits")], returns: .int) { args in
        if case .int(let value) = args["value"] { return .int(value) }
        guard let value = Int(args.string("value").trimmed) else { throw OpError("`\(args.string("value"))` is not an integer") }
        return .int(value)
    }

    static let lower = pure("lower", "Lowercase copy of a string.", [ParamSpec("text", .string, positional: true, doc: "the string")],
                            returns: .string) { .string($0.string("text").lowercased()) }

    static let upper = pure("upper", "Uppercase copy of a string.", [ParamSpec("text", .string, positional: true, doc: "the string")],
                            returns: .string) { .string($0.string("text").uppercased()) }

    static let replace = pure("replace", "Replaces every occurrence of a substring.",
                              [ParamSpec("text", .string, positional: true, doc: "the string"),
                               ParamSpec("old", .string, positional: true, doc: "what to replace"),
                               ParamSpec("new", .string, positional: true, doc: "the replacement")], returns: .string) { args in
        guard !args.string("old").isEmpty else { throw OpError("`old` is empty") }
        return .string(args.string("text").replacingAll(args.string("old"), with: args.string("new")))
    }

    static let startsWith = pure("starts-with", "Whether a string starts with a prefix.",
                                 [ParamSpec("text", .string, positional: true, doc: "the string"),
                                  ParamSpec("prefix", .string, positional: true, doc: "the prefix")], returns: .bool) { args in
        .bool(args.string("text").hasPrefix(args.string("prefix")))
    }

    static let endsWith = pure("ends-with", "Whether a string ends with a suffix.",
                               [ParamSpec("text", .string, positional: true, doc: "the string"),
                                ParamSpec("suffix", .string, positional: true, doc: "the suffix")], returns: .bool) { args in
        .bool(args.string("text").hasSuffix(args.string("suffix")))
    }

    static let unique = pure("unique", "The list without repeated items, first occurrence kept.",
                             [ParamSpec("items", .list(.any), positional: true, doc: "the list")], returns: .list(.any)) { args in
        var seen = Set<Value>()
        return .list((args["items"].asList ?? []).filter { seen.insert($0).inserted })
    }

    static let sorted = pure("sort", "The list sorted (ints numerically, everything else as text).",
                             [ParamSpec("items", .list(.any), positional: true, doc: "the list")], returns: .list(.any)) { args in
        let items = args["items"].asList ?? []
        return .list(items.sorted { left, right in
            if case .int(let a) = left, case .int(let b) = right { return a < b }
            return left.interpolated < right.interpolated
        })
    }

    static let range = pure("range", "The ints from `from` up to (not including) `to`.",
                            [ParamSpec("from", .int, positional: true, doc: "first int"),
                             ParamSpec("to", .int, positional: true, doc: "one past the last int")], returns: .list(.int)) { args in
        let from = args.int("from"), to = args.int("to")
        // The width may not fit in an int itself (range(-huge, huge)): that is too large too.
        let (width, overflow) = to.subtractingReportingOverflow(from)
        guard !overflow, width <= 100_000 else {
            throw OpError("range from \(from) to \(to) is too large (at most 100000 ints)")
        }
        return .list(from < to ? (from..<to).map(Value.int) : [])
    }

    static let fail = pure("fail", "Stops with an error: outside `on` blocks the whole run, inside one only that host.",
                           [ParamSpec("message", .string, positional: true, doc: "what is wrong and what to do")],
                           returns: .none, examples: ["if len(computes) == 0 { fail(\"give at least one compute node\") }"]) { args in
        throw OpError(args.string("message"))
    }

    static let log = OpSpec(
        name: "log", summary: "Prints a message in the run output (with the host's name inside `on` blocks).",
        params: [ParamSpec("message", .any, positional: true, doc: "what to print")], returns: .none,
        body: .report { $0["message"].interpolated })

    static let expect = OpSpec(
        name: "expect",
        summary: "A check: reported per host, ok or failed with the message; a failed one fails the host when its block ends (the block's other checks still run).",
        params: [ParamSpec("condition", .bool, positional: true, doc: "what must hold"),
                 ParamSpec("message", .string, positional: true, doc: "what is checked, and what to do when it fails")],
        examples: [#"expect(ids != none, "a nova user exists (install openstack-nova-compute first)")"#],
        returns: .bool, body: .check { (holds: $0.bool("condition"), message: $0.string("message")) })

    static let defaultValue = pure("default", "The value, or a fallback when it is `none` or an empty string.",
                                   [ParamSpec("value", .any, positional: true, doc: "the value"),
                                    ParamSpec("fallback", .any, positional: true, doc: "used when the value is none or \"\"")],
                                   returns: .any) { args in
        switch args["value"] {
        case .none, .string(""): return args["fallback"]
        case let value: return value
        }
    }

    static let quote = pure("quote", "Quotes a value as one shell word, for the command string of `run`.",
                            [ParamSpec("value", .any, positional: true, doc: "the value to quote")], returns: .string,
                            examples: [#"run "packstack --answer-file=${quote(answer_file)}" creates: "/root/keystonerc_admin""#]) { args in
        .string(ShellQuote.quote(args["value"].interpolated))
    }

    static let regexEscape = pure("regex-escape", "Escapes a string so a regular expression matches it literally.",
                                  [ParamSpec("text", .string, positional: true, doc: "the literal text")], returns: .string,
                                  examples: [#"ensure-line "/etc/exports" line match: "^${regex-escape(path)}[ \t]""#]) { args in
        var out = ""
        for char in args.string("text") {
            if "\\^$.|?*+()[]{}/".contains(char) { out.append("\\") }
            out.append(char)
        }
        return .string(out)
    }
}
