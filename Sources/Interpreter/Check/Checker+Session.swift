import DSL

/// The checker of an interactive session: entries are checked one at a time, as if each
/// were written inside `on HOST { ... }`, and the names an accepted entry defines stay in
/// scope for the next ones.
extension Checker {
    /// A checker whose scope is a session on one host: `host` is defined, host ops are
    /// allowed, and the session's own names may be reassigned.
    public init(sessionOps ops: [OpSpec]) {
        self.init(ops: ops, inputs: [], requireParamValues: true)
        inHostBlock = true
        hostBlockScopeDepth = 0
        reportsUnused = false
        let origin = SourceFile(name: "<session>", text: "host")
        define(Identifier(name: "host", span: Span(file: origin, start: 0, end: 4)), .host)
    }

    /// Checks one entry. When it has errors the checker's scope is left as it was, so a
    /// mistyped entry defines nothing; otherwise its `let`s and functions persist.
    public mutating func checkEntry(_ program: Program) -> [Diagnostic] {
        let before = self
        diagnostics = []
        let statements = Self.flatten(program.statements)
        for case .function(let decl) in statements { functions[decl.name.name] = nil }
        collectFunctions(statements)
        for statement in statements { checkEntryStatement(statement) }
        let found = diagnostics.sorted { $0.span.start < $1.span.start }
        if found.hasErrors { self = before }
        diagnostics = []
        return found
    }

    /// Names an entry can use: the session's variables and functions.
    public var sessionNames: [String] {
        Array(Set(scopes.flatMap(\.keys) + Array(functions.keys))).sorted()
    }

    mutating func checkEntryStatement(_ statement: Stmt) {
        switch statement {
        case .param(let decl):
            if let given = sessionParamTypes[decl.name.name] {
                var type = given
                if let typeExpr = decl.type, case .success(let declared) = ValueType.from(typeExpr) { type = declared }
                define(decl.name, type)
                return
            }
            // Without `:load --set`, a session has no value for a param: it needs its default.
            guard let defaultValue = decl.defaultValue else {
                report("E-param-missing", decl.name.span, "a session has no value for the param `\(decl.name.name)`",
                       hint: "give it a default (`param \(decl.name.name) = ...`) or use `let`")
                return
            }
            var type = typeOf(defaultValue)
            if let typeExpr = decl.type, case .success(let declared) = ValueType.from(typeExpr) { type = declared }
            define(decl.name, type)
        case .on:
            // An `on` block in a session runs on the hosts it names, like at a recipe's top level.
            let saved = (inHostBlock, hostBlockScopeDepth)
            inHostBlock = false
            checkStatement(statement, topLevel: true)
            (inHostBlock, hostBlockScopeDepth) = saved
        default:
            checkStatement(statement, topLevel: true)
        }
    }
}
