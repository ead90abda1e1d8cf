import ArgumentParser
import Interpreter

/// `crucible-sh params RECIPE`: the first step of the params-file workflow (generate, edit,
/// lint, run --check, run), as the original tool's `--gen-only` was.
struct Params: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a params file for a recipe: every param with its doc, type and default, ready to edit.",
        discussion: """
            The file uses the recipe language's own `name = value` syntax with `#` comments; give it back \
            with `run --params FILE` or `lint --params FILE`. Values given with --set (or read from earlier \
            --params files, to bring an old file up to date with the recipe) are written instead of the \
            defaults. A required param without a value is written as `NAME = required`, which lint and run \
            report until it is replaced. See docs/params.md.
            """
    )

    @Argument(help: "Recipe file or bundled recipe name.", completion: Completions.recipe)
    var recipe: String

    @OptionGroup var params: ParamOptions

    func run() async throws {
        // The params file is about values: the recipe's warnings are for lint and run.
        let checked = try CheckedRecipe.prepare(recipe, params: params, requireParams: false, showWarnings: false,
                                                command: "params")
        let entries = checked.declaredParams.map { decl in
            let name = decl.name.name
            let given = checked.paramValues[name].map { value in (value: value, from: Self.origin(of: name, in: checked.inputs)) }
            return ParamsFileWriter.Entry(decl: decl, type: checked.paramTypes[name] ?? .any, given: given)
        }
        print(ParamsFileWriter(recipe: recipe, entries: entries).render(), terminator: "")
    }

    /// Where the value that won came from: `--set` or a params file's name.
    static func origin(of name: String, in inputs: [ParamInput]) -> String {
        guard let input = inputs.last(where: { $0.name == name && $0.gap == nil }) else { return "--set" }
        switch input.origin {
        case .commandLine: return "--set"
        case .file(let span): return span.file.name
        }
    }
}
