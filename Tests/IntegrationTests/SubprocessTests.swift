import TestSupport
import XCTest

/// The posix_spawn runner the sandbox uses instead of Foundation's Process (see Subprocess).
final class SubprocessTests: XCTestCase {
    func testExitStatusAndBothStreamsInOrder() throws {
        let outcome = try Subprocess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(outcome, Subprocess.Outcome(status: 3, output: "out\nerr\n"))
    }

    func testKilledProgramReportsTheSignalLikeAShell() throws {
        XCTAssertEqual(try Subprocess.run("/bin/sh", ["-c", "kill -TERM $$"]).status, 128 + 15)
    }

    func testStdinIsEmpty() throws {
        XCTAssertEqual(try Subprocess.run("/bin/cat", []), Subprocess.Outcome(status: 0, output: ""))
    }

    func testBackgroundChildWithoutOurPipeDoesNotHoldUsUp() throws {
        let outcome = try Subprocess.run("/bin/sh", ["-c", "sleep 30 </dev/null >/dev/null 2>&1 & echo $!"])
        XCTAssertEqual(outcome.status, 0)
        if let pid = Int32(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGTERM) }
    }

    func testMissingProgramThrows() {
        XCTAssertThrowsError(try Subprocess.run("/nonexistent/program", []))
    }
}
