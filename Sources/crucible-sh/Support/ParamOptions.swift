import ArgumentParser
import DSL
import Foundation
import Interpreter

/// `--params FILE` and `--set NAME=VALUE`: recipe param values from params files and the
/// command line. Later files override earlier ones; `--set` overrides every file.
struct ParamOptions: ParsableArguments {
    @Option(name: .customLong("params"), help: ArgumentHelp(
        "A params file (write one with `crucible-sh params RECIPE`); repeatable, later files override earlier ones.",
        valueName: "FILE"), completion: Completions.params)
    var files: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Give a recipe param a value (repeatable, overrides params files); lists are comma-separated.", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    func validate() throws {
        for assignment in assignments where !assignment.contains("=") || assignment.hasPrefix("=") {
            throw ValidationError("`--set \(assignment)`: expected NAME=VALUE")
        }
    }

    /// Whether any value was given: then required params without one are errors even in lint.
    var givesValues: Bool { !assignments.isEmpty || !files.isEmpty }

    var commandLineInputs: [ParamInput] {
        assignments.map { assignment in
            let eq = assignment.firstIndex(of: "=")!
            return ParamInput(name: String(assignment[..<eq]), raw: String(assignment[assignment.index(after: eq)...]))
        }
    }

    /// Reads every params file, in order, then adds the `--set` values: the checker takes
    /// the last input of each name, which gives the override order.
    func load() -> Result<LoadedParams, ParamsFileReadError> {
        var inputs: [ParamInput] = []
        var diagnostics: [Diagnostic] = []
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { return .failure(ParamsFileReadError(path: path)) }
            let file = ParamsFile.parse(SourceFile(name: path, bytes: [UInt8](data)))
            inputs += file.inputs
            diagnostics += file.diagnostics
        }
        return .success(LoadedParams(inputs: inputs + commandLineInputs, diagnostics: diagnostics))
    }
}

/// The inputs of every params file and `--set`, with the params files' own diagnostics.
struct LoadedParams {
    var inputs: [ParamInput]
    var diagnostics: [Diagnostic]

    static let none = LoadedParams(inputs: [], diagnostics: [])
}

struct ParamsFileReadError: Error, CustomStringConvertible {
    let path: String
    var description: String { "error: cannot read the params file `\(path)`: check that it exists and is readable" }
}
