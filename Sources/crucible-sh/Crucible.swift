import ArgumentParser
import Foundation

/// `crucible-sh`: runs recipes against hosts over SSH (or locally), checks them, and
/// documents the built-in operations.
@main
struct Crucible: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "crucible-sh",
        abstract: "Configure Linux hosts over SSH with checked, idempotent recipes.",
        discussion: """
            Exit status: 0 when everything succeeded, 1 when an op failed on some host (or a host \
            was unreachable), 2 for a recipe or usage error (then no host was contacted).
            """,
        version: "crucible-sh \(version)",
        subcommands: [Run.self, Lint.self, Params.self, Ops.self, Recipes.self, Repl.self, Fmt.self, Manual.self]
    )

    /// Runs the command and maps errors to crucible's exit statuses (usage errors are 2).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitStatus {
            Foundation.exit(exit.code)
        } catch is CheckedRecipe.Rejected {
            Foundation.exit(ExitStatus.recipeError.code)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            // A usage error of a command asked for JSON is told in JSON too, on stdout.
            if CommandLine.arguments.contains("--json") {
                print(ReportJSON.error(kind: "usage", message: message.trimmed))
            }
            Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}

/// Thrown by commands to end with a given exit status after printing their own output.
struct ExitStatus: Error {
    let code: Int32
    static let success = ExitStatus(code: 0)
    static let hostFailure = ExitStatus(code: 1)
    static let recipeError = ExitStatus(code: 2)
    /// Ctrl-C ended the run (128 + SIGINT, as shells report it).
    static let interrupted = ExitStatus(code: 130)
    /// `run --detailed-exitcode`: the run succeeded and changed (or would change) something.
    static let changes = ExitStatus(code: 3)
}
