import DSL
import Foundation
import OrderedCollections

extension Evaluator {
    func evaluate(_ expr: Expr, in env: Environment, on host: HostRun?) async throws -> Value {
        switch expr {
        case .integer(let value, _): return .int(value)
        case .bool(let value, _): return .bool(value)
        case .none: return .none
        case .string(let parts, let span):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .expression(let inner):
                    let value = try await evaluate(inner, in: env, on: host)
                    try budget.checkText(of: value, at: inner.span)
                    let piece = value.interpolated
                    try budget.checkString(bytes: text.utf8.count + piece.utf8.count, at: span)
                    text += piece
                }
            }
            return .string(text)
        case .variable(let identifier):
            if let value = env.lookup(identifier.name) { return value }
            if ops[identifier.name] != nil || function(identifier.name) != nil {
                return try await call(Call(callee: identifier, arguments: [], block: nil, span: identifier.span), in: env, on: host)
            }
            throw RuntimeError(identifier.span, "undefined name `\(identifier.name)`")
        case .list(let items, _):
            var values: [Value] = []
            for item in items { values.append(try await evaluate(item, in: env, on: host)) }
            return .list(values)
        case .record(let fields, _):
            var values = OrderedDictionary<String, Value>()
            for field in fields { values[field.key] = try await evaluate(field.value, in: env, on: host) }
            return .record(values)
        case .field(let base, let name, _):
            return try field(of: try await evaluate(base, in: env, on: host), name)
        case .index(let base, let key, let span):
            return try index(try await evaluate(base, in: env, on: host), try await evaluate(key, in: env, on: host), span)
        case .unary(let op, let operand, let span):
            let value = try await evaluate(operand, in: env, on: host)
            switch (op, value) {
            case (.not, .bool(let flag)): return .bool(!flag)
            case (.negate, .int(let number)):
                // -Int.min does not fit: an error, not a crash of the whole run.
                if number == .min { throw RuntimeError(span, "integer overflow") }
                return .int(-number)
            default: throw RuntimeError(span, "`\(op.rawValue)` cannot apply to \(value.type.withArticle)")
            }
        case .binary(let op, let left, let right, let operatorSpan, _):
            return try await binary(op, left, right, operatorSpan, in: env, on: host)
        case .call(let inner):
            return try await call(inner, in: env, on: host)
        case .named(let base, let name, let span):
            var target = try asHost(try await evaluate(base, in: env, on: host), at: base.span)
            guard case .string(let display) = try await evaluate(name, in: env, on: host) else {
                throw RuntimeError(span, "a display name must be a string")
            }
            target.displayName = display
            return .host(target)
        }
    }

    func truth(_ expr: Expr, in env: Environment, on host: HostRun?) async throws -> Bool {
        let value = try await evaluate(expr, in: env, on: host)
        guard case .bool(let flag) = value else {
            throw RuntimeError(expr.span, "expected a bool, got \(value.type.withArticle)",
                               hint: value.type == .record ? "an op's result is a record: test `.changed`" : nil)
        }
        return flag
    }

    func iterate(_ expr: Expr, in env: Environment, on host: HostRun?) async throws -> [Value] {
        let value = try await evaluate(expr, in: env, on: host)
        switch value {
        case .list(let items): return items
        case .record(let fields): return fields.keys.map(Value.string)
        default: throw RuntimeError(expr.span, "`for` needs a list, got \(value.type.withArticle)")
        }
    }

    func field(of value: Value, _ name: Identifier) throws -> Value {
        switch value {
        case .record(let fields):
            guard let found = fields[name.name] else {
                throw RuntimeError(name.span, "the record has no field `\(name.name)`",
                                   hint: Suggestions.hint(for: name.name, in: fields.keys) ?? "its fields: \(fields.keys.joined(separator: ", "))")
            }
            return found
        case .host(let target):
            switch name.name {
            case "name": return .string(target.name)
            case "address": return .string(target.address)
            case "user": return .string(target.user ?? "")
            case "port": return .int(target.port ?? 22)
            default: throw RuntimeError(name.span, "a host has no field `\(name.name)`")
            }
        default:
            throw RuntimeError(name.span, "\(value.type.withArticle) has no field `\(name.name)`")
        }
    }

    func index(_ base: Value, _ key: Value, _ span: Span) throws -> Value {
        switch (base, key) {
        case (.list(let items), .int(let position)):
            let resolved = position < 0 ? items.count + position : position
            guard items.indices.contains(resolved) else {
                throw RuntimeError(span, "index \(position) is out of range (the list has \(items.count) items)")
            }
            return items[resolved]
        case (.record(let fields), .string(let name)):
            guard let found = fields[name] else { throw RuntimeError(span, "the record has no key `\(name)`") }
            return found
        case (.string(let text), .int(let position)):
            let chars = Array(text)
            let resolved = position < 0 ? chars.count + position : position
            guard chars.indices.contains(resolved) else { throw RuntimeError(span, "index \(position) is out of range") }
            return .string(String(chars[resolved]))
        default:
            throw RuntimeError(span, "cannot index \(base.type.withArticle) with \(key.type.withArticle)")
        }
    }

    func binary(_ op: BinaryOperator, _ leftExpr: Expr, _ rightExpr: Expr, _ span: Span,
                in env: Environment, on host: HostRun?) async throws -> Value {
        let left = try await evaluate(leftExpr, in: env, on: host)
        // `and` / `or` short-circuit.
        if op == .and || op == .or {
            guard case .bool(let first) = left else { throw RuntimeError(leftExpr.span, "expected a bool, got \(left.type.withArticle)") }
            if op == .and && !first { return .bool(false) }
            if op == .or && first { return .bool(true) }
            guard case .bool(let second) = try await evaluate(rightExpr, in: env, on: host) else {
                throw RuntimeError(rightExpr.span, "expected a bool")
            }
            return .bool(second)
        }
        let right = try await evaluate(rightExpr, in: env, on: host)
        switch (op, left, right) {
        case (.equal, _, _): return .bool(Self.equal(left, right))
        case (.notEqual, _, _): return .bool(!Self.equal(left, right))
        case (.add, .int(let a), .int(let b)):
            let (sum, overflow) = a.addingReportingOverflow(b)
            if overflow { throw RuntimeError(span, "integer overflow") }
            return .int(sum)
        case (.add, .string(let a), .string(let b)):
            try budget.checkString(bytes: a.utf8.count + b.utf8.count, at: span)
            return .string(a + b)
        case (.add, .list(let a), .list(let b)):
            try budget.checkList(items: a.count + b.count, at: span)
            return .list(a + b)
        case (.subtract, .int(let a), .int(let b)):
            let (difference, overflow) = a.subtractingReportingOverflow(b)
            if overflow { throw RuntimeError(span, "integer overflow") }
            return .int(difference)
        case (.multiply, .int(let a), .int(let b)):
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            if overflow { throw RuntimeError(span, "integer overflow") }
            return .int(product)
        case (.divide, .int, .int(0)), (.remainder, .int, .int(0)): throw RuntimeError(span, "division by zero")
        case (.divide, .int(let a), .int(let b)):
            let (quotient, overflow) = a.dividedReportingOverflow(by: b)
            if overflow { throw RuntimeError(span, "integer overflow") }
            return .int(quotient)
        case (.remainder, .int(let a), .int(let b)):
            let (remainder, overflow) = a.remainderReportingOverflow(dividingBy: b)
            if overflow { throw RuntimeError(span, "integer overflow") }
            return .int(remainder)
        case (.less, .int(let a), .int(let b)): return .bool(a < b)
        case (.lessEqual, .int(let a), .int(let b)): return .bool(a <= b)
        case (.greater, .int(let a), .int(let b)): return .bool(a > b)
        case (.greaterEqual, .int(let a), .int(let b)): return .bool(a >= b)
        case (.less, .string(let a), .string(let b)): return .bool(a < b)
        case (.lessEqual, .string(let a), .string(let b)): return .bool(a <= b)
        case (.greater, .string(let a), .string(let b)): return .bool(a > b)
        case (.greaterEqual, .string(let a), .string(let b)): return .bool(a >= b)
        case (.in, _, .list(let items)): return .bool(items.contains { Self.equal($0, left) })
        case (.in, .string(let needle), .string(let haystack)): return .bool(haystack.contains(needle))
        case (.in, .string(let key), .record(let fields)): return .bool(fields[key] != nil)
        default:
            throw RuntimeError(span, "`\(op.rawValue)` cannot combine \(left.type.withArticle) and \(right.type.withArticle)")
        }
    }

    /// Equality where a host equals the string that names it.
    static func equal(_ left: Value, _ right: Value) -> Bool {
        switch (left, right) {
        case (.host(let host), .string(let text)), (.string(let text), .host(let host)):
            return host.description == text || host.address == text || host.name == text
        default:
            return left == right
        }
    }
}
