import Foundation
import Interpreter

/// A fake transport that answers commands from a script of canned outputs and records
/// every command it was given. It stands in ONLY for what this machine cannot run: systemd
/// (`systemctl`; PID 1 here is not systemd), firewalld, SELinux tools and SysV init
/// scripts. Tests of everything else use real processes.
final class ScriptedTransport: Transport, @unchecked Sendable {
    /// Answers a command: the first rule whose fragment the command contains wins;
    /// commands no rule matches get exit status 127, as a missing program would.
    struct Rule {
        var fragment: String
        var result: CommandResult
    }

    let target = HostTarget(address: "scripted")
    private let lock = NSLock()
    private var rules: [Rule]
    private var commands: [String] = []

    init(_ rules: [(String, String, Int32)] = []) {
        self.rules = rules.map { Rule(fragment: $0.0, result: CommandResult(stdout: Array($0.1.utf8), stderr: [], status: $0.2)) }
    }

    /// Every command run, in order.
    var recorded: [String] {
        lock.lock(); defer { lock.unlock() }
        return commands
    }

    func connect() async throws {}

    func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        answer(command)
    }

    private func answer(_ command: String) -> CommandResult {
        lock.lock(); defer { lock.unlock() }
        commands.append(command)
        if let rule = rules.first(where: { command.contains($0.fragment) }) { return rule.result }
        return CommandResult(stdout: [], stderr: Array("sh: not found\n".utf8), status: 127)
    }

    func readFile(_ path: String) async throws -> [UInt8]? { nil }
    func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {}
    func stats() -> TransportStats { TransportStats() }
    func close() async {}
}
