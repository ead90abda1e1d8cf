import ArgumentParser
import Foundation
import Interpreter
import SSH
import Stdlib

struct Repl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Try ops and recipe code interactively on one host.",
        discussion: """
            Connects once to HOST ([user@]address[:port], an ssh config alias, or `local`) with the same \
            authentication and host-key rules as `run`, then runs each entry as if inside `on HOST { ... }`: \
            ops print ok/changed and their diff, expressions print their value, `let` names persist. \
            `:help` lists the meta-commands. When standard input is not a terminal, lines are read without \
            prompts and the exit status is 1 if any entry failed. History: ~/.crucible_history.
            """
    )

    @Argument(help: "The host: [user@]address[:port], an ssh config alias, NAME=ADDRESS, or `local`.", completion: Completions.host)
    var host: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var color: ColorOption

    @Flag(name: .shortAndLong, help: "Start in check mode (dry run): show diffs, change nothing.")
    var check = false

    @Option(help: ArgumentHelp("History file (default ~/.crucible_history).", valueName: "FILE"), completion: .file())
    var history: String?

    func validate() throws {
        if case .failure(let error) = ParamConversion.host(host) { throw ValidationError(error.description) }
    }

    func run() async throws {
        guard case .success(let target) = ParamConversion.host(host) else { throw ExitStatus.recipeError }
        let output = ReplOutput(color: Terminal.useColor)
        let observer = ReplObserver(output: output, host: target)
        let session = InteractiveSession(target: target, ops: Stdlib.all, transports: try TransportChoice.factory(connection),
                              checkMode: check, observer: observer)
        do {
            try await session.connect()
        } catch {
            printError(TerminalText.visible("error: cannot connect to \(target.description): \(error)\n"))
            throw ExitStatus.hostFailure
        }
        InterruptSignal.install()
        let input: any LineSource = Terminal.stdinIsTerminal
            ? LineEditor(historyPath: historyPath, completer: completer(for: session))
            : PipedLines()
        let loop = ReplLoop(session: session, input: input, output: output, observer: observer, sshConfig: sshConfig)
        await loop.run()
        await session.close()
        throw !input.isInteractive && loop.failures > 0 ? ExitStatus.hostFailure : ExitStatus.success
    }

    var home: String { ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory() }

    var historyPath: String { history ?? home + "/.crucible_history" }

    var sshConfig: SSHConfig { SSHConfig(path: connection.sshConfig ?? home + "/.ssh/config") }

    func completer(for session: InteractiveSession) -> Completer {
        let aliases = sshConfig.aliases
        return Completer(ops: Stdlib.all, names: { session.names }, hosts: { ["local"] + aliases })
    }
}
