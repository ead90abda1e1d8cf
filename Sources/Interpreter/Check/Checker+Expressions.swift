import DSL

extension Checker {
    /// The static type of an expression, reporting every problem inside it.
    mutating func typeOf(_ expr: Expr) -> ValueType {
        switch expr {
        case .integer: return .int
        case .bool: return .bool
        case .none: return .none
        case .string(let parts, _):
            for case .expression(let inner) in parts { _ = typeOf(inner) }
            return .string
        case .variable(let identifier):
            return typeOfVariable(identifier)
        case .list(let items, _):
            let types = items.map { typeOf($0) }
            guard let first = types.first else { return .list(.any) }
            return .list(types.allSatisfy { $0 == first } ? first : .any)
        case .record(let fields, _):
            var seen: [String: Span] = [:]
            for field in fields {
                if let earlier = seen[field.key] {
                    report("E-duplicate", field.keySpan, "the key `\(field.key)` appears twice in this record",
                           notes: [.init(span: earlier, message: "first written here")])
                }
                seen[field.key] = field.keySpan
                _ = typeOf(field.value)
            }
            return .record
        case .field(let base, let name, _):
            return typeOfField(base, name)
        case .index(let base, let key, _):
            let baseType = typeOf(base)
            let keyType = typeOf(key)
            switch baseType {
            case .list(let element):
                if !ValueType.int.accepts(keyType) { report("E-type", key.span, "a list index must be an int, not \(keyType.withArticle)") }
                return element
            case .record:
                if !ValueType.string.accepts(keyType) { report("E-type", key.span, "a record key must be a string, not \(keyType.withArticle)") }
                return .any
            case .string: return .string
            case .any: return .any
            default:
                report("E-type", base.span, "\(baseType.withArticle) cannot be indexed")
                return .any
            }
        case .unary(let op, let operand, _):
            let type = typeOf(operand)
            switch op {
            case .not:
                if !ValueType.bool.accepts(type) { report("E-type", operand.span, "`not` needs a bool, but this is \(type.withArticle)") }
                return .bool
            case .negate:
                if !ValueType.int.accepts(type) { report("E-type", operand.span, "`-` needs an int, but this is \(type.withArticle)") }
                return .int
            }
        case .binary(let op, let left, let right, let operatorSpan, _):
            return typeOfBinary(op, left, right, operatorSpan)
        case .call(let call):
            return checkCall(call)
        case .named(let base, let name, _):
            let baseType = typeOf(base)
            let nameType = typeOf(name)
            if !ValueType.host.accepts(baseType) { report("E-type", base.span, "`as` gives a host a display name, but this is \(baseType.withArticle)") }
            if !ValueType.string.accepts(nameType) { report("E-type", name.span, "a display name must be a string, not \(nameType.withArticle)") }
            return .host
        }
    }

    mutating func typeOfVariable(_ identifier: Identifier) -> ValueType {
        if let binding = lookup(identifier.name) { return binding.type }
        if ops[identifier.name] != nil || functions[identifier.name] != nil {
            return checkCall(Call(callee: identifier, arguments: [], block: nil, span: identifier.span))
        }
        if identifier.name == "host" {
            report("E-host-only", identifier.span, "`host` is only defined inside an `on` block")
            return .any
        }
        report("E-undefined", identifier.span, "undefined name `\(identifier.name)`",
               hint: Suggestions.hint(for: identifier.name, in: namesInScope))
        return .any
    }

    static let hostFields: [String: ValueType] = ["name": .string, "address": .string, "user": .string, "port": .int]

    mutating func typeOfField(_ base: Expr, _ name: Identifier) -> ValueType {
        let baseType = typeOf(base)
        switch baseType {
        case .host:
            if let type = Self.hostFields[name.name] { return type }
            report("E-field", name.span, "a host has no field `\(name.name)`",
                   hint: Suggestions.hint(for: name.name, in: Self.hostFields.keys) ?? "host fields: name, address, user, port")
            return .any
        case .record, .any:
            return .any
        case .oneOf(let options) where options.contains(.record) || options.contains(.any):
            return .any
        default:
            report("E-field", name.span, "\(baseType.withArticle) has no fields (`.\(name.name)`)")
            return .any
        }
    }

    mutating func typeOfBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, _ operatorSpan: Span) -> ValueType {
        let leftType = typeOf(left)
        let rightType = typeOf(right)
        func mismatch(_ what: String) {
            report("E-type", operatorSpan, "`\(op.rawValue)` \(what), but the operands are \(leftType) and \(rightType)")
        }
        switch op {
        case .and, .or:
            if !ValueType.bool.accepts(leftType) || !ValueType.bool.accepts(rightType) { mismatch("needs two bools") }
            return .bool
        case .equal, .notEqual:
            return .bool
        case .less, .lessEqual, .greater, .greaterEqual:
            let comparable = (ValueType.int.accepts(leftType) && ValueType.int.accepts(rightType))
                || (ValueType.string.accepts(leftType) && ValueType.string.accepts(rightType))
            if !comparable { mismatch("compares two ints or two strings") }
            return .bool
        case .in:
            switch rightType {
            case .list, .string, .record, .any: break
            default: mismatch("looks in a list, string or record")
            }
            return .bool
        case .add:
            switch (leftType, rightType) {
            case (.any, let other), (let other, .any): return other
            case (.int, .int): return .int
            case (.string, .string): return .string
            case (.list(let a), .list(let b)): return .list(a == b ? a : (a == .any ? b : (b == .any ? a : .any)))
            default:
                mismatch("adds two ints, joins two strings or two lists")
                return .any
            }
        case .subtract, .multiply, .divide, .remainder:
            if !ValueType.int.accepts(leftType) || !ValueType.int.accepts(rightType) { mismatch("needs two ints") }
            return .int
        }
    }

    mutating func expectBool(_ expr: Expr, _ what: String) {
        let type = typeOf(expr)
        if !ValueType.bool.accepts(type) {
            report("E-type", expr.span, "\(what) must be a bool, but this is \(type.withArticle)",
                   hint: type == .record ? "an op's result is a record: test a field such as `.changed`" : nil)
        }
    }

    // MARK: - Calls

    mutating func checkCall(_ call: Call) -> ValueType {
        let name = call.callee.name
        for argument in call.arguments { _ = typeOf(argument.value) }
        if let block = call.block { _ = typeOf(block) }
        if let decl = functions[name] {
            checkFunctionCall(call, decl)
            return .any
        }
        guard let op = ops[name] else {
            let candidates = Array(ops.keys) + Array(functions.keys)
            report("E-unknown-op", call.callee.span, "unknown operation or function `\(name)`",
                   hint: Suggestions.hint(for: name, in: candidates) ?? "`crucible-sh ops` lists the built-in operations")
            return .any
        }
        if op.needsHost && !inHostBlock {
            report("E-host-only", call.callee.span, "`\(name)` works on a host and can only be used inside an `on` block",
                   hint: "wrap it in `on HOSTS { ... }`")
        }
        checkArguments(call, op)
        return op.returns
    }

    mutating func checkFunctionCall(_ call: Call, _ decl: FunctionDecl) {
        if hostOnlyFunctions.contains(decl.name.name) && !inHostBlock {
            report("E-host-only", call.callee.span, "`\(decl.name.name)` uses a host and can only be called inside an `on` block")
        }
        if let block = call.block {
            report("E-arguments", block.span, "`\(decl.name.name)` is a function and takes no `{ ... }` block")
        }
        var bound = Set<String>()
        var positionalIndex = 0
        for argument in call.arguments {
            if let label = argument.label {
                guard decl.parameters.contains(where: { $0.name.name == label.name }) else {
                    report("E-arguments", label.span, "`\(decl.name.name)` has no parameter `\(label.name)`",
                           hint: Suggestions.hint(for: label.name, in: decl.parameters.map(\.name.name)))
                    continue
                }
                if !bound.insert(label.name).inserted {
                    report("E-arguments", label.span, "`\(label.name)` is given twice")
                }
            } else {
                guard positionalIndex < decl.parameters.count else {
                    report("E-arguments", argument.span, "too many arguments: `\(decl.name.name)` takes \(decl.parameters.count)")
                    continue
                }
                bound.insert(decl.parameters[positionalIndex].name.name)
                positionalIndex += 1
            }
        }
        for parameter in decl.parameters where parameter.defaultValue == nil && !bound.contains(parameter.name.name) {
            report("E-arguments", call.span, "missing argument `\(parameter.name.name)` for `\(decl.name.name)`",
                   notes: [.init(span: decl.name.span, message: "`\(decl.name.name)` is defined here")])
        }
    }

    /// Matches arguments to the op's declared parameters, the same way the interpreter will.
    mutating func checkArguments(_ call: Call, _ op: OpSpec) {
        let positional = op.params.filter(\.positional)
        var given: [String: Expr] = [:]
        var positionalIndex = 0
        for argument in call.arguments {
            if let label = argument.label {
                guard let param = op.param(named: label.name) else {
                    report("E-arguments", label.span, "`\(op.name)` has no parameter `\(label.name)`",
                           hint: Suggestions.hint(for: label.name, in: op.params.map(\.name))
                               ?? "its parameters: \(op.params.map(\.name).joined(separator: ", "))")
                    continue
                }
                if given[param.name] != nil {
                    report("E-arguments", label.span, "`\(param.name)` is given twice")
                }
                given[param.name] = argument.value
            } else {
                guard positionalIndex < positional.count else {
                    report("E-arguments", argument.span,
                           "too many positional arguments: `\(op.name)` takes \(positional.count) (\(positional.map(\.name).joined(separator: ", ")))",
                           hint: op.params.first { !$0.positional }.map { "name the others, like `\($0.name): value`" })
                    continue
                }
                given[positional[positionalIndex].name] = argument.value
                positionalIndex += 1
            }
        }
        if let block = call.block {
            if let blockParam = op.blockParam {
                if given[blockParam] != nil { report("E-arguments", block.span, "`\(blockParam)` is given twice (as an argument and as the block)") }
                given[blockParam] = block
            } else {
                report("E-arguments", block.span, "`\(op.name)` takes no `{ ... }` block")
            }
        }
        for param in op.params {
            guard let value = given[param.name] else {
                if param.isRequired {
                    report("E-arguments", call.callee.span, "missing argument `\(param.name)` for `\(op.name)`",
                           hint: param.positional ? "`\(op.name)` takes \(positional.map(\.name).joined(separator: ", ")) in that order" : "add `\(param.name): ...`")
                }
                continue
            }
            checkArgumentType(value, param, op)
        }
    }

    mutating func checkArgumentType(_ value: Expr, _ param: ParamSpec, _ op: OpSpec) {
        let type = typeOfQuiet(value)
        if !param.type.accepts(type) {
            report("E-type", value.span, "`\(op.name)` expects \(param.type) for `\(param.name)`, but this is \(type.withArticle)")
            return
        }
        if let choices = param.choices, case .string(let parts, _) = value,
           parts.allSatisfy({ if case .text = $0 { true } else { false } }) {
            let text = parts.map { if case .text(let t) = $0 { t } else { "" } }.joined()
            if !choices.contains(text) {
                report("E-choice", value.span, "`\(text)` is not a valid `\(param.name)` for `\(op.name)`",
                       hint: Suggestions.hint(for: text, in: choices) ?? "choose one of: \(choices.joined(separator: ", "))")
            }
        }
        if param.type == .host || param.type == .list(.host) { checkHostLiterals(value) }
        if let rule = param.rule, case .success(let literal) = LiteralValue.evaluate(value), let problem = rule.problem(literal) {
            report("E-value", value.span, "\(op.name) `\(param.name)`: \(problem.message)", hint: problem.hint)
        }
    }

    /// Host strings written in the recipe are parsed now, not when the run reaches them.
    mutating func checkHostLiterals(_ value: Expr) {
        switch value {
        case .string(let parts, let span):
            guard parts.allSatisfy({ if case .text = $0 { true } else { false } }) else { return }
            let text = parts.map { if case .text(let t) = $0 { t } else { "" } }.joined()
            if case .failure(let message) = ParamConversion.host(text) { report("E-host", span, message.description) }
        case .list(let items, _):
            items.forEach { checkHostLiterals($0) }
        case .named(let base, _, _):
            checkHostLiterals(base)
        default:
            break
        }
    }

    /// Type of an expression already checked once (arguments are typed before matching).
    mutating func typeOfQuiet(_ expr: Expr) -> ValueType {
        let saved = diagnostics
        let type = typeOf(expr)
        diagnostics = saved
        return type
    }
}

/// Walks statements and expressions, calling back for every call and variable.
enum Walker {
    static func visitCalls(in statements: [Stmt], call: (Call) -> Void, variable: (Identifier) -> Void) {
        for statement in statements { visit(statement, call, variable) }
    }

    static func visit(_ statement: Stmt, _ call: (Call) -> Void, _ variable: (Identifier) -> Void) {
        switch statement {
        case .param(let decl): decl.defaultValue.map { visit($0, call, variable) }
        case .let(_, let value, _), .assign(_, let value, _): visit(value, call, variable)
        case .expression(let expr): visit(expr, call, variable)
        case .if(let condition, let then, let otherwise, _):
            visit(condition, call, variable)
            then.statements.forEach { visit($0, call, variable) }
            otherwise.map { visit($0, call, variable) }
        case .for(_, let sequence, let body, _):
            visit(sequence, call, variable)
            body.statements.forEach { visit($0, call, variable) }
        case .on(let targets, let body, _):
            visit(targets, call, variable)
            body.statements.forEach { visit($0, call, variable) }
        case .function: break
        case .return(let value, _): value.map { visit($0, call, variable) }
        case .include(_, _, let included): included.forEach { visit($0, call, variable) }
        case .block(let block): block.statements.forEach { visit($0, call, variable) }
        }
    }

    static func visit(_ expr: Expr, _ call: (Call) -> Void, _ variable: (Identifier) -> Void) {
        switch expr {
        case .integer, .bool, .none: break
        case .string(let parts, _):
            for case .expression(let inner) in parts { visit(inner, call, variable) }
        case .variable(let identifier): variable(identifier)
        case .list(let items, _): items.forEach { visit($0, call, variable) }
        case .record(let fields, _): fields.forEach { visit($0.value, call, variable) }
        case .field(let base, _, _): visit(base, call, variable)
        case .index(let base, let key, _):
            visit(base, call, variable)
            visit(key, call, variable)
        case .unary(_, let operand, _): visit(operand, call, variable)
        case .binary(_, let left, let right, _, _):
            visit(left, call, variable)
            visit(right, call, variable)
        case .call(let inner):
            call(inner)
            inner.arguments.forEach { visit($0.value, call, variable) }
            inner.block.map { visit($0, call, variable) }
        case .named(let base, let name, _):
            visit(base, call, variable)
            visit(name, call, variable)
        }
    }
}
