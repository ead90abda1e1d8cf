import Foundation
import TestSupport
import XCTest

/// `timeout:`, `--command-timeout` and Ctrl-C, as `crucible-sh run` does them against a
/// real host (a sandbox host over SSH): what matters is on the host afterwards. A command
/// that ran out of time, or was under way at Ctrl-C, is gone with every process it started
/// (closing the channel alone would leave `sleep` running), the op fails with a message
/// that says where, on which host, after how long and what to do, and Ctrl-C leaves no
/// lock behind.
final class CommandTimeoutCLITests: XCTestCase {
    var sandbox: Sandbox?
    var tmp: URL!
    let lockPath = "/var/lock/crucible"

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-timeout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        sandbox = try Sandbox.start(name: "timeout", hosts: [("c1", "rhel7")])
    }

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
        try? FileManager.default.removeItem(at: tmp)
    }

    func recipe(_ lines: [String]) throws -> String {
        let path = tmp.appendingPathComponent("recipe.crucible").path
        let body = lines.map { "  \($0)  # crucible: allow W-run-always" }.joined(separator: "\n")
        try "on \"c1\" {\n\(body)\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func arguments(_ recipe: String, _ extra: [String] = []) throws -> [String] {
        ["run", recipe, "--ssh-config", try XCTUnwrap(sandbox).sshConfig] + extra
    }

    /// A sleep no other test runs: its processes can be counted on the host.
    let seconds = 1_000_000 + Int.random(in: 0..<1_000_000)

    /// How many processes on c1 run `sleep SECONDS` (the bracket keeps grep from counting itself).
    func sleepers() throws -> Int {
        let digits = String(seconds)
        let pattern = "[s]leep \(digits)"
        let result = try XCTUnwrap(sandbox).exec("c1", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' 2>/dev/null <$f; echo; done | grep -c '\(pattern)'")
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func exists(_ path: String) throws -> Bool {
        try XCTUnwrap(sandbox).exec("c1", "test -e \(path)").status == 0
    }

    func waitForSleepers() throws {
        let end = Date(timeIntervalSinceNow: 30)
        while try sleepers() == 0 && Date() < end { usleep(100_000) }
    }

    func testACommandPastItsTimeoutIsStoppedOnTheHostWithEveryProcessItStarted() throws {
        let marker = "/tmp/crucible-timeout-\(seconds)"
        // A background sleep that ignores TERM, and one in the foreground: both must go.
        let path = try recipe([
            "run \"(trap '' TERM; sleep \(seconds)) & sleep \(seconds); touch \(marker)\" timeout: 2",
            "run \"touch \(marker).after\"",
        ])
        let (result, hung) = try BackgroundCrucible(arguments(path)).wait(limit: 120)
        XCTAssertFalse(hung, result.output)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("run at \(path):2:3"), result.output)
        XCTAssertTrue(result.output.contains("c1"), result.output)
        XCTAssertTrue(result.output.contains("did not finish within its timeout of 2 s"), result.output)
        XCTAssertTrue(result.output.contains("raise the op's `timeout:` (or --command-timeout)"), result.output)
        XCTAssertEqual(try sleepers(), 0, "every process of the command is gone from the host")
        XCTAssertFalse(try exists(marker), "the command did not go on after its sleep")
        XCTAssertFalse(try exists(marker + ".after"), "the host stopped at the failed op")
    }

    func testCommandTimeoutIsTheDefaultOfProbeAndRunAndAnOpsTimeoutOverridesIt() throws {
        let path = try recipe([
            "run \"sleep 3; echo slow but in time\" timeout: 30",
            "let p = probe \"sleep \(seconds)\"",
        ])
        let (result, hung) = try BackgroundCrucible(arguments(path, ["--command-timeout", "2"])).wait(limit: 120)
        XCTAssertFalse(hung, result.output)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("probe at \(path):3:11"), result.output)
        XCTAssertTrue(result.output.contains("c1: probe sleep \(seconds) did not finish within its timeout of 2 s"), result.output)
        XCTAssertFalse(result.output.contains("run sleep 3"), "the run with its own longer timeout finished: \(result.output)")
        XCTAssertEqual(try sleepers(), 0)
    }

    func testCtrlCStopsTheRemoteCommandReleasesTheLockAndSaysWhatChanged() throws {
        let marker = "/tmp/crucible-interrupt-\(seconds)"
        let path = try recipe([
            "file \"\(marker).before\" content: \"done\\n\"",
            "run \"sleep \(seconds); touch \(marker)\"",
            "run \"touch \(marker).after\"",
        ])
        let run = try BackgroundCrucible(arguments(path))
        try waitForSleepers()
        XCTAssertGreaterThan(try sleepers(), 0, "the command is under way")
        run.interrupt()
        let (result, hung) = run.wait(limit: 60)
        XCTAssertFalse(hung, result.output)
        XCTAssertEqual(result.status, 130, result.output)
        XCTAssertTrue(result.output.contains("INTERRUPTED (Ctrl-C)"), result.output)
        XCTAssertTrue(result.output.contains("c1: interrupted at \(path):3:3; changed: file at \(path):2:3"), result.output)
        XCTAssertEqual(try sleepers(), 0, "the remote sleep is gone")
        XCTAssertFalse(try exists(marker))
        XCTAssertFalse(try exists(marker + ".after"), "no op started after Ctrl-C")
        XCTAssertTrue(try exists(marker + ".before"))
        XCTAssertFalse(try XCTUnwrap(sandbox).exec("c1", "test -e \(lockPath)/lock").status == 0, "the lock was released")
        // The lock is free at once: a run that would fail rather than wait gets it.
        let second = try CrucibleProcess.run(arguments(try recipe(["run \"true\""]), ["--no-wait"]))
        XCTAssertEqual(second.status, 0, second.output)
    }
}
