import DSL

/// Warnings: code that runs, but not as its author meant. `W-unused` (a param or `let` never
/// read), `W-run-always` (a command without a guard, reported changed on every run),
/// `W-unreachable` (statements after `fail(...)` or `return`), `W-shadow` (a `let` that hides
/// a param). A `# crucible: allow W-ID` comment keeps one from being reported (see
/// `Allowance`); `lint --strict` makes them errors.
extension Checker {
    // MARK: - Statement lists

    /// Checks a block's statements in order; the first one after a statement that always
    /// stops the block is reported once.
    mutating func checkStatements(_ statements: [Stmt], topLevel: Bool = false) {
        var stop: (span: Span, what: String)?
        var reported = false
        for statement in statements {
            if !statementAllowances.isEmpty { noteAllowance(for: statement) }
            if let stop, !reported {
                warn("W-unreachable", statement.span, "this never runs: \(stop.what) before it",
                     hint: "remove it, or move it above",
                     notes: [.init(span: stop.span, message: "the block ends here")])
                reported = true
            }
            checkStatement(statement, topLevel: topLevel)
            if stop == nil { stop = Self.stopping(statement) }
        }
    }

    /// A statement after which nothing in its block runs.
    static func stopping(_ statement: Stmt) -> (span: Span, what: String)? {
        switch statement {
        case .return(_, let span): return (span, "`return` always leaves the function")
        case .expression(.call(let call)) where call.callee.name == "fail":
            return (call.span, "`fail(...)` always stops")
        default: return nil
        }
    }

    // MARK: - Names

    /// Reports the params and `let`s of a scope that were never read. A name that starts
    /// with `_` is meant to be unused; a name a broken statement mentions may be read there.
    mutating func warnUnused(in scope: [String: Binding]) {
        // An include that could not be read may use any of them.
        guard reportsUnused, unresolvedIncludes.isEmpty else { return }
        for (name, binding) in scope where !binding.used && !name.hasPrefix("_") && !unparsedNames.contains(name) {
            switch binding.kind {
            case .param:
                warn("W-unused", binding.span, "the param `\(name)` is never used",
                     hint: "use it, or remove it (a params file or `--set` that gives it must then stop)")
            case .let:
                warn("W-unused", binding.span, "`\(name)` is never used",
                     hint: binding.holdsCallResult
                         ? "keep the call without `let \(name) =`, or use its result"
                         : "use it, or remove it (a name that starts with `_` is never reported)")
            case .other:
                break
            }
        }
    }

    /// A `let` with a param's name: below it, the name is no longer the param's value.
    mutating func warnIfHidingParam(_ name: Identifier) {
        guard let param = scopes[0][name.name], param.kind == .param else { return }
        warn("W-shadow", name.span, "`\(name.name)` hides the param `\(name.name)`",
             hint: "choose another name: from here on `\(name.name)` is no longer the param's value",
             notes: [.init(span: param.span, message: "the param is declared here")])
    }

    // MARK: - Ops

    /// An op with guards (`run`: `creates`, `unless`) called with none of them runs every
    /// time and is reported changed every time.
    mutating func warnIfUnguarded(_ call: Call, _ op: OpSpec, given: Set<String>) {
        guard let guards = op.guards, !guards.isEmpty, !guards.contains(where: given.contains) else { return }
        let names = guards.map { "`\($0):`" }
        let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
        warn("W-run-always", call.callee.span,
             "`\(op.name)` without \(listed) runs every time and is always reported changed",
             hint: "add \(listed) so that a second run changes nothing; when it must run each time it is reached, "
                 + "say so with `# crucible: allow W-run-always`")
    }

    // MARK: - Allowances

    struct LineKey: Hashable {
        let file: SourceFile
        let line: Int
    }

    mutating func prepareAllowances(_ allowances: [Allowance]) {
        for allowance in allowances {
            let key = LineKey(file: allowance.span.file, line: allowance.line)
            if allowance.ownLine { statementAllowances[key, default: []] += allowance.ids }
            else { lineAllowances[key, default: []] += allowance.ids }
        }
    }

    /// A statement right below an allowance comment: the allowance covers all of it.
    mutating func noteAllowance(for statement: Stmt) {
        let key = LineKey(file: statement.span.file, line: statement.span.startLocation.line)
        if let ids = statementAllowances[key] { allowedSpans.append((statement.span, ids)) }
    }

    mutating func dropAllowedWarnings() {
        guard !lineAllowances.isEmpty || !allowedSpans.isEmpty else { return }
        diagnostics.removeAll { diagnostic in
            guard diagnostic.severity == .warning else { return false }
            let span = diagnostic.span
            if lineAllowances[LineKey(file: span.file, line: span.startLocation.line)]?.contains(diagnostic.id) == true { return true }
            return allowedSpans.contains { allowed in
                allowed.ids.contains(diagnostic.id) && allowed.span.file == span.file
                    && allowed.span.start <= span.start && span.end <= allowed.span.end
            }
        }
    }
}
