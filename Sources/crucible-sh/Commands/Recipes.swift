import ArgumentParser
import Interpreter

struct Recipes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the recipes bundled in crucible-sh, or print one to fork it.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List bundled recipes.")
        func run() {
            for (name, text) in BundledRecipes.all {
                let summary = text.split(separator: "\n").first { $0.hasPrefix("#") }.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) } ?? ""
                print("\(name)  \(summary)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a bundled recipe's source (redirect it to a file to fork it).")
        @Argument(help: "Bundled recipe name.", completion: Completions.bundledRecipes) var name: String
        func run() throws {
            guard let text = BundledRecipes.text(named: name) else {
                let hint = Suggestions.hint(for: name, in: BundledRecipes.names).map { "; \($0)" } ?? ""
                printError("error: no bundled recipe `\(name)`\(hint)\nbundled recipes: \(BundledRecipes.names.joined(separator: ", "))\n")
                throw ExitStatus.recipeError
            }
            print(text, terminator: "")
        }
    }
}
