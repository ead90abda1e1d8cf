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
    /// (warnings too, unless `showWarnings` is false) to stderr, once. Throws `Rejected`
    /// (exit status 2) when there are errors, so nothing is contacted. `command` is the
    /// subcommand, for the hint when `name` is a params file.
    static func prepare(_ name: String, params: ParamOptions, requireParams: Bool = true, strict: Bool = false,
                        showWarnings: Bool = true, command: String) throws -> CheckedRecipe {
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
        guard let program = source.program else { throw Rejected(message: "error: cannot read `\(name)`", diagnostics: source.diagnostics) }
        var checker = Checker(ops: Stdlib.all, inputs: loaded.inputs, requireParamValues: requireParams)
        var diagnostics = Self.diagnostics(of: source, program, name: name, loaded: loaded, params: params,
                                           checker: &checker, strict: strict, command: command)
        if !showWarnings { diagnostics.removeAll { $0.severity == .warning } }
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

    /// Everything wrong with a recipe and its params files: the loader's and parser's
    /// diagnostics, then the checker's (even after syntax errors: the statements that parsed
    /// are checked too), warnings as errors when `strict`.
    static func diagnostics(of source: RecipeSource, _ program: Program, name: String, loaded: LoadedParams,
                            params: ParamOptions, checker: inout Checker, strict: Bool, command: String) -> [Diagnostic] {
        if let notRecipe = ParamsFileGuess.diagnostic(program, name: name, command: command) { return [notRecipe] }
        var diagnostics = source.diagnostics + checker.check(program)
        diagnostics = Self.paramsFilesFirst(loaded.diagnostics + diagnostics, files: params.files)
        return strict ? diagnostics.map { $0.severity == .warning ? $0.asError : $0 } : diagnostics
    }

    /// The params files' diagnostics first (file by file, in line order), then the recipe's
    /// in the order they were found.
    static func paramsFilesFirst(_ diagnostics: [Diagnostic], files: [String]) -> [Diagnostic] {
        let inFiles = diagnostics.filter { files.contains($0.span.file.name) }
            .sorted { (files.firstIndex(of: $0.span.file.name)!, $0.span.start) < (files.firstIndex(of: $1.span.file.name)!, $1.span.start) }
        return inFiles + diagnostics.filter { !files.contains($0.span.file.name) }
    }


}
