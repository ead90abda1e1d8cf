import DSL
import Interpreter
import Stdlib

/// A recipe loaded and checked against the built-in ops and the given param values.
struct CheckedRecipe {
    let program: Program
    let paramValues: [String: Value]
    let diagnostics: [Diagnostic]
    let declaredParams: [ParamDecl]
    let paramTypes: [String: ValueType]
    let inputs: [ParamInput]

    /// Loads the recipe and the params files and checks them together; prints diagnostics
    /// to stderr. Throws `Rejected` (exit status 2) when there are errors, so nothing is contacted.
    static func prepare(_ name: String, params: ParamOptions, requireParams: Bool = true) throws -> CheckedRecipe {
        let source: RecipeSource
        switch RecipeSource.load(name) {
        case .success(let loaded): source = loaded
        case .failure(let error):
            printError("\(error)\n")
            throw Rejected(message: "\(error)", diagnostics: [])
        }
        let loaded: LoadedParams
        switch params.load() {
        case .success(let read): loaded = read
        case .failure(let error):
            printError("\(error)\n")
            throw Rejected(message: "\(error)", diagnostics: [])
        }
        var diagnostics = source.diagnostics
        guard let program = source.program else { throw Rejected(message: "error: cannot read `\(name)`", diagnostics: diagnostics) }
        var checker = Checker(ops: Stdlib.all, inputs: loaded.inputs, requireParamValues: requireParams)
        diagnostics += Self.checkDiagnostics(&checker, program, afterSyntaxErrors: diagnostics.hasErrors)
        diagnostics = Self.paramsFilesFirst(loaded.diagnostics + diagnostics, files: params.files)
        if !diagnostics.isEmpty {
            printError(DiagnosticRenderer(useColor: Terminal.stderrColor).render(diagnostics))
            let errors = diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty {
                var files: [String] = []
                for error in errors where !files.contains(error.span.file.name) { files.append(error.span.file.name) }
                let summary = "\(errors.count) error\(errors.count == 1 ? "" : "s") in \(files.joined(separator: ", ")); no host was contacted"
                printError(summary + "\n")
                throw Rejected(message: summary, diagnostics: diagnostics)
            }
        }
        return CheckedRecipe(program: program, paramValues: checker.paramValues, diagnostics: diagnostics,
                             declaredParams: checker.declaredParams, paramTypes: checker.paramTypes, inputs: loaded.inputs)
    }

    /// The recipe (or a params file) has errors, already printed: exit status 2.
    struct Rejected: Error {
        let message: String
        let diagnostics: [Diagnostic]
    }

    /// The warnings among the diagnostics, one line each (for `--json`).
    var warnings: [String] {
        diagnostics.filter { $0.severity == .warning }.map { diagnostic in
            let start = diagnostic.span.startLocation
            return "\(diagnostic.span.file.name):\(start.line):\(start.column): warning: \(diagnostic.message)"
        }
    }

    /// The params files' diagnostics first (file by file, in line order), then the recipe's
    /// in the order they were found.
    static func paramsFilesFirst(_ diagnostics: [Diagnostic], files: [String]) -> [Diagnostic] {
        let inFiles = diagnostics.filter { files.contains($0.span.file.name) }
            .sorted { (files.firstIndex(of: $0.span.file.name)!, $0.span.start) < (files.firstIndex(of: $1.span.file.name)!, $1.span.start) }
        return inFiles + diagnostics.filter { !files.contains($0.span.file.name) }
    }

    /// Checks even a program with syntax errors, so one pass reports everything; names
    /// that look undefined only because their statement did not parse are left out.
    static func checkDiagnostics(_ checker: inout Checker, _ program: Program, afterSyntaxErrors: Bool) -> [Diagnostic] {
        let found = checker.check(program)
        return afterSyntaxErrors ? found.filter { $0.id != "E-undefined" } : found
    }
}
