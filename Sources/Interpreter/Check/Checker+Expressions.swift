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
            guard let first = items.first.map({ typeOf($0) }) else { return .list(.any) }
            var element = first
            for item in items.dropFirst() { element = Self.common(element, typeOf(item)) }
            return .list(element)
        case .record(let fields, _):
            var seen: [String: Span] = [:]
            var specs: [FieldSpec] = []
            for field in fields {
                let type = typeOf(field.value)
                if let earlier = seen[field.key] {
                    report("E-duplicate", field.keySpan, "the key `\(field.key)` appears twice in this record",
                           notes: [.init(span: earlier, message: "first written here")])
                } else {
                    specs.append(FieldSpec(field.key, type, doc: ""))
                }
                seen[field.key] = field.keySpan
            }
            return .shaped(RecordShape(owner: "this record", fields: specs))
        case .field(let base, let name, let span):
            return typeOfField(base, name, span)
        case .index(let base, let key, _):
            let baseType = typeOf(base).ignoringNone
            let keyType = typeOf(key)
            switch baseType {
            case .list(let element):
                if !ValueType.int.accepts(keyType) { report("E-type", key.span, "a list index must be an int, not \(keyType.withArticle)") }
                return element
            case .record, .shaped:
                if !ValueType.string.accepts(keyType) { report("E-type", key.span, "a record key must be a string, not \(keyType.withArticle)") }
                return .any
            case .string: return .string
            case .any: return .any
            default:
                report("E-type", base.span, "\(baseType.withArticle) cannot be indexed")
                return .any
            }
        case .unary(let op, let operand, _):
            let type = typeOf(operand).ignoringNone
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
        if let binding = use(identifier.name) { return binding.type }
        if ops[identifier.name] != nil || functions[identifier.name] != nil {
            return checkCall(Call(callee: identifier, arguments: [], block: nil, span: identifier.span))
        }
        if identifier.name == "host" {
            report("E-host-only", identifier.span, "`host` is only defined inside an `on` block")
            return .any
        }
        if mayComeFromElsewhere(identifier.name) { return .any }
        report("E-undefined", identifier.span, "undefined name `\(identifier.name)`",
               hint: Self.hint(for: identifier.name, names: namesInScope + unparsedNames, keywords: Keyword.allCases.map(\.rawValue)))
        return .any
    }

    static let hostFields: [String: ValueType] = ["name": .string, "address": .string, "user": .string, "port": .int]

    mutating func typeOfField(_ base: Expr, _ name: Identifier, _ span: Span) -> ValueType {
        let baseType = typeOf(base)
        switch baseType {
        case .host:
            if let type = Self.hostFields[name.name] { return type }
            report("E-field", name.span, "a host has no field `\(name.name)`",
                   hint: Suggestions.hint(for: name.name, in: Self.hostFields.keys) ?? "host fields: name, address, user, port")
            return .any
        case .shaped(let shape):
            return typeOfDeclaredField(name, span, in: [shape])
        case .record, .any:
            return .any
        case .oneOf(let options) where options.contains(where: \.isRecord) || options.contains(.any):
            let shapes = options.compactMap { if case .shaped(let shape) = $0 { shape } else { nil } }
            // Only when every record it may be has declared fields (`none` has no fields to miss).
            let open = options.contains { $0 == .record || $0 == .any }
            return open || shapes.isEmpty ? .any : typeOfDeclaredField(name, span, in: shapes)
        default:
            report("E-field", name.span, "\(baseType.withArticle) has no fields (`.\(name.name)`)")
            return .any
        }
    }

    /// A field of a record whose fields are declared. Remembers the field's declaration
    /// (see `lastField`) for a comparison that may follow.
    mutating func typeOfDeclaredField(_ name: Identifier, _ span: Span, in shapes: [RecordShape]) -> ValueType {
        let found = shapes.compactMap { $0.field(name.name) }
        guard let field = found.first else {
            let names = shapes[0].fields.map(\.name)
            report("E-field", name.span, "\(shapes[0].owner) has no field `\(name.name)`",
                   hint: Suggestions.hint(for: name.name, in: names) ?? "its fields: \(names.joined(separator: ", "))")
            return .any
        }
        lastField = (span, field)
        return found.count == shapes.count && found.allSatisfy({ $0.type == field.type }) ? field.type : .any
    }

    /// The type of a list holding items of both types: the same type; records written with
    /// the same keys keep them (each field's type common to both), other records are records;
    /// lists of such; anything else that differs is `any`.
    static func common(_ a: ValueType, _ b: ValueType) -> ValueType {
        if a == b { return a }
        switch (a, b) {
        case (.shaped(let x), .shaped(let y)) where x.fields.map(\.name) == y.fields.map(\.name):
            // Records written with the same keys: each field has the type common to both.
            let fields = zip(x.fields, y.fields).map { FieldSpec($0.name, common($0.type, $1.type), doc: "") }
            return .shaped(RecordShape(owner: x.owner, fields: fields))
        case (.list(let x), .list(let y)):
            return .list(x == .any || y == .any ? .any : common(x, y))
        default:
            return a.isRecord && b.isRecord ? .record : .any
        }
    }

    mutating func typeOfBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, _ operatorSpan: Span) -> ValueType {
        let leftType = typeOf(left).ignoringNone
        let leftField = declaredField(of: left)
        let rightType = typeOf(right).ignoringNone
        let rightField = declaredField(of: right)
        func mismatch(_ what: String, hint: String? = nil) {
            report("E-type", operatorSpan, "`\(op.rawValue)` \(what), but the operands are \(leftType) and \(rightType)", hint: hint)
        }
        switch op {
        case .and, .or:
            if !ValueType.bool.accepts(leftType) || !ValueType.bool.accepts(rightType) { mismatch("needs two bools") }
            return .bool
        case .equal, .notEqual:
            if !Self.comparable(leftType, rightType) {
                mismatch("compares two values of the same type",
                         hint: "they are never equal, so this is always \(op == .equal ? "false" : "true")")
            } else {
                checkChoice(leftField, right)
                checkChoice(rightField, left)
            }
            return .bool
        case .less, .lessEqual, .greater, .greaterEqual:
            let comparable = (ValueType.int.accepts(leftType) && ValueType.int.accepts(rightType))
                || (ValueType.string.accepts(leftType) && ValueType.string.accepts(rightType))
            if !comparable { mismatch("compares two ints or two strings") }
            return .bool
        case .in:
            switch rightType {
            case .list, .string, .record, .shaped, .any: break
            default: mismatch("looks in a list, string or record")
            }
            if case .list(let items, _) = right { items.forEach { checkChoice(leftField, $0) } }
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

    /// Whether `==` can ever hold between values of these types: the same type, a host and a
    /// string (a host equals its address, but not inside a list), records, lists of such;
    /// `none` and `any` with anything.
    static func comparable(_ a: ValueType, _ b: ValueType, inList: Bool = false) -> Bool {
        switch (a, b) {
        case (.any, _), (_, .any), (.none, _), (_, .none): return true
        case (.oneOf(let options), _): return options.contains { comparable($0, b, inList: inList) }
        case (_, .oneOf(let options)): return options.contains { comparable(a, $0, inList: inList) }
        case (.host, .string), (.string, .host): return !inList
        case (.list(let x), .list(let y)): return comparable(x, y, inList: true)
        default: return a == b || (a.isRecord && b.isRecord)
        }
    }

    /// The declaration of the field `expr` reads, when it is a field access the checker just
    /// typed (`lastField` is set by the outermost field of the expression typed last).
    func declaredField(of expr: Expr) -> FieldSpec? {
        guard case .field = expr, let last = lastField, last.span == expr.span else { return nil }
        return last.field
    }

    /// A field with a closed set of values compared with a literal it never holds.
    mutating func checkChoice(_ field: FieldSpec?, _ other: Expr) {
        guard let field, let choices = field.choices, let value = Self.literalValue(other), !choices.contains(value) else { return }
        let texts = choices.map(\.literal)
        let listed = texts.count == 1 ? texts[0] : texts.dropLast().joined(separator: ", ") + " or " + texts.last!
        report("E-choice", other.span, "`\(field.name)` is never \(value.literal): it is \(listed)",
               hint: value.asString.flatMap { Suggestions.hint(for: $0, in: choices.compactMap(\.asString).filter { !$0.isEmpty }) })
    }

    /// The value of a literal string (without `${...}`) or int.
    static func literalValue(_ expr: Expr) -> Value? {
        switch expr {
        case .integer(let value, _): return .int(value)
        case .unary(.negate, .integer(let value, _), _): return .int(-value)
        case .string(let parts, _):
            var text = ""
            for part in parts {
                guard case .text(let piece) = part else { return nil }
                text += piece
            }
            return .string(text)
        default: return nil
        }
    }

    mutating func expectBool(_ expr: Expr, _ what: String) {
        let type = typeOf(expr).ignoringNone
        if !ValueType.bool.accepts(type) {
            report("E-type", expr.span, "\(what) must be a bool, but this is \(type.withArticle)",
                   hint: type.isRecord ? "an op's result is a record: test a field such as `.changed`" : nil)
        }
    }

    // MARK: - Calls

    mutating func checkCall(_ call: Call) -> ValueType {
        let name = call.callee.name
        // Each argument is typed once, here: typing it again to match it to a parameter
        // would make nested calls (`f(g(h(x)))`) exponential.
        let argumentTypes = call.arguments.map { typeOf($0.value) }
        let blockType = call.block.map { typeOf($0) }
        if let decl = functions[name] {
            checkFunctionCall(call, decl)
            return .any
        }
        guard let op = ops[name] else {
            if mayComeFromElsewhere(name, isFunction: true) { return .any }
            // A statement keyword misspelt at the start of a line reads as a command-style call.
            report("E-unknown-op", call.callee.span, "unknown operation or function `\(name)`",
                   hint: Self.hint(for: name, names: Array(ops.keys) + Array(functions.keys), keywords: Self.statementKeywords)
                       ?? "`crucible-sh ops` lists the built-in operations")
            return .any
        }
        if op.needsHost && !inHostBlock {
            report("E-host-only", call.callee.span, "`\(name)` works on a host and can only be used inside an `on` block",
                   hint: "wrap it in `on HOSTS { ... }`")
        }
        if op.isChangingOp, let phase = readOnlyPhase { reportChangeInPhase(call, phase) }
        checkArguments(call, op, argumentTypes, blockType)
        return op.resultType
    }

    /// Preflight and verify blocks only read: `--check` runs them, and a preflight's promise
    /// is that nothing changed when it fails.
    mutating func reportChangeInPhase(_ call: Call, _ phase: OnPhase) {
        report("E-phase-change", call.callee.span,
               "`\(call.callee.name)` changes hosts; a \(phase.rawValue) block may only read them",
               hint: "read with facts(), queries and `probe`, check with `expect`; make changes in a plain `on` block")
    }

    mutating func checkFunctionCall(_ call: Call, _ decl: FunctionDecl) {
        if changingFunctions.contains(decl.name.name), let phase = readOnlyPhase { reportChangeInPhase(call, phase) }
        if hostOnlyFunctions.contains(decl.name.name) && !inHostBlock {
            report("E-host-only", call.callee.span, "`\(decl.name.name)` uses a host and can only be called inside an `on` block")
        }
        if let block = call.block {
            report("E-arguments", block.span, "`\(decl.name.name)` is a function and takes no `{ ... }` block")
        }
        var bound = Set<String>()
        var unknown: [Identifier] = []
        var positionalIndex = 0
        for argument in call.arguments {
            if let label = argument.label {
                guard decl.parameters.contains(where: { $0.name.name == label.name }) else {
                    unknown.append(label)
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
        let missing = decl.parameters.filter { $0.defaultValue == nil && !bound.contains($0.name.name) }.map(\.name.name)
        for label in unknown {
            report("E-arguments", label.span, "`\(decl.name.name)` has no parameter `\(label.name)`",
                   hint: Self.hintForUnknownLabel(label.name, missing: missing, all: decl.parameters.map(\.name.name)))
        }
        // An unknown name is most likely the missing one misspelt: one error, not two.
        guard unknown.isEmpty else { return }
        for name in missing {
            report("E-arguments", call.span, "missing argument `\(name)` for `\(decl.name.name)`",
                   notes: [.init(span: decl.name.span, message: "`\(decl.name.name)` is defined here")])
        }
    }

    /// The parameter an unknown argument name probably meant: a missing one first.
    static func hintForUnknownLabel(_ label: String, missing: [String], all: [String]) -> String {
        if let close = Suggestions.hint(for: label, in: missing) ?? Suggestions.hint(for: label, in: all) { return close }
        if missing.count == 1 { return "`\(missing[0])` is missing: did you mean it?" }
        return "its parameters: \(all.joined(separator: ", "))"
    }

    /// Matches arguments to the op's declared parameters with the interpreter's own binder.
    mutating func checkArguments(_ call: Call, _ op: OpSpec, _ argumentTypes: [ValueType], _ blockType: ValueType?) {
        let positional = op.params.filter(\.positional)
        let arguments = zip(call.arguments, argumentTypes).map { argument, type in
            CallArgument(label: argument.label?.name, labelSpan: argument.label?.span, payload: (value: argument.value, type: type),
                         span: argument.label == nil ? argument.span : argument.value.span)
        }
        var block: (payload: (value: Expr, type: ValueType), span: Span?)?
        if let expr = call.block, let blockType { block = ((expr, blockType), expr.span) }
        let binding = ArgumentBinder.bind(op, arguments, block: block)
        var unknown: [(label: String, span: Span?)] = []
        for problem in binding.problems {
            switch problem {
            case .unknown(let label, let span):
                unknown.append((label, span))
            case .givenTwice(let name, let span):
                report("E-arguments", span ?? call.span, "`\(name)` is given twice")
            case .tooManyPositional(let span):
                report("E-arguments", span ?? call.span,
                       "too many positional arguments: `\(op.name)` takes \(positional.count) (\(positional.map(\.name).joined(separator: ", ")))",
                       hint: op.params.first { !$0.positional }.map { "name the others, like `\($0.name): value`" })
            case .blockGivenTwice(let name, let span):
                report("E-arguments", span ?? call.span, "`\(name)` is given twice (as an argument and as the block)")
            case .unexpectedBlock(let span):
                report("E-arguments", span ?? call.span, "`\(op.name)` takes no `{ ... }` block")
            case .missing:
                break
            }
        }
        let given = binding.given
        warnIfUnguarded(call, op, given: Set(given.keys))
        let missing = ArgumentBinder.missing(binding.problems)
        for (label, span) in unknown {
            report("E-arguments", span ?? call.span, "`\(op.name)` has no parameter `\(label)`",
                   hint: Self.hintForUnknownLabel(label, missing: missing, all: op.params.map(\.name)))
        }
        for param in op.params {
            guard let (payload, _) = given[param.name] else {
                // An unknown name is most likely the missing one misspelt: one error, not two.
                if param.isRequired && unknown.isEmpty {
                    report("E-arguments", call.callee.span, "missing argument `\(param.name)` for `\(op.name)`",
                           hint: param.positional ? "`\(op.name)` takes \(positional.map(\.name).joined(separator: ", ")) in that order" : "add `\(param.name): ...`")
                }
                continue
            }
            checkArgumentType(payload.value, payload.type, param, op)
        }
    }

    mutating func checkArgumentType(_ value: Expr, _ type: ValueType, _ param: ParamSpec, _ op: OpSpec) {
        if !param.acceptedType.accepts(type) {
            report("E-type", value.span, "`\(op.name)` expects \(param.acceptedType) for `\(param.name)`, but this is \(type.withArticle)")
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
        case .on(let targets, let body, _, _):
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
