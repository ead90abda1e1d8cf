import DSL

/// Fits a params file's literal to the type its param declares: host strings become
/// hosts, list items are checked one by one, and a mismatch names the item it is about.
///
/// Types are strict: `"892"` is not an int and `"a,b"` is not a list. A params file is
/// edited by hand, so a value of the wrong shape is more likely a mistake than a wish.
public enum ParamConformance {
    /// What is wrong with a value, and the part of the literal it is about (when known).
    public struct Problem: Error, Sendable {
        public let message: String
        public let hint: String?
        public let span: Span?
    }

    public static func conform(_ value: Value, written expr: Expr?, to type: ValueType) -> Result<Value, Problem> {
        switch (type, value) {
        case (.any, _), (.string, .string), (.int, .int), (.bool, .bool), (.none, .none), (.record, .record), (.host, .host):
            return .success(value)
        case (.host, .string(let text)):
            return ParamConversion.host(text).map(Value.host).mapError {
                Problem(message: $0.message, hint: "write `[user@]address[:port]`, like `\"root@10.0.0.1\"`, "
                        + "or `\"ctl1=root@10.0.0.1\"` with a display name", span: expr?.span)
            }
        case (.list(let element), .list(let items)):
            return conformItems(items, written: expr, to: element)
        case (.oneOf(let options), _):
            for option in options {
                if case .success(let fitted) = conform(value, written: expr, to: option) { return .success(fitted) }
            }
            return .failure(mismatch(value, expr, type))
        default:
            return .failure(mismatch(value, expr, type))
        }
    }

    static func conformItems(_ items: [Value], written expr: Expr?, to element: ValueType) -> Result<Value, Problem> {
        var itemExprs: [Expr]?
        if case .list(let written, _) = expr, written.count == items.count { itemExprs = written }
        var fitted: [Value] = []
        for (position, item) in items.enumerated() {
            switch conform(item, written: itemExprs?[position], to: element) {
            case .success(let value): fitted.append(value)
            case .failure(let problem):
                return .failure(Problem(message: "item \(position + 1): \(problem.message)", hint: problem.hint,
                                        span: problem.span ?? expr?.span))
            }
        }
        return .success(.list(fitted))
    }

    static func mismatch(_ value: Value, _ expr: Expr?, _ type: ValueType) -> Problem {
        Problem(message: "expected \(type.withArticle), found \(describe(value))", hint: hint(value, type), span: expr?.span)
    }

    /// What to write instead; a quoted number or a comma-separated string gets the exact fix.
    static func hint(_ value: Value, _ type: ValueType) -> String {
        switch (type, value) {
        case (.int, .string(let text)) where Int(text.trimmed) != nil:
            return "write the number without quotes: `\(text.trimmed)`"
        case (.bool, .string(let text)) where ["true", "false"].contains(text.trimmed):
            return "write `\(text.trimmed)` without quotes"
        case (.list(let element), .string(let text)):
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let written = items.map { item in element == .int && Int(item) != nil ? item : Value.quoted(item) }
            return "write a list in brackets: `[\(written.joined(separator: ", "))]`"
        default:
            return "write \(type.withArticle), like `\(example(for: type))`"
        }
    }

    /// "a string", "an int", "a list": the shape of what was written.
    static func describe(_ value: Value) -> String {
        switch value {
        case .list: return "a list"
        case .host: return "a host"
        case .none: return "`none`"
        default: return value.type.withArticle
        }
    }

    /// A literal of the type, as a params file would write it.
    public static func example(for type: ValueType) -> String {
        switch type {
        case .host: return "\"root@10.0.0.1\""
        case .list(let element): return "[\(example(for: element))]"
        case .int: return "1"
        case .bool: return "true"
        case .record, .shaped: return "{ key = \"value\" }"
        case .none: return "none"
        case .oneOf(let options): return options.first.map(example(for:)) ?? "\"text\""
        case .string, .any: return "\"text\""
        }
    }
}
