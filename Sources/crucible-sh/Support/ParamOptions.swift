import ArgumentParser
import Interpreter

/// `--set NAME=VALUE`: recipe param values from the command line.
struct ParamOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Give a recipe param a value (repeatable); lists are comma-separated.", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    func validate() throws {
        for assignment in assignments where !assignment.contains("=") || assignment.hasPrefix("=") {
            throw ValidationError("`--set \(assignment)`: expected NAME=VALUE")
        }
    }

    var inputs: [ParamInput] {
        assignments.map { assignment in
            let eq = assignment.firstIndex(of: "=")!
            return ParamInput(name: String(assignment[..<eq]), raw: String(assignment[assignment.index(after: eq)...]))
        }
    }
}
