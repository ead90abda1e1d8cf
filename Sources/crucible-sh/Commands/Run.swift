import ArgumentParser
import Foundation
import Interpreter
import Stdlib

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a recipe against its hosts.",
        discussion: """
            RECIPE is a path to a .crucible file or the name of a bundled recipe (see `crucible-sh recipes`). \
            Host params take [user@]address[:port], an ssh config alias, NAME=ADDRESS for a display name, \
            or `local`. Param values come from params files (--params, see `crucible-sh params`) and --set; \
            later files override earlier ones and --set overrides files. The recipe is checked first; on any error nothing is contacted (exit 2).
            """
    )

    @Argument(help: "Recipe file or bundled recipe name.")
    var recipe: String

    @OptionGroup var params: ParamOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .shortAndLong, help: "Dry run: show what would change (diffs, commands); change nothing.")
    var check = false

    @Flag(help: "Print the run report as JSON on standard output.")
    var json = false

    @Flag(help: "Show file diffs for changes in a real run too (check mode always shows them).")
    var diff = false

    @Flag(name: .customLong("no-backup"), help: "Do not keep FILE.crucible~ backups of replaced files.")
    var noBackup = false

    @Option(help: "How many hosts run at once.")
    var forks: Int = 32

    @Flag(name: .shortAndLong, help: "Show commands and their output.")
    var verbose = false

    func run() async throws {
        let checked = try CheckedRecipe.prepare(recipe, params: params)
        let transports = try TransportChoice.factory(connection)
        let showDiffs = check || diff || verbose
        let live = Terminal.stdoutIsTerminal && !json && !verbose ? LiveDisplay(showDiffs: showDiffs, color: Terminal.useColor) : nil
        let output: any RunObserver = live ?? ConsoleObserver(showDiffs: showDiffs, verbose: verbose, quiet: json,
                                                              color: Terminal.useColor && !json)
        let evaluator = Evaluator(ops: Stdlib.all, paramValues: checked.paramValues, transports: transports,
                                  options: RunOptions(checkMode: check, backups: !noBackup, forks: forks), observer: output)
        let report = await evaluator.run(checked.program)
        live?.finish()
        if json {
            print(ReportJSON.encode(report))
        } else {
            print(Recap.render(report, color: Terminal.useColor))
        }
        if let error = report.error { printError(error) }
        throw report.succeeded ? ExitStatus.success : ExitStatus.hostFailure
    }
}
