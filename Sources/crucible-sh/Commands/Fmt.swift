import ArgumentParser
import DSL
import Foundation
import Interpreter

/// `crucible-sh fmt [--check | --diff] FILE|DIR|-...`: rewrites recipes into the canonical layout.
struct Fmt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite recipes into the canonical layout.",
        discussion: """
            Indentation, spacing and blank lines are made canonical; comments stay where they are and the \
            meaning never changes (the formatter checks this and refuses otherwise). Files are replaced \
            atomically; a symlink stays a symlink (the file it points to gets the new bytes). A directory \
            stands for the .crucible files under it; `-` formats standard input onto standard output (for \
            editors). With --check nothing is written: the files that would change are listed and the exit \
            status is 1; --diff prints what would change as a unified diff instead, with the same exit status. \
            Files with syntax errors are reported and left alone (exit status 2).
            """
    )

    @Flag(help: "Do not write; list the files that are not formatted and exit 1 if there are any.")
    var check = false

    @Flag(help: "Do not write; print a unified diff of what formatting would change and exit 1 if anything would.")
    var diff = false

    @OptionGroup var color: ColorOption

    @ArgumentParser.Argument(help: "Recipe files (.crucible), directories of them, or `-` for standard input.",
                             completion: Completions.recipeFiles)
    var files: [String]

    func validate() throws {
        if check && diff { throw ValidationError("--check and --diff both leave the files alone: give one") }
    }

    func run() async throws {
        var unformatted: [String] = []
        var failed = false
        for path in expanded() {
            switch path == "-" ? formatStandardInput() : formatOne(path) {
            case .unchanged: break
            case .changed: unformatted.append(path)
            case .failed: failed = true
            }
        }
        if check {
            for path in unformatted { print(path) }
        }
        if failed { throw ExitStatus.recipeError }
        if (check || diff) && !unformatted.isEmpty { throw ExitStatus.hostFailure }
        throw ExitStatus.success
    }

    /// The arguments with each directory replaced by the `.crucible` files under it, sorted.
    func expanded() -> [String] {
        files.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [path]
            }
            let root = path.hasSuffix("/") ? String(path.dropLast()) : path
            let found = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            return found.filter { $0.hasSuffix(".crucible") }.sorted().map { root + "/" + $0 }
        }
    }

    enum Outcome { case unchanged, changed, failed }

    func formatOne(_ path: String) -> Outcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("error: cannot read `\(path)`: check that it is a readable file\n")
            return .failed
        }
        let original = String(decoding: data, as: UTF8.self)
        guard let formatted = format([UInt8](data), name: path) else { return .failed }
        if formatted == original { return .unchanged }
        if diff {
            print(UnifiedDiff.render(old: Array(original.utf8), new: Array(formatted.utf8), path: path), terminator: "")
        } else if !check {
            do {
                // Through a symlink: the file it points to is replaced, the link stays.
                try ReplaceFile.atomically(URL(fileURLWithPath: path).resolvingSymlinksInPath().path, contents: formatted)
            } catch {
                printError("error: \(error)\n")
                return .failed
            }
        }
        return .changed
    }

    /// `-`: standard input, formatted, on standard output (the input as it was when it
    /// cannot be formatted, so an editor's buffer is never emptied).
    func formatStandardInput() -> Outcome {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let original = String(decoding: input, as: UTF8.self)
        guard let formatted = format([UInt8](input), name: "<stdin>") else {
            if !check && !diff { print(original, terminator: "") }
            return .failed
        }
        if diff {
            if formatted != original {
                print(UnifiedDiff.render(old: Array(original.utf8), new: Array(formatted.utf8), path: "<stdin>"), terminator: "")
            }
        } else if !check {
            print(formatted, terminator: "")
        }
        return formatted == original ? .unchanged : .changed
    }

    /// The canonical text, or nil after printing why there is none (a file that is not UTF-8 included).
    func format(_ bytes: [UInt8], name: String) -> String? {
        switch Formatter().format(SourceFile(name: name, bytes: bytes)) {
        case .failure(let failure):
            printError(DiagnosticRenderer(useColor: Terminal.stderrColor).render(failure.diagnostics))
            printError("\(name): not formatted\n")
            return nil
        case .success(let formatted):
            return formatted
        }
    }
}
