import ArgumentParser
import DSL
import Foundation

/// `crucible-sh fmt [--check] FILE...`: rewrites recipes into the canonical layout.
struct Fmt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite recipes into the canonical layout.",
        discussion: """
            Indentation, spacing and blank lines are made canonical; comments stay where they are and the \
            meaning never changes (the formatter checks this and refuses otherwise). Files are replaced \
            atomically. With --check nothing is written: the files that would change are listed and the exit \
            status is 1. Files with syntax errors are reported and left alone (exit status 2).
            """
    )

    @Flag(help: "Do not write; list the files that are not formatted and exit 1 if there are any.")
    var check = false

    @ArgumentParser.Argument(help: "Recipe files (.crucible) to format.")
    var files: [String]

    func run() async throws {
        var unformatted: [String] = []
        var failed = false
        for path in files {
            switch formatOne(path) {
            case .unchanged: break
            case .changed: unformatted.append(path)
            case .failed: failed = true
            }
        }
        if check {
            for path in unformatted { print(path) }
        }
        if failed { throw ExitStatus.recipeError }
        if check && !unformatted.isEmpty { throw ExitStatus.hostFailure }
        throw ExitStatus.success
    }

    enum Outcome { case unchanged, changed, failed }

    func formatOne(_ path: String) -> Outcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("error: cannot read `\(path)`: check that it is a readable file\n")
            return .failed
        }
        let original = String(decoding: data, as: UTF8.self)
        switch Formatter().format(SourceFile(name: path, text: original)) {
        case .failure(let failure):
            printError(DiagnosticRenderer(useColor: Terminal.stderrColor).render(failure.diagnostics))
            printError("\(path): not formatted\n")
            return .failed
        case .success(let formatted):
            if formatted == original { return .unchanged }
            if !check {
                do {
                    try ReplaceFile.atomically(path, contents: formatted)
                } catch {
                    printError("error: \(error)\n")
                    return .failed
                }
            }
            return .changed
        }
    }
}
