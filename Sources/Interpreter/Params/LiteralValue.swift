import DSL
import OrderedCollections

/// Turns a literal written in recipe syntax into a value, without evaluating anything:
/// the values of a params file and the defaults a generated params file shows.
///
/// Literals are strings without `${...}`, ints (with a leading `-`), `true`/`false`,
/// `none`, lists and records of literals, and `"user@address" as "name"` for a host with
/// a display name. Names, calls and operators are refused: a params file is data.
public enum LiteralValue {
    public static func evaluate(_ expr: Expr) -> Result<Value, Diagnostic> {
        switch expr {
        case .integer(let number, _):
            return .success(.int(number))
        case .unary(.negate, .integer(let number, _), _):
            return .success(.int(-number))
        case .bool(let flag, _):
            return .success(.bool(flag))
        case .none:
            return .success(.none)
        case .string(let parts, let span):
            return text(parts, span).map(Value.string)
        case .list(let items, _):
            var values: [Value] = []
            for item in items {
                switch evaluate(item) {
                case .success(let value): values.append(value)
                case .failure(let diagnostic): return .failure(diagnostic)
                }
            }
            return .success(.list(values))
        case .record(let fields, _):
            var values = OrderedDictionary<String, Value>()
            for field in fields {
                switch evaluate(field.value) {
                case .success(let value): values[field.key] = value
                case .failure(let diagnostic): return .failure(diagnostic)
                }
            }
            return .success(.record(values))
        case .named(let base, let name, _):
            return namedHost(base, name)
        case .variable(let identifier):
            return .failure(notLiteral(expr.span, "`\(identifier.name)` is a name, not a value",
                                       hint: "values are literals: quote text (`\"\(identifier.name)\"`)"))
        default:
            return .failure(notLiteral(expr.span, "a params file value must be a literal, not an expression",
                                       hint: "write the value itself: a \"string\", an int, true or false, a [list] or a host"))
        }
    }

    /// Whether the expression is a literal this type can read (for generated files).
    public static func isLiteral(_ expr: Expr) -> Bool {
        if case .success = evaluate(expr) { return true }
        return false
    }

    static func text(_ parts: [StringPart], _ span: Span) -> Result<String, Diagnostic> {
        var text = ""
        for part in parts {
            guard case .text(let piece) = part else {
                return .failure(notLiteral(span, "a params file value cannot use `${...}`",
                                           hint: "values are taken literally; write `\\$` for a dollar sign"))
            }
            text += piece
        }
        return .success(text)
    }

    /// `"root@10.0.0.1" as "ctl1"`: the host is parsed here, so a malformed one is reported
    /// at its own string.
    static func namedHost(_ base: Expr, _ name: Expr) -> Result<Value, Diagnostic> {
        guard case .string(let baseParts, let baseSpan) = base else {
            return .failure(notLiteral(base.span, "`as` gives a host a display name: write the host as a string",
                                       hint: "for example `\"root@10.0.0.1\" as \"ctl1\"`"))
        }
        guard case .string(let nameParts, let nameSpan) = name else {
            return .failure(notLiteral(name.span, "a display name must be a string",
                                       hint: "for example `\"root@10.0.0.1\" as \"ctl1\"`"))
        }
        let address: String, display: String
        switch (text(baseParts, baseSpan), text(nameParts, nameSpan)) {
        case (.failure(let diagnostic), _), (_, .failure(let diagnostic)): return .failure(diagnostic)
        case (.success(let left), .success(let right)): (address, display) = (left, right)
        }
        guard !display.isEmpty, !display.contains(where: { $0.isWhitespace || $0 == "#" }) else {
            return .failure(Diagnostic(id: "E-param-value", span: nameSpan, message: "`\(display)` is not a display name",
                                       hint: "a display name is one word, like `ctl1`: it becomes a host name in /etc/hosts"))
        }
        do {
            var target = try HostTarget.parse(address)
            target.displayName = display
            return .success(.host(target))
        } catch {
            return .failure(Diagnostic(id: "E-param-value", span: baseSpan, message: "`\(address)` is not a host: \(error)",
                                       hint: "write `[user@]address[:port]`, like `\"root@10.0.0.1\"`"))
        }
    }

    static func notLiteral(_ span: Span, _ message: String, hint: String) -> Diagnostic {
        Diagnostic(id: "E-params-literal", span: span, message: message, hint: hint)
    }
}
