import DSL

/// Checks a whole recipe before any host is contacted and reports every problem it finds:
/// unknown names and operations, bad arguments, type mismatches, host-only operations
/// outside `on` blocks, missing or malformed param values.
public struct Checker {
    public let ops: [String: OpSpec]
    public let inputs: [ParamInput]
    /// When false (lint without values), required params without a value are not errors.
    public let requireParamValues: Bool

    var diagnostics: [Diagnostic] = []
    var scopes: [[String: Binding]] = [[:]]
    var functions: [String: FunctionDecl] = [:]
    var hostOnlyFunctions: Set<String> = []
    /// Functions that call an op that changes hosts, directly or through other functions.
    var changingFunctions: Set<String> = []
    /// Inside a `preflight on` or `verify on` block: only reading is allowed.
    var readOnlyPhase: OnPhase?
    /// The first `on` block that changes hosts, once seen: a preflight after it would come too late.
    var firstChangingBlock: Span?
    var inHostBlock = false
    /// A session entry's params that have values (`:load FILE --set`), with their types.
    var sessionParamTypes: [String: ValueType] = [:]
    /// Inside an `on` block written in the recipe (not a function body checked as if on a host).
    var inOnBlock = false
    var inFunction = false
    /// Depth of scopes at which the current `on` block started: names defined below it
    /// belong to the whole run and cannot be reassigned per host.
    var hostBlockScopeDepth = 0
    /// The declared field the checker typed last, and where: a comparison right after it
    /// checks the other side against the field's choices.
    var lastField: (span: Span, field: FieldSpec)?
    /// Names in statements that did not parse (`Program.unparsedNames`).
    var unparsedNames: Set<String> = []
    /// Includes that could not be read, and whether the check has passed one: after it any
    /// name may be defined in that file.
    var unresolvedIncludes: Set<Span> = []
    var afterUnresolvedInclude = false
    /// False in a session, whose names live on for the next entries.
    var reportsUnused = true
    /// `# crucible: allow` comments: at the end of a line, and on a line of their own (by the
    /// line they cover), and the statements the latter cover.
    var lineAllowances: [LineKey: [String]] = [:]
    var statementAllowances: [LineKey: [String]] = [:]
    var allowedSpans: [(span: Span, ids: [String])] = []
    public private(set) var paramValues: [String: Value] = [:]
    public private(set) var declaredParams: [ParamDecl] = []
    /// Each declared param's type (declared, or inferred from its default).
    public private(set) var paramTypes: [String: ValueType] = [:]

    struct Binding {
        /// What made the name: only params and `let`s are reported when never read.
        enum Kind { case param, `let`, other }

        var type: ValueType
        var span: Span
        var kind = Kind.other
        /// Read at least once (assigning to it is not reading it).
        var used = false
        /// A `let` of a call's result: dropping `let x =` keeps the call.
        var holdsCallResult = false

        var isParam: Bool { kind == .param }
    }

    public init(ops: [OpSpec], inputs: [ParamInput] = [], requireParamValues: Bool = true) {
        var table: [String: OpSpec] = [:]
        for op in ops { table[op.name] = op }
        self.ops = table
        self.inputs = inputs
        self.requireParamValues = requireParamValues
    }

    /// Checks the program; the result holds every diagnostic, in source order.
    public mutating func check(_ program: Program) -> [Diagnostic] {
        unparsedNames = program.unparsedNames
        unresolvedIncludes = program.unresolvedIncludes
        let statements = Self.flatten(program.statements)
        collectFunctions(statements)
        for statement in statements where Self.isParam(statement) { declareParam(statement) }
        checkInputsNamed()
        prepareAllowances(program.allowances)
        checkStatements(statements, topLevel: true)
        warnUnused(in: scopes[0])
        dropAllowedWarnings()
        return diagnostics.sorted { ($0.span.file.name, $0.span.start) < ($1.span.file.name, $1.span.start) }
    }

    /// Top-level statements with includes spliced in (an include that brought nothing stays,
    /// so the check knows where an unread one was).
    static func flatten(_ statements: [Stmt]) -> [Stmt] {
        statements.flatMap { statement -> [Stmt] in
            if case .include(_, _, let included) = statement, !included.isEmpty { return flatten(included) }
            return [statement]
        }
    }

    static func isParam(_ statement: Stmt) -> Bool {
        if case .param = statement { return true }
        return false
    }

    // MARK: - Declarations

    mutating func collectFunctions(_ statements: [Stmt]) {
        for case .function(let decl) in statements {
            if let existing = functions[decl.name.name] {
                report("E-duplicate", decl.name.span, "function `\(decl.name.name)` is defined twice",
                       notes: [.init(span: existing.name.span, message: "first defined here")])
            } else if ops[decl.name.name] != nil {
                report("E-duplicate", decl.name.span, "`\(decl.name.name)` is a built-in operation; choose another name for the function")
            }
            functions[decl.name.name] = decl
        }
        markFunctions()
    }

    /// Marks the functions that use a host and those that change hosts, directly or through
    /// the functions they call. Each body is walked once and the marks spread backwards along
    /// the calls, so a long chain of functions stays linear.
    mutating func markFunctions() {
        var callers: [String: [String]] = [:]
        var usingHost: [String] = [], changing: [String] = []
        for (name, decl) in functions {
            var usesHost = false, changes = false
            Walker.visitCalls(in: decl.body.statements) { call in
                let callee = call.callee.name
                if let op = ops[callee], functions[callee] == nil {
                    if op.needsHost { usesHost = true }
                    if op.isChangingOp { changes = true }
                } else if functions[callee] != nil {
                    callers[callee, default: []].append(name)
                }
            } variable: { identifier in
                if identifier.name == "host" { usesHost = true }
            }
            if usesHost { usingHost.append(name) }
            if changes { changing.append(name) }
        }
        hostOnlyFunctions = Self.spread(from: usingHost, along: callers)
        changingFunctions = Self.spread(from: changing, along: callers)
    }

    /// The given functions and every function that calls one of them, directly or not.
    static func spread(from start: [String], along callers: [String: [String]]) -> Set<String> {
        var marked = Set(start)
        var work = start
        while let name = work.popLast() {
            for caller in callers[name] ?? [] where marked.insert(caller).inserted { work.append(caller) }
        }
        return marked
    }

    /// True when the statements call an op that changes a host (directly or through a function).
    func changesHosts(_ statements: [Stmt]) -> Bool {
        var found = false
        Walker.visitCalls(in: statements) { call in
            if let op = ops[call.callee.name], op.isChangingOp { found = true }
            if changingFunctions.contains(call.callee.name) { found = true }
        } variable: { _ in }
        return found
    }

    mutating func declareParam(_ statement: Stmt) {
        guard case .param(let decl) = statement else { return }
        let name = decl.name.name
        if let existing = scopes[0][name] {
            report("E-duplicate", decl.name.span, "`\(name)` is declared twice",
                   notes: [.init(span: existing.span, message: "first declared here")])
            return
        }
        var type: ValueType = .any
        if let typeExpr = decl.type {
            switch ValueType.from(typeExpr) {
            case .success(let declared): type = declared
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            }
        }
        if let defaultValue = decl.defaultValue {
            let defaultType = inferConstant(defaultValue)
            if decl.type == nil { type = defaultType }
            else if !type.accepts(defaultType) {
                report("E-type", defaultValue.span, "the default of `\(name)` is \(defaultType.withArticle), but the param is declared \(type)")
            }
            if type == .host || type == .list(.host) { checkHostLiterals(defaultValue) }
        }
        scopes[0][name] = Binding(type: type, span: decl.name.span, kind: .param)
        declaredParams.append(decl)
        bindInput(for: decl, type: type)
    }

    /// Type of a param default, checked in an empty scope (defaults cannot use other names
    /// except earlier params).
    mutating func inferConstant(_ expr: Expr) -> ValueType { typeOf(expr) }

    mutating func bindInput(for decl: ParamDecl, type: ValueType) {
        let name = decl.name.name
        paramTypes[name] = type
        let given = inputs.filter { $0.name == name }
        // Every value given is checked (an overridden line of a params file is still a
        // mistake in that file); the last one wins.
        var bound: Value?
        for input in given { bound = value(of: input, for: decl, type: type) }
        if let bound { paramValues[name] = bound; return }
        guard let last = given.last else {
            if decl.defaultValue == nil && requireParamValues { reportMissing(decl, type: type) }
            return
        }
        if last.gap == .required && requireParamValues {
            let span = last.valueExpr?.span ?? decl.name.span
            report("E-param-missing", span, "no value for the required param `\(name)` (\(type))",
                   hint: "replace `\(ParamsFile.requiredPlaceholder)` with a value like `\(ParamConformance.example(for: type))`, "
                       + "or give `--set \(name)=\(Self.example(for: type))`",
                   notes: [.init(span: decl.name.span, message: "`\(name)` is declared here")])
        }
    }

    /// The value one input gives, reporting what is wrong with it; nil when it gives none.
    mutating func value(of input: ParamInput, for decl: ParamDecl, type: ValueType) -> Value? {
        if input.gap != nil { return nil }
        if let value = input.value {
            switch ParamConformance.conform(value, written: input.valueExpr, to: type) {
            case .success(let fitted): return fitted
            case .failure(let problem):
                reportFileValue(input, decl: decl, problem)
                return nil
            }
        }
        switch ParamConversion.convert(input.raw, to: type) {
        case .success(let value): return value
        case .failure(let message):
            reportInput(input, decl: decl, "param `\(decl.name.name)`: \(message)")
            return nil
        }
    }

    mutating func reportMissing(_ decl: ParamDecl, type: ValueType) {
        let name = decl.name.name
        var files: [String] = []
        for input in inputs {
            if case .file(let span) = input.origin, !files.contains(span.file.name) { files.append(span.file.name) }
        }
        let inFile = files.isEmpty
            ? "in a params file (`--params FILE`)"
            : "as `\(name) = \(ParamConformance.example(for: type))` in \(files.last!)"
        report("E-param-missing", decl.name.span, "no value for the required param `\(name)` (\(type))",
               hint: "give it with `--set \(name)=\(Self.example(for: type))` or \(inFile)")
    }

    mutating func reportFileValue(_ input: ParamInput, decl: ParamDecl, _ problem: ParamConformance.Problem) {
        let fallback: Span
        if case .file(let span) = input.origin { fallback = input.valueExpr?.span ?? span } else { fallback = decl.name.span }
        report("E-param-value", problem.span ?? fallback, "param `\(decl.name.name)`: \(problem.message)", hint: problem.hint,
               notes: [.init(span: decl.name.span, message: "`\(decl.name.name)` is declared here")])
    }

    static func coerce(_ value: Value, to type: ValueType) -> Value {
        switch (value, type) {
        case (.string(let text), .host):
            if case .success(let host) = ParamConversion.host(text) { return .host(host) }
            return value
        case (.list(let items), .list(let element)):
            return .list(items.map { coerce($0, to: element) })
        default:
            return value
        }
    }

    static func validateHosts(_ value: Value, type: ValueType) -> Result<Void, ValueError> {
        switch (value, type) {
        case (.string(let text), .host):
            return ParamConversion.host(text).map { _ in () }
        case (.list(let items), .list(let element)):
            for item in items {
                if case .failure(let error) = validateHosts(item, type: element) { return .failure(error) }
            }
            return .success(())
        default:
            return .success(())
        }
    }

    mutating func reportInput(_ input: ParamInput, decl: ParamDecl, _ message: String) {
        switch input.origin {
        case .file(let span):
            report("E-param-value", span, message, hint: "see the declaration at \(decl.name.span)")
        case .commandLine:
            report("E-param-value", decl.name.span, message + " (from `--set \(input.name)=\(input.raw)`)",
                   hint: "give a value like `--set \(input.name)=\(Self.example(for: scopes[0][input.name]?.type ?? .string))`")
        }
    }

    mutating func checkInputsNamed() {
        let declared = Set(declaredParams.map(\.name.name))
        for input in inputs where !declared.contains(input.name) {
            let hint = Suggestions.hint(for: input.name, in: declared)
                ?? (declared.isEmpty ? "this recipe has no params" : "its params are: \(declared.sorted().joined(separator: ", "))")
            switch input.origin {
            case .file(let span):
                report("E-param-unknown", span, "the recipe has no param `\(input.name)`", hint: hint)
            case .commandLine:
                let anchor = declaredParams.first?.span ?? Span(file: SourceFile(name: "<command line>", text: ""), start: 0, end: 0)
                report("E-param-unknown", anchor, "`--set \(input.name)=...`: the recipe has no param `\(input.name)`", hint: hint)
            }
        }
    }

    static func example(for type: ValueType) -> String {
        switch type {
        case .host: return "root@10.0.0.1"
        case .list(.host): return "root@10.0.0.2,root@10.0.0.3"
        case .list: return "a,b"
        case .int: return "1"
        case .bool: return "true"
        default: return "VALUE"
        }
    }

    // MARK: - Statements

    mutating func checkStatement(_ statement: Stmt, topLevel: Bool = false) {
        switch statement {
        case .param(let decl):
            // Top-level params were typed when they were declared (before any statement).
            if !topLevel { report("E-param-nested", decl.span, "`param` is only allowed at the top level of a recipe") }
        case .let(let name, let value, _):
            // `let x = none` is a placeholder for a value set later: any type may follow.
            let type = typeOf(value)
            warnIfHidingParam(name)
            var isCall = false
            if case .call = value { isCall = true }
            define(name, type == .none ? .any : type, kind: .let, holdsCallResult: isCall)
        case .assign(let name, let value, let span):
            let type = typeOf(value)
            checkAssignment(name, type, span)
        case .expression(let expr):
            if case .variable(let identifier) = expr, lookup(identifier.name) == nil,
               ops[identifier.name] != nil || functions[identifier.name] != nil {
                _ = checkCall(Call(callee: identifier, arguments: [], block: nil, span: identifier.span))
            } else {
                _ = typeOf(expr)
            }
        case .if(let condition, let then, let otherwise, _):
            expectBool(condition, "`if` condition")
            checkBlock(then)
            if let otherwise { checkStatement(otherwise) }
        case .for(let name, let sequence, let body, _):
            let sequenceType = typeOf(sequence).ignoringNone
            var element: ValueType = .any
            switch sequenceType {
            case .list(let inner): element = inner
            case .any, .record, .shaped: element = .any
            default:
                report("E-type", sequence.span, "`for` needs a list, but this is \(sequenceType.withArticle)")
            }
            pushScope()
            define(name, element)
            checkStatements(body.statements)
            popScope()
        case .on(let targets, let body, let phase, let span):
            checkPhaseOrder(phase, body, span)
            checkOn(targets, body, span, phase: phase)
        case .function(let decl):
            if !topLevel { report("E-fn-nested", decl.span, "functions can only be defined at the top level") }
            checkFunction(decl)
        case .return(let value, let span):
            if !inFunction { report("E-return", span, "`return` outside a function") }
            if let value { _ = typeOf(value) }
        case .include(_, let span, let included):
            if !topLevel { report("E-include-nested", statement.span, "`include` is only allowed at the top level") }
            if unresolvedIncludes.contains(span) { afterUnresolvedInclude = true }
            for inner in included { checkStatement(inner, topLevel: topLevel) }
        case .block(let block):
            checkBlock(block)
        }
    }

    mutating func checkBlock(_ block: Block) {
        pushScope()
        checkStatements(block.statements)
        popScope()
    }

    /// A preflight block guards the whole run only if nothing has changed a host before it.
    mutating func checkPhaseOrder(_ phase: OnPhase, _ body: Block, _ span: Span) {
        switch phase {
        case .preflight:
            if let first = firstChangingBlock {
                report("E-preflight-order", span, "a preflight block must come before every block that changes hosts",
                       hint: "move it above the first `on` block that changes something",
                       notes: [.init(span: first, message: "this block changes hosts before the preflight runs")])
            }
        case .change:
            if firstChangingBlock == nil && changesHosts(body.statements) { firstChangingBlock = span }
        case .verify:
            break
        }
    }

    mutating func checkOn(_ targets: Expr, _ body: Block, _ span: Span, phase: OnPhase = .change) {
        if inOnBlock {
            report("E-on-nested", span, "`on` blocks cannot be nested: the body already runs on one host at a time",
                   hint: "close the outer `on` block first, then start a new one")
        } else if inHostBlock && inFunction {
            report("E-on-nested", span, "`on` blocks cannot be used inside a function: a function may itself run on a host",
                   hint: "write the `on` block at the top level and call the function inside it")
        }
        let type = typeOf(targets)
        if !(ValueType.host.accepts(type) || ValueType.list(.host).accepts(type)) {
            report("E-type", targets.span, "`on` needs a host or a list of hosts, but this is \(type.withArticle)")
        }
        checkHostLiterals(targets)
        let saved = (inHostBlock, inOnBlock, hostBlockScopeDepth, readOnlyPhase)
        inHostBlock = true
        inOnBlock = true
        hostBlockScopeDepth = scopes.count
        readOnlyPhase = phase == .change ? nil : phase
        pushScope()
        define(Identifier(name: "host", span: span), .host)
        checkStatements(body.statements)
        popScope()
        (inHostBlock, inOnBlock, hostBlockScopeDepth, readOnlyPhase) = saved
    }

    mutating func checkFunction(_ decl: FunctionDecl) {
        let saved = (inFunction, inHostBlock, hostBlockScopeDepth)
        inFunction = true
        // A function body is checked as if on a host; calls outside `on` blocks of a
        // function that needs a host are reported at the call.
        inHostBlock = true
        hostBlockScopeDepth = scopes.count
        pushScope()
        define(Identifier(name: "host", span: decl.name.span), .host)
        for parameter in decl.parameters {
            if let value = parameter.defaultValue { _ = typeOf(value) }
            define(parameter.name, .any)
        }
        checkStatements(decl.body.statements)
        popScope()
        (inFunction, inHostBlock, hostBlockScopeDepth) = saved
    }

    mutating func checkAssignment(_ name: Identifier, _ type: ValueType, _ span: Span) {
        guard let (binding, depth) = lookupWithDepth(name.name) else {
            if mayComeFromElsewhere(name.name) { return }
            report("E-undefined", name.span, "cannot assign to `\(name.name)`: it is not defined",
                   hint: "define it first with `let \(name.name) = ...`")
            return
        }
        if binding.isParam {
            report("E-assign-param", name.span, "cannot assign to the param `\(name.name)`",
                   hint: "params are inputs; use `let` to make a new name")
        } else if inHostBlock && depth < hostBlockScopeDepth {
            report("E-assign-shared", name.span, "cannot change `\(name.name)` inside an `on` block: each host runs separately",
                   hint: "compute it before the `on` block, or use a new `let` inside it")
        } else if !binding.type.accepts(type) && binding.type != .any {
            report("E-type", span, "`\(name.name)` is \(binding.type.withArticle); cannot assign \(type.withArticle) to it")
        }
    }

    // MARK: - Scopes

    mutating func pushScope() { scopes.append([:]) }
    mutating func popScope() { warnUnused(in: scopes.removeLast()) }

    mutating func define(_ name: Identifier, _ type: ValueType, kind: Binding.Kind = .other, holdsCallResult: Bool = false) {
        // A `let` written again in the same scope replaces the first, which may never have been read.
        if let replaced = scopes[scopes.count - 1][name.name] { warnUnused(in: [name.name: replaced]) }
        scopes[scopes.count - 1][name.name] = Binding(type: type, span: name.span, kind: kind, holdsCallResult: holdsCallResult)
    }

    func lookup(_ name: String) -> Binding? { lookupWithDepth(name)?.0 }

    /// The binding a read of `name` finds, marked as used.
    mutating func use(_ name: String) -> Binding? {
        guard let (binding, depth) = lookupWithDepth(name) else { return nil }
        scopes[depth][name]?.used = true
        return binding
    }

    func lookupWithDepth(_ name: String) -> (Binding, Int)? {
        for depth in stride(from: scopes.count - 1, through: 0, by: -1) {
            if let binding = scopes[depth][name] { return (binding, depth) }
        }
        return nil
    }

    var namesInScope: [String] { scopes.flatMap(\.keys) + Array(functions.keys) + Array(ops.keys) }

    /// "did you mean ...?" for an unknown name: a keyword one typo away (`retrun`, `ture`),
    /// unless a name is as close; else the closest name.
    static func hint(for name: String, names: [String], keywords: [String]) -> String? {
        if let keyword = keywords.first(where: { Suggestions.editDistance(name, $0) == 1 }),
           !names.contains(where: { Suggestions.editDistance(name, $0) <= 1 }) {
            return "did you mean `\(keyword)`?"
        }
        return Suggestions.hint(for: name, in: names)
    }

    /// The keywords a statement starts with: a misspelt one reads as a call or a name.
    static let statementKeywords: [String] = [Keyword.param, .let, .fn, .return, .if, .for, .on, .include].map(\.rawValue)

    /// A name the checker cannot call unknown: a statement that did not parse may define it,
    /// or an include that could not be read: above (a value), or anywhere (a function, which
    /// may be called before its definition).
    func mayComeFromElsewhere(_ name: String, isFunction: Bool = false) -> Bool {
        afterUnresolvedInclude || unparsedNames.contains(name) || (isFunction && !unresolvedIncludes.isEmpty)
    }

    mutating func report(_ id: String, _ span: Span, _ message: String, hint: String? = nil, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(id: id, span: span, message: message, hint: hint, notes: notes))
    }

    mutating func warn(_ id: String, _ span: Span, _ message: String, hint: String? = nil, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(.warning, id: id, span: span, message: message, hint: hint, notes: notes))
    }
}
