import ArgumentParser
import DSL
import Foundation
import Interpreter

struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and check recipes without touching any host.",
        discussion: "Reports every error in one go, in the recipe and in its params files. Without --params or --set values, missing required params are not errors."
    )

    @ArgumentParser.Argument(help: "Recipe files or bundled recipe names.", completion: Completions.recipe)
    var recipes: [String] = []

    @OptionGroup var params: ParamOptions
    @OptionGroup var color: ColorOption

    @Option(help: "Output format: text (with the source line and a caret) or json (for editors and CI).")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors: a recipe with any warning fails (exit 2).")
    var strict = false

    @Flag(help: "Print every diagnostic id with its meaning, as a Markdown table (docs/language.md has it).")
    var listIds = false

    func validate() throws {
        if recipes.isEmpty && !listIds { throw ValidationError("give at least one recipe file or bundled recipe name") }
    }

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() async throws {
        if listIds {
            print(DiagnosticCatalog.markdownTable, terminator: "")
            return
        }
        var failed = false
        var all: [Diagnostic] = []
        for recipe in recipes {
            if format == .json {
                let (diagnostics, ok) = quietCheck(recipe)
                all += diagnostics
                failed = failed || !ok
                continue
            }
            do {
                let checked = try CheckedRecipe.prepare(recipe, params: params, requireParams: params.givesValues,
                                                        strict: strict, command: "lint")
                let warnings = checked.diagnostics.filter { $0.severity == .warning }.count
                print("\(checked.program.file.name): ok" + (warnings == 0 ? "" : " (\(warnings) warning\(warnings == 1 ? "" : "s"))"))
            } catch {
                failed = true
            }
        }
        if format == .json { print(DiagnosticJSON.encode(all.cappedPerFile())) }
        throw failed ? ExitStatus.recipeError : ExitStatus.success
    }

    func quietCheck(_ recipe: String) -> ([Diagnostic], Bool) {
        guard case .success(let source) = RecipeSource.load(recipe), let program = source.program else {
            printError("error: cannot load `\(recipe)`\n")
            return ([], false)
        }
        let loaded: LoadedParams
        switch params.load() {
        case .success(let read): loaded = read
        case .failure(let error):
            printError("\(error)\n")
            return ([], false)
        }
        var checker = Checker(ops: Stdlib.all, inputs: loaded.inputs, requireParamValues: params.givesValues)
        let diagnostics = CheckedRecipe.diagnostics(of: source, program, name: recipe, loaded: loaded, params: params,
                                                    checker: &checker, strict: strict, command: "lint")
        return (diagnostics, !diagnostics.hasErrors)
    }
}

import Stdlib

/// Diagnostics as JSON: file, line, column, end, severity, id, message, hint.
enum DiagnosticJSON {
    struct Entry: Codable {
        var file: String
        var line: Int
        var column: Int
        var endLine: Int
        var endColumn: Int
        var severity: String
        var id: String
        var message: String
        var hint: String?
    }

    static func encode(_ diagnostics: [Diagnostic]) -> String {
        let entries = entries(diagnostics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(entries)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func entries(_ diagnostics: [Diagnostic]) -> [Entry] {
        diagnostics.map { diagnostic -> Entry in
            let start = diagnostic.span.startLocation, end = diagnostic.span.endLocation
            return Entry(file: diagnostic.span.file.name, line: start.line, column: start.column, endLine: end.line,
                         endColumn: end.column, severity: diagnostic.severity.rawValue, id: diagnostic.id,
                         message: diagnostic.message, hint: diagnostic.hint)
        }
    }
}
