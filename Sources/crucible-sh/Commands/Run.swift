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

    @Argument(help: "Recipe file or bundled recipe name.", completion: Completions.recipe)
    var recipe: String

    @OptionGroup var params: ParamOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var color: ColorOption

    @Flag(name: .shortAndLong, help: "Dry run: show what would change (diffs, commands); change nothing.")
    var check = false

    @Flag(help: "Exit with status 3 when every host succeeded and something changed (with --check: would change, or check mode could not tell), so cron and CI can detect drift; 0 then means nothing changed.")
    var detailedExitcode = false

    @Flag(help: "Print the run report as JSON on standard output (docs/json.md); progress goes to standard error.")
    var json = false

    @Flag(help: "Show file diffs for changes in a real run too (check mode always shows them).")
    var diff = false

    @Flag(name: .customLong("no-backup"), help: "Do not keep FILE.crucible~ backups of replaced files.")
    var noBackup = false

    @Flag(help: "On a host where an op fails, restore every file this run changed there.")
    var rollbackOnFailure = false

    @Flag(name: .customLong("no-wait"), help: "Fail a host at once when another crucible run holds its lock, instead of waiting.")
    var noWait = false

    @Option(help: ArgumentHelp("The private directory (made 0700) holding each host's lock and follow-ups journal.", valueName: "DIR"))
    var lockPath: String = HostLock.defaultPath

    @Option(help: .hidden)
    var lockStaleAfter: Int = 60

    @Option(help: ArgumentHelp("Stop a recipe's own command (`run`, its `unless`, `probe`) on the host, with every process it started, after SECONDS, and fail its op; an op's `timeout:` overrides it (default: no limit).", valueName: "SECONDS"))
    var commandTimeout: Int?

    @Option(help: "How many hosts run at once.")
    var forks: Int = 32

    @Option(help: ArgumentHelp("Run the `on` blocks only on these hosts (as the recipe names them: display name, alias or address; comma-separated or repeated). Facts of the other hosts are still read where the recipe asks for them, without locking or changing them.", valueName: "NAME,..."))
    var limit: [String] = []

    @Flag(name: .customLong("no-verify"), help: "Skip the recipe's `verify on` blocks.")
    var noVerify = false

    @Flag(help: "Run only the recipe's preflight and `verify on` blocks: check the hosts, change nothing.")
    var verifyOnly = false

    @Flag(name: .shortAndLong, help: "Show every op (with why it had nothing to do), the commands of each change and what each printed.")
    var verbose = false

    func validate() throws {
        if noVerify && verifyOnly { throw ValidationError("--no-verify and --verify-only contradict each other: give one") }
        if check && verifyOnly { throw ValidationError("--verify-only already changes nothing; drop --check") }
        if let seconds = commandTimeout, let problem = CommandTimeout.problem(seconds) {
            throw ValidationError("--command-timeout \(seconds): \(problem); give seconds from 1 to \(CommandTimeout.maximum), or leave it out for no limit")
        }
    }

    func run() async throws {
        let checked: CheckedRecipe
        do {
            checked = try CheckedRecipe.prepare(recipe, params: params, command: "run")
        } catch let rejected as CheckedRecipe.Rejected {
            if json { print(ReportJSON.error(kind: "recipe", message: rejected.message, diagnostics: rejected.diagnostics)) }
            throw rejected
        }
        let transports = try TransportChoice.factory(connection)
        printHeader(checked)
        let showDiffs = check || diff || verbose
        let live = Terminal.stdoutIsTerminal && !json && !verbose ? LiveDisplay(showDiffs: showDiffs, color: Terminal.useColor) : nil
        let output: any RunObserver = live ?? ConsoleObserver(showDiffs: showDiffs, verbose: verbose, quiet: json,
                                                              color: Terminal.useColor && !json)
        var runOptions = RunOptions(checkMode: check, backups: !noBackup, forks: forks, rollbackOnFailure: rollbackOnFailure)
        runOptions.waitForLock = !noWait
        runOptions.lockPath = lockPath
        runOptions.lockStaleAfter = lockStaleAfter
        runOptions.commandTimeout = commandTimeout
        if !limit.isEmpty {
            runOptions.limit = Set(limit.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        runOptions.verify = verifyOnly ? .only : noVerify ? .skip : .afterChanges
        let evaluator = Evaluator(ops: Stdlib.all, paramValues: checked.paramValues, transports: transports,
                                  options: runOptions, observer: output)
        // The run is a task of its own so that Ctrl-C can cancel it (RunInterrupt): no op
        // starts after that, commands under way are stopped on their hosts, and the run
        // still releases every lock it holds and reports.
        let running = Task { await evaluator.run(checked.program) }
        RunInterrupt.install {
            printError("\ninterrupted: stopping the commands under way and releasing the hosts' locks (Ctrl-C again to quit at once)\n")
            running.cancel()
        }
        let report = await running.value
        live?.finish()
        if json {
            print(ReportJSON.encode(report, warnings: checked.warnings + headerWarnings))
        } else {
            print(Recap.render(report, color: Terminal.useColor, columns: Terminal.columns))
        }
        if let error = report.error { printError(TerminalText.visible(error)) }
        if RunInterrupt.happened {
            printError(InterruptSummary.render(report) + "\n")
            throw ExitStatus.interrupted
        }
        guard report.succeeded else { throw ExitStatus.hostFailure }
        throw detailedExitcode && report.hasChanges ? ExitStatus.changes : ExitStatus.success
    }

    /// Says what is about to happen, and every way host-key checking was loosened, so it
    /// cannot be weakened silently.
    func printHeader(_ checked: CheckedRecipe) {
        var lines = ["crucible-sh \(Crucible.version): \(checked.program.file.name)\(check ? " (check mode: nothing will be changed)" : "")"]
        lines += headerWarnings.map { "warning: \($0)" }
        if let file = connection.knownHosts { lines.append("host keys checked against \(file)") }
        let text = lines.joined(separator: "\n") + "\n"
        if json { printError(text) } else { print(text, terminator: "") }
    }

    var headerWarnings: [String] {
        connection.acceptNewHostKeys ? ["--accept-new-host-keys: keys of hosts not in known_hosts are recorded without verification"] : []
    }
}
