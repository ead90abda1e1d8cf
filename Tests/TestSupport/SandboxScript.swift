import Foundation

/// Runs scripts/sandbox from this checkout, found from this file's own path, so the tests work
/// from any working directory.
enum SandboxScript {
    /// The repository root: this file is Tests/TestSupport/SandboxScript.swift.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static var path: String { repositoryRoot.appendingPathComponent("scripts/sandbox").path }

    /// Runs the script and waits for it. Background processes the script starts (sshd and the
    /// namespace holders) do not keep our pipe open, so reading to the end returns when it exits.
    static func run(_ arguments: [String]) throws -> Subprocess.Outcome {
        try Subprocess.run(path, arguments)
    }

    /// Runs the script and throws with its output when it fails.
    @discardableResult
    static func runChecked(_ arguments: [String]) throws -> String {
        let outcome = try run(arguments)
        guard outcome.status == 0 else {
            throw SandboxError.script(arguments: arguments, status: outcome.status, output: outcome.output)
        }
        return outcome.output
    }
}
