import DSL
import Foundation
import Interpreter

/// Finds a recipe by path or bundled name, loads it with its includes, and checks it.
struct RecipeSource {
    let program: Program?
    let diagnostics: [Diagnostic]

    /// `name` is a path to a `.crucible` file or the name of a bundled recipe.
    static func load(_ name: String) -> Result<RecipeSource, RecipeLoadError> {
        let loader = RecipeLoader()
        if FileManager.default.fileExists(atPath: name) {
            let (program, diagnostics) = loader.load(path: name)
            guard let program else { return .failure(.unreadable(name)) }
            return .success(RecipeSource(program: program, diagnostics: diagnostics))
        }
        if let text = BundledRecipes.text(named: name) {
            let (program, diagnostics) = loader.load(SourceFile(name: "bundled:\(name)", text: text))
            return .success(RecipeSource(program: program, diagnostics: diagnostics))
        }
        return .failure(.notFound(name))
    }
}

enum RecipeLoadError: Error, CustomStringConvertible {
    case notFound(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .notFound(let name):
            let bundled = BundledRecipes.names.joined(separator: ", ")
            let hint = Suggestions.hint(for: name, in: BundledRecipes.names).map { " (\($0))" } ?? ""
            return "error: no recipe file `\(name)` and no bundled recipe of that name\(hint); bundled recipes: \(bundled)"
        case .unreadable(let path):
            return "error: cannot read `\(path)`: check that it is a readable file"
        }
    }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Whether standard output/error is a terminal, and whether colour is wanted (NO_COLOR,
/// `--color`, see `ColorOption`).
enum Terminal {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var colorAllowed: Bool { ProcessInfo.processInfo.environment["NO_COLOR"].map { $0.isEmpty } ?? true }
    static var useColor: Bool { color(onTerminal: stdoutIsTerminal) }
}
