import Foundation
import XCTest

/// `crucible-sh run` on a terminal (tmux): the live line of each host, cut to the terminal's
/// width, counting ops as they are decided, timing the batch that runs, redrawn at the new
/// width on a resize; when the run ends it is gone and the transcript is what a CI log shows.
final class LiveDisplayTests: XCTestCase {
    var tmp: URL!
    var terminal: ReplTerminal?

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        terminal?.close()
        try? FileManager.default.removeItem(at: tmp)
    }

    /// Starts the run of a recipe that writes a file, waits in a batch until the test
    /// creates `go`, then fails a command.
    func start(width: Int) throws -> ReplTerminal {
        let recipe = tmp.appendingPathComponent("live.crucible").path
        let go = tmp.appendingPathComponent("go").path
        try """
            on "local" {
              ensure-line "\(tmp.path)/conf" "a = 1" create: true
              run "while [ ! -e \(go) ]; do sleep 0.1; done" # crucible: allow W-run-always
              log("went")
              run "echo cannot; exit 4" # crucible: allow W-run-always
            }
            """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let terminal = try ReplTerminal(home: tmp, arguments: ["run", recipe, "--lock-path", tmp.appendingPathComponent("lock").path],
                                        width: width, height: 30, keepOpen: true)
        self.terminal = terminal
        return terminal
    }

    func go() throws {
        try "".write(toFile: tmp.appendingPathComponent("go").path, atomically: true, encoding: .utf8)
    }

    /// What the run leaves on a terminal of `width` columns after its header, the test's
    /// directory written `<TMP>` (the recap's summary line is cut before that replacement).
    func transcript(width: Int) -> String {
        """
        [local] changed ensure-line (<TMP>/live.crucible:2:3)
        [local] changed run (<TMP>/live.crucible:3:3)
        [local] went
        [local] failed  run (<TMP>/live.crucible:5:3)
            $ echo cannot; exit 4
            exit status 4
            stdout:
              cannot
        RECAP
        host     ok  changed  failed  unreachable
        local     0        2       1            0
        \("  " + String(("run at " + tmp.path).prefix(width - 4)) + "…")
        [exit 1]
        """
    }

    func screen(_ terminal: ReplTerminal) throws -> String {
        try terminal.waitForText("[exit 1]").replacingOccurrences(of: tmp.path, with: "<TMP>")
    }

    func testOnANarrowTerminalTheLiveLineIsCutAndTheTranscriptIsWhole() throws {
        let terminal = try start(width: 40)
        // Every op is decided (3 done: the log line does not wait for anything) while the
        // batch with the waiting command runs; the line is cut at 38 columns.
        let live = try terminal.waitFor("the batch") { $0.hasSuffix("applying 3 changes 1") }
        XCTAssertEqual(live.split(separator: "\n").last, "~ local    3 done  applying 3 changes 1")
        try go()
        XCTAssertEqual(try screen(terminal), "crucible-sh 0.1.0: <TMP>/live.crucible\n" + transcript(width: 40))
    }

    func testAResizeRedrawsTheLiveLineAtTheNewWidth() throws {
        let terminal = try start(width: 30)
        try terminal.waitFor("the batch at 30 columns") { $0.hasSuffix("~ local    3 done  applying 3") }
        try terminal.tmux(["resize-window", "-t", terminal.name, "-x", "60"])
        try terminal.waitFor("the line redrawn at 60 columns") { $0.range(of: #"~ local    3 done  applying 3 changes \d+s$"#, options: .regularExpression) != nil }
        try go()
        let screen = try terminal.waitForText("[exit 1]")
        XCTAssertFalse(screen.contains("done  applying"), "the live line is gone once the run is over:\n\(screen)")
        XCTAssertTrue(screen.contains("RECAP\nhost     ok  changed  failed  unreachable\nlocal     0        2       1            0\n"), screen)
    }

    func testANarrowerTerminalGetsTheLineCutAgainAndLosesNoOutput() throws {
        let terminal = try start(width: 60)
        try terminal.waitFor("the batch at 60 columns") { $0.range(of: #"~ local    3 done  applying 3 changes \d+s$"#, options: .regularExpression) != nil }
        try terminal.tmux(["resize-window", "-t", terminal.name, "-x", "30"])
        try terminal.waitFor("the line cut at 30 columns") { $0.hasSuffix("\n~ local    3 done  applying 3") }
        try go()
        let text = try screen(terminal)
        XCTAssertTrue(text.hasSuffix(transcript(width: 30)), text)
    }
}
