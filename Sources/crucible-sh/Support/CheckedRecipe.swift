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
    /// to stderr. Throws `ExitStatus.recipeError` when there are errors, so nothing is contacted.
    static func prepare(_ name: String, params: ParamOptions, requireParams: Bool = true) throws -> CheckedRecipe {
        let source: RecipeSource
        switch RecipeSource.load(name) {
        case .success(let loaded): source = loaded
        case .failure(let error):
            printError("\(error)\n")
            throw ExitStatus.recipeError
        }
        let loaded: LoadedParams
        switch params.load() {
        case .success(let read): loaded = read
        case .failure(let error):
            printError("\(error)\n")
            throw ExitStatus.recipeError
        }
        var diagnostics = source.diagnostics
        guard let program = source.program else { throw ExitStatus.recipeError }
        var checker = Checker(ops: Stdlib.all, inputs: loaded.inputs, requireParamValues: requireParams)
        // Even after syntax errors: the statements that parsed are checked too (names the
        // broken ones mention are not called unknown).
        diagnostics += checker.check(program)
        diagnostics = Self.paramsFilesFirst(loaded.diagnostics + diagnostics, files: params.files)
        if !diagnostics.isEmpty {
            printError(DiagnosticRenderer(useColor: Terminal.stderrIsTerminal && Terminal.colorAllowed).render(diagnostics))
            let errors = diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty {
                var files: [String] = []
                for error in errors where !files.contains(error.span.file.name) { files.append(error.span.file.name) }
                printError("\(errors.count) error\(errors.count == 1 ? "" : "s") in \(files.joined(separator: ", ")); no host was contacted\n")
                throw ExitStatus.recipeError
            }
        }
        return CheckedRecipe(program: program, paramValues: checker.paramValues, diagnostics: diagnostics,
                             declaredParams: checker.declaredParams, paramTypes: checker.paramTypes, inputs: loaded.inputs)
    }

    /// The params files' diagnostics first (file by file, in line order), then the recipe's
    /// in the order they were found.
    static func paramsFilesFirst(_ diagnostics: [Diagnostic], files: [String]) -> [Diagnostic] {
        let inFiles = diagnostics.filter { files.contains($0.span.file.name) }
            .sorted { (files.firstIndex(of: $0.span.file.name)!, $0.span.start) < (files.firstIndex(of: $1.span.file.name)!, $1.span.start) }
        return inFiles + diagnostics.filter { !files.contains($0.span.file.name) }
    }


}
