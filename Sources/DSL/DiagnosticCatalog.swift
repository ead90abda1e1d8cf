/// Every diagnostic id, declared once with what it means. The table in docs/language.md is
/// generated from this list (`crucible-sh lint --list-ids`), and a test checks that the doc
/// is up to date and that every id the sources report is declared here. `E-` ids are errors,
/// `W-` ids warnings.
public enum DiagnosticCatalog {
    public struct Entry: Sendable, Hashable {
        public let id: String
        public let meaning: String

        public var severity: Diagnostic.Severity { id.hasPrefix("W-") ? .warning : .error }
    }

    public static let all: [Entry] = [
        Entry(id: "E-lex-char", meaning: "a character the language does not use (`@`, `'`, `€`)"),
        Entry(id: "E-lex-int", meaning: "an integer literal too large for 64 bits"),
        Entry(id: "E-lex-escape", meaning: "an unknown `\\` escape, `\\u` without `{`, or `\\u{...}` that is not a unicode scalar"),
        Entry(id: "E-lex-unterminated", meaning: "a string without its closing `\"` on the line, or a `\"\"\"` string never closed"),
        Entry(id: "E-lex-interpolation", meaning: "a `${` without its `}`"),
        Entry(id: "E-syntax", meaning: "the parser expected something else (a name, an expression, `}`, `)`, a new line...)"),
        Entry(id: "E-nesting", meaning: "expressions or blocks nested more than 200 levels deep"),
        Entry(id: "E-include-missing", meaning: "an included file cannot be read (names after it are not called unknown: they may come from it)"),
        Entry(id: "E-include-cycle", meaning: "a file includes itself, directly or through others"),
        Entry(id: "E-include-nested", meaning: "`include` inside a block"),
        Entry(id: "E-undefined", meaning: "an unknown name, or an assignment to a name never defined"),
        Entry(id: "E-unknown-op", meaning: "a call of an unknown operation or function"),
        Entry(id: "E-unknown-type", meaning: "a param type that does not exist"),
        Entry(id: "E-type", meaning: "a value of the wrong type for an operator, condition, loop, argument, assignment or param default; `==` or `!=` between values of different types (never equal)"),
        Entry(id: "E-field", meaning: "a field that a value does not have: a host, a record whose fields are known (an op's result, `facts()`, a record literal), or a value that is not a record"),
        Entry(id: "E-arguments", meaning: "a missing, unknown, repeated or extra argument, or a `{ }` block for a call that takes none"),
        Entry(id: "E-choice", meaning: "a value outside a closed set: a string argument the op does not allow, or a literal compared with a field that never holds it (`facts().init == \"sytemd\"`)"),
        Entry(id: "E-host", meaning: "a host string written in the recipe that is not `[user@]address[:port]` or `local`"),
        Entry(id: "E-host-only", meaning: "`host`, a host op, or a function that uses them, outside an `on` block"),
        Entry(id: "E-on-nested", meaning: "an `on` block inside another"),
        Entry(id: "E-phase-change", meaning: "an op that changes hosts (or a function that calls one) inside a `preflight on` or `verify on` block"),
        Entry(id: "E-preflight-order", meaning: "a `preflight on` block after a block that changes hosts"),
        Entry(id: "E-assign-shared", meaning: "an `on` block assigning to a name defined outside it"),
        Entry(id: "E-assign-param", meaning: "an assignment to a param"),
        Entry(id: "E-duplicate", meaning: "a param declared twice, a function defined twice or named like an op, a record key written twice"),
        Entry(id: "E-fn-nested", meaning: "`fn` inside a block or function"),
        Entry(id: "E-param-nested", meaning: "`param` inside a block or function"),
        Entry(id: "E-return", meaning: "`return` outside a function"),
        Entry(id: "E-param-missing", meaning: "a required param without a value"),
        Entry(id: "E-param-unknown", meaning: "`--set` or a params file names a param the recipe does not have"),
        Entry(id: "E-param-value", meaning: "a param value that does not convert to the param's type"),
        Entry(id: "E-params-syntax", meaning: "a params file line that is not `name = value` (a `let`, a `param`, a call...)"),
        Entry(id: "E-params-literal", meaning: "a params file value that is an expression instead of a literal"),
        Entry(id: "E-params-duplicate", meaning: "a params file setting the same param twice"),
        Entry(id: "E-not-recipe", meaning: "a params file given where a recipe is expected (`lint site.params`): the hint shows the command that checks it"),
        Entry(id: "E-fmt-comment", meaning: "`crucible-sh fmt` would lose or move a comment, so it left the file alone (a formatter bug)"),
        Entry(id: "E-fmt-meaning", meaning: "`crucible-sh fmt` would change what the recipe means, so it left the file alone (a formatter bug)"),
        Entry(id: "E-runtime", meaning: "an error while running: division by zero, index out of range, missing field, `fail(...)`, a failing built-in"),
        Entry(id: "W-unused", meaning: "a param or `let` whose value is never read (a name that starts with `_` is not reported)"),
        Entry(id: "W-run-always", meaning: "`run` without `creates:` or `unless:`: it runs every time and is always reported changed"),
        Entry(id: "W-unreachable", meaning: "statements after `fail(...)` or `return` in the same block: they never run"),
        Entry(id: "W-shadow", meaning: "a `let` with a param's name: from there on the name is no longer the param's value"),
    ]

    public static func entry(_ id: String) -> Entry? { all.first { $0.id == id } }

    /// The Markdown table of docs/language.md.
    public static var markdownTable: String {
        "| id | meaning |\n| --- | --- |\n" + all.map { "| `\($0.id)` | \($0.meaning.replacingOccurrences(of: "|", with: "\\|")) |\n" }.joined()
    }
}
