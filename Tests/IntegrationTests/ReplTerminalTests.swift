import Foundation
import XCTest

/// The REPL in a real terminal (tmux): prompt, ops with diffs, a multi-line block with its
/// continuation prompt, Up-arrow history, Tab completion, errors and Ctrl-C that keep the
/// session, and check mode that shows a diff and writes nothing.
final class ReplTerminalTests: XCTestCase {
    var tmp: URL!
    var terminal: ReplTerminal!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-repl-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        terminal = try ReplTerminal(home: tmp)
        try terminal.waitForPrompt()
    }

    override func tearDownWithError() throws {
        terminal?.close()
        try? FileManager.default.removeItem(at: tmp)
    }

    func seed(_ name: String, _ text: String) throws -> String {
        let path = tmp.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func testPromptShowsTheHostAndAnOpPrintsItsDiff() throws {
        let path = try seed("hosts", "127.0.0.1 localhost\n")
        XCTAssertTrue(try terminal.screen().contains("on local. `:help` for help"))
        try terminal.typeLine(#"ensure-line "\#(path)" "10.0.0.2 c1""#)
        let screen = try terminal.waitForText("+10.0.0.2 c1")
        XCTAssertTrue(screen.contains("changed ensure-line"), screen)
        XCTAssertTrue(screen.contains("--- \(path)\n+++ \(path)"), screen)
        XCTAssertEqual(try contents(path), "127.0.0.1 localhost\n10.0.0.2 c1\n")
        try terminal.waitForPrompt()
        try terminal.typeLine(#"ensure-line "\#(path)" "10.0.0.2 c1""#)
        try terminal.waitForText("ok ensure-line")
    }

    func testCheckModeShowsTheDiffAndChangesNothing() throws {
        let path = try seed("exports", "/srv *(ro)\n")
        try terminal.typeLine(":check on")
        try terminal.waitForText("check mode on")
        try terminal.waitForPrompt("crucible@local[check]>")
        try terminal.typeLine(#"ensure-line "\#(path)" "/var/lib/nova/instances *(rw,sync)""#)
        let screen = try terminal.waitForText("+/var/lib/nova/instances *(rw,sync)")
        XCTAssertTrue(screen.contains("changed ensure-line (check mode: not applied)"), screen)
        try terminal.waitForPrompt("crucible@local[check]>")
        XCTAssertEqual(try contents(path), "/srv *(ro)\n", "check mode wrote nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".crucible~"), "and made no backup")
        try terminal.typeLine(":check off")
        try terminal.waitForPrompt()
    }

    func testAMultiLineBlockContinuesWithItsOwnPrompt() throws {
        try terminal.typeLine("let nodes = [\"c1\", \"c2\"]")
        try terminal.waitForPrompt()
        try terminal.typeLine("for node in nodes {")
        try terminal.waitFor("the continuation prompt") { $0.hasSuffix("...>") }
        try terminal.typeLine(#"  log("node ${node}")"#)
        try terminal.waitFor("the continuation prompt again") { $0.components(separatedBy: "...>").count - 1 == 2 }
        XCTAssertFalse(try terminal.screen().contains("node c1"), "nothing runs before the block is closed")
        try terminal.typeLine("}")
        let screen = try terminal.waitForText("node c2")
        XCTAssertTrue(screen.contains("node c1\nnode c2"), screen)
        try terminal.waitForPrompt()
    }

    func testUpArrowRecallsTheLastEntryAndHistoryIsSaved() throws {
        try terminal.typeLine(#""recall" + "-me""#)
        try terminal.waitForText(#""recall-me""#)
        try terminal.waitForPrompt()
        try terminal.press("Up")
        try terminal.waitFor("the recalled line") { $0.hasSuffix(#"crucible@local> "recall" + "-me""#) }
        try terminal.press("Enter")
        try terminal.waitForText(#""recall-me""#, count: 2)
        try terminal.waitForPrompt()
        try terminal.press("C-d")
        let history = tmp.appendingPathComponent(".crucible_history").path
        terminal.poll("Ctrl-D to end the REPL") { !terminal.isRunning }
        XCTAssertTrue(FileManager.default.fileExists(atPath: history), "the history was saved")
        let saved = try contents(history)
        XCTAssertTrue(saved.contains("recall"), saved)
    }

    func testAMultiLineEntryIsOneHistoryItem() throws {
        try terminal.typeLine("for n in [1, 2] {")
        try terminal.typeLine(#"  log("n ${n}")"#)
        try terminal.typeLine("}")
        try terminal.waitForText("n 2")
        try terminal.waitForPrompt()
        try terminal.press("Up")
        try terminal.waitFor("the whole entry recalled") { $0.hasSuffix("crucible@local> for n in [1, 2] {\n  log(\"n ${n}\")\n}") }
        try terminal.press("Enter")
        try terminal.waitForText("n 2", count: 2)
        try terminal.waitForPrompt()
        try terminal.press("C-d")
        terminal.poll("Ctrl-D to end the REPL") { !terminal.isRunning }
        let history = try contents(tmp.appendingPathComponent(".crucible_history").path)
        XCTAssertEqual(history.components(separatedBy: "\n").filter { $0.hasPrefix("for") }.count, 2, "one line per entry: \(history)")
    }

    func testTabCompletesOpNamesAndParameterNames() throws {
        let path = try seed("conf", "a=1\n")
        try terminal.type("ensure-li")
        try terminal.press("Tab")
        try terminal.waitFor("the completed op name") { $0.hasSuffix("crucible@local> ensure-line") }
        try terminal.type(#""\#(path)" "b=2" cre"#)
        try terminal.press("Tab")
        try terminal.waitFor("the completed parameter name") { $0.hasSuffix(#""b=2" create:"#) }
        try terminal.typeLine(" false")
        try terminal.waitForText("+b=2")
        XCTAssertEqual(try contents(path), "a=1\nb=2\n", "the completed text ran as typed")
        try terminal.waitForPrompt()

        try terminal.type(":conn")
        try terminal.press("Tab")
        try terminal.waitFor("the completed meta-command") { $0.hasSuffix("crucible@local> :connect") }
        try terminal.type("loc")
        try terminal.press("Tab")
        try terminal.waitFor("the completed host") { $0.hasSuffix("crucible@local> :connect local") }
        try terminal.press("Enter")
        try terminal.waitForText("connected to local")
    }

    func testASyntaxErrorThenAWorkingEntry() throws {
        try terminal.typeLine("let = 3")
        let screen = try terminal.waitForText("error: expected a name after `let`")
        XCTAssertTrue(screen.contains(" 1 | let = 3"), screen)
        try terminal.waitForPrompt()
        try terminal.typeLine("40 + 2")
        try terminal.waitFor("the value") { $0.hasSuffix("40 + 2\n42\ncrucible@local>") }
    }

    func testCtrlCAbandonsTheLineAndInterruptsTheRunningOpButNotTheREPL() throws {
        let path = try seed("conf", "a=1\n")
        try terminal.type(#"ensure-line "\#(path)" "never""#)
        try terminal.press("C-c")
        try terminal.waitForPrompt()
        XCTAssertEqual(try contents(path), "a=1\n", "the abandoned line did not run")

        let marker = "sleep 36.\(Int.random(in: 100...999))"
        try terminal.typeLine(#"run("\#(marker)"); ensure-line "\#(path)" "after""#)
        waitForProcess(marker)
        try terminal.press("C-c")
        try terminal.waitForText("interrupted")
        terminal.poll("the interrupted command to end") { pids(running: marker).isEmpty }
        try terminal.waitForPrompt()
        try terminal.typeLine("6 * 7")
        try terminal.waitFor("the value after the interrupt") { $0.hasSuffix("6 * 7\n42\ncrucible@local>") }
        XCTAssertEqual(try contents(path), "a=1\n", "the op after the interrupted one never ran")
        killProcesses(marker)
    }

    // MARK: - Processes

    func pids(running command: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.joined(separator: " ") == command
        }
    }

    func waitForProcess(_ command: String) {
        terminal.poll("`\(command)` to start") { !pids(running: command).isEmpty }
    }

    /// Cleanup if the interrupt failed to end the command (the test has failed then).
    func killProcesses(_ command: String) {
        for pid in pids(running: command) { kill(pid, SIGTERM) }
    }
}
