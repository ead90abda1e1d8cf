import Foundation
import Interpreter
import XCTest

/// `crucible-sh repl` running in a real terminal: a tmux session of its own, driven with
/// `send-keys` and read with `capture-pane`. Waits poll the screen up to a bound; no test
/// sleeps for a fixed time.
final class ReplTerminal {
    let name: String
    let home: URL

    /// `keepOpen`: when crucible-sh exits, the pane prints `[exit STATUS]` and stays, so a
    /// finished `run` can be read.
    init(home: URL, arguments: [String] = ["repl", "local"], width: Int = 150, height: Int = 60, keepOpen: Bool = false) throws {
        self.name = "crucible-repl-\(UUID().uuidString.prefix(8))"
        self.home = home
        var command = ShellQuote.command(["env", "HOME=\(home.path)", "NO_COLOR=1", "TERM=xterm", CrucibleProcess.binary] + arguments)
        if keepOpen { command += "; echo \"[exit $?]\"; sleep 600" }
        try tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), command])
    }

    /// Ends the terminal's own tmux server (a socket of its own: other tmux users are untouched).
    func close() {
        _ = try? tmux(["kill-server"])
    }

    /// Types text literally (no key names interpreted).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
    }

    /// Presses keys by tmux name: Enter, Tab, Up, C-c, C-d.
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    func typeLine(_ text: String) throws {
        try type(text)
        try press("Enter")
    }

    /// The whole screen and its scrollback, trailing blank lines dropped.
    func screen() throws -> String {
        let text = try tmux(["capture-pane", "-p", "-J", "-S", "-2000", "-t", name])
        return text.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }

    /// The last non-blank line (where the cursor's line usually is).
    func lastLine() throws -> String {
        try screen().split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Polls the screen until `condition` holds; fails the test with the screen if it
    /// does not within `seconds`.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 20, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = try screen()
        while !condition(text) {
            if Date() > deadline {
                XCTFail("timed out waiting for \(what); the screen:\n\(text)", file: file, line: line)
                return text
            }
            Thread.sleep(forTimeInterval: 0.05)
            text = try screen()
        }
        return text
    }

    /// Polls a condition that is not about the screen (a file, a process), with the same bound.
    func poll(_ what: String, seconds: Double = 20, file: StaticString = #filePath, line: UInt = #line,
              _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return XCTFail("timed out waiting for \(what)", file: file, line: line) }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Whether the REPL still runs (its tmux session ends when it exits).
    var isRunning: Bool { (try? tmux(["has-session", "-t", name])) != nil }

    /// Waits until the screen shows `text` `count` times.
    @discardableResult
    func waitForText(_ text: String, count: Int = 1, seconds: Double = 20,
                     file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try waitFor("`\(text)` \(count)x", seconds: seconds, file: file, line: line) {
            $0.components(separatedBy: text).count - 1 >= count
        }
    }

    /// Waits until the last line is an empty prompt (the REPL is ready for input);
    /// capture-pane drops the prompt's trailing space.
    func waitForPrompt(_ prompt: String = "crucible@local>", file: StaticString = #filePath, line: UInt = #line) throws {
        try waitFor("the prompt `\(prompt)`", file: file, line: line) {
            ($0.split(separator: "\n").last.map(String.init) ?? "") == prompt
        }
    }

    /// Runs tmux on the terminal's own socket and returns its output. Spawned and reaped
    /// here (posix_spawn, waitpid), its output sent to a file: the server that new-session
    /// starts would keep a pipe open for ever.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let argv = ["/usr/bin/tmux", "-L", name, "-f", "/dev/null"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure(message: "cannot start tmux: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        guard status == 0 else { throw Failure(message: "tmux \(arguments.joined(separator: " ")) (status \(status)): \(text)") }
        return text
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
