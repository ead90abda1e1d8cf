import DSL
import Foundation

/// A params file given where a recipe is expected (`lint site.params`): said in one error
/// that shows the command that checks it, instead of one "not defined" error per line.
enum ParamsFileGuess {
    /// The error, when `program` (loaded from `name`) is a params file: it is named `.params`,
    /// or every statement in it gives a param a value (`name = value`).
    static func diagnostic(_ program: Program, name: String, command: String) -> Diagnostic? {
        let assigned = program.statements.compactMap { statement -> String? in
            if case .assign(let target, _, _) = statement { return target.name }
            return nil
        }
        let looksLikeOne = name.hasSuffix(".params") || (!assigned.isEmpty && assigned.count == program.statements.count)
        guard looksLikeOne else { return nil }
        let recipe = recipeNamed(in: program.file.text) ?? bundledRecipe(declaring: assigned) ?? "RECIPE"
        return Diagnostic(
            id: "E-not-recipe", span: Span(file: program.file, start: 0, end: 0),
            message: "`\(name)` is a params file, not a recipe: it gives values to a recipe's params",
            hint: "give it to the recipe it is for: `crucible-sh \(command) \(recipe) --params \(name)`")
    }

    /// The recipe a params file's comments name (`crucible-sh run live-migration --params ...`,
    /// as the header `crucible-sh params` writes has).
    static func recipeNamed(in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("#") {
            let words = line.split(separator: " ")
            guard let at = words.firstIndex(of: "crucible-sh"), at + 3 < words.count,
                  ["lint", "run"].contains(words[at + 1]), words[at + 3] == "--params" else { continue }
            return String(words[at + 2])
        }
        return nil
    }

    /// The one bundled recipe that declares every param the file sets.
    static func bundledRecipe(declaring names: [String]) -> String? {
        guard !names.isEmpty else { return nil }
        let fitting = BundledRecipes.all.filter { recipe in
            let (program, _) = Parser.parse(SourceFile(name: recipe.name, text: recipe.text))
            let declared = Set(program.statements.compactMap { statement -> String? in
                if case .param(let decl) = statement { return decl.name.name }
                return nil
            })
            return names.allSatisfy(declared.contains)
        }
        return fitting.count == 1 ? fitting[0].name : nil
    }
}
