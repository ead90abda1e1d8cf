import DSL
import Interpreter
import Stdlib

/// A recipe loaded and checked against the built-in ops and the given param values.
struct CheckedRecipe {
    let program: Program
    let paramValues: [String: Value]
    let diagnostics: [Diagnostic]

    /// Loads and checks; prints diagnostics to stderr. Throws `ExitStatus.recipeError`
    /// when there are errors, so nothing is contacted.
    static func prepare(_ name: String, inputs: [ParamInput], requireParams: Bool = true) throws -> CheckedRecipe {
        let source: RecipeSource
        switch RecipeSource.load(name) {
        case .success(let loaded): source = loaded
        case .failure(let error):
            printError("\(error)\n")
            throw ExitStatus.recipeError
        }
        var diagnostics = source.diagnostics
        guard let program = source.program else { throw ExitStatus.recipeError }
        var checker = Checker(ops: Stdlib.all, inputs: inputs, requireParamValues: requireParams)
        diagnostics += Self.checkDiagnostics(&checker, program, afterSyntaxErrors: diagnostics.hasErrors)
        if !diagnostics.isEmpty {
            printError(DiagnosticRenderer(useColor: Terminal.stderrIsTerminal && Terminal.colorAllowed).render(diagnostics))
            let errors = diagnostics.filter { $0.severity == .error }.count
            if errors > 0 {
                printError("\(errors) error\(errors == 1 ? "" : "s") in \(program.file.name); no host was contacted\n")
                throw ExitStatus.recipeError
            }
        }
        return CheckedRecipe(program: program, paramValues: checker.paramValues, diagnostics: diagnostics)
    }

    /// Checks even a program with syntax errors, so one pass reports everything; names
    /// that look undefined only because their statement did not parse are left out.
    static func checkDiagnostics(_ checker: inout Checker, _ program: Program, afterSyntaxErrors: Bool) -> [Diagnostic] {
        let found = checker.check(program)
        return afterSyntaxErrors ? found.filter { $0.id != "E-undefined" } : found
    }
}
