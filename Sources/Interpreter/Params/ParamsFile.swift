import DSL

/// A params file: recipe param values written in the recipe language's own syntax, one
/// `name = value` per line, with `#` comments.
///
/// It is parsed with the recipe parser, so every mistake (a syntax error, a statement that
/// is not an assignment, a value that is not a literal) is a diagnostic at its line and
/// column. Checking names and types against a recipe is the checker's job: the inputs
/// carry their positions in this file, so its errors point here too.
public struct ParamsFile: Sendable {
    /// The word a generated file writes for a required param that has no value yet.
    public static let requiredPlaceholder = "required"

    public let source: SourceFile
    /// One input per assignment, in file order.
    public let inputs: [ParamInput]
    public let diagnostics: [Diagnostic]

    public static func parse(_ source: SourceFile) -> ParamsFile {
        let (program, syntaxDiagnostics) = Parser.parse(source)
        var reader = Reader()
        for statement in program.statements { reader.read(statement) }
        let diagnostics = (syntaxDiagnostics + reader.diagnostics).sorted { $0.span.start < $1.span.start }
        return ParamsFile(source: source, inputs: reader.inputs, diagnostics: diagnostics)
    }

    /// Collects inputs and diagnostics statement by statement.
    struct Reader {
        var inputs: [ParamInput] = []
        var diagnostics: [Diagnostic] = []
        var firstSpans: [String: Span] = [:]

        mutating func read(_ statement: Stmt) {
            switch statement {
            case .assign(let name, let value, _):
                readAssignment(name, value)
            case .let(let name, _, _):
                report(statement.span, "write `\(name.name) = ...` without `let`: a params file only sets the recipe's params")
            case .param(let decl):
                report(statement.span, "`param` declarations belong in the recipe; a params file gives them values",
                       hint: "write `\(decl.name.name) = VALUE`")
            case .include:
                report(statement.span, "a params file cannot include another file",
                       hint: "give several files instead: `--params base.params --params site.params` (later ones win)")
            case .expression(.call(let call)) where !call.arguments.isEmpty && call.block == nil:
                report(statement.span, "expected `name = value`, found `\(call.callee.name)` followed by a value",
                       hint: "write `\(call.callee.name) = \(call.arguments[0].value.span.text)`")
            default:
                report(statement.span, "a params file holds only `name = value` lines (and `#` comments)")
            }
        }

        mutating func readAssignment(_ name: Identifier, _ value: Expr) {
            let input = self.input(name, value)
            if let first = firstSpans[name.name] {
                diagnostics.append(Diagnostic(
                    id: "E-params-duplicate", span: name.span, message: "`\(name.name)` is set twice in this file",
                    hint: "keep one of the two lines", notes: [.init(span: first, message: "first set here")]))
                return
            }
            firstSpans[name.name] = name.span
            inputs.append(input)
        }

        /// The input a line gives; a value that is not a literal is reported here.
        mutating func input(_ name: Identifier, _ value: Expr) -> ParamInput {
            if case .variable(let word) = value, word.name == ParamsFile.requiredPlaceholder {
                return ParamInput(name: name.name, gap: .required, origin: .file(name.span), valueExpr: value)
            }
            switch LiteralValue.evaluate(value) {
            case .success(let literal):
                var input = ParamInput(name: name.name, value: literal, origin: .file(name.span))
                input.valueExpr = value
                return input
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
                return ParamInput(name: name.name, gap: .malformed, origin: .file(name.span), valueExpr: value)
            }
        }

        mutating func report(_ span: Span, _ message: String, hint: String? = nil) {
            diagnostics.append(Diagnostic(id: "E-params-syntax", span: span, message: message, hint: hint))
        }
    }
}
