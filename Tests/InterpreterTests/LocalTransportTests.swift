import Foundation
import Interpreter
import XCTest

/// The local transport on real processes.
final class LocalTransportTests: XCTestCase {
    /// A command that starts a daemon (which keeps the inherited stdout and stderr open)
    /// must not hold the run: `run` returns while the daemon still runs.
    func testACommandThatStartsADaemonReturnsAtOnce() async throws {
        let transport = LocalTransport()
        let result = try await transport.run("sleep 20 & echo $!", stdin: nil, timeout: nil)
        XCTAssertEqual(result.status, 0)
        let daemon = try XCTUnwrap(Int32(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(daemon, 0), 0, "the daemon is still running when run returned")
        kill(daemon, SIGKILL)
    }

    /// The password and passphrase crucible reads from its environment are its own: a
    /// recipe's command on `local` (`run "env"`) must not see them. Other variables pass.
    func testCommandsDoNotSeeCruciblesSecretVariables() async throws {
        setenv("CRUCIBLE_SSH_PASSWORD", "hunter2", 1)
        setenv("CRUCIBLE_KEY_PASSPHRASE", "swordfish", 1)
        setenv("CRUCIBLE_TEST_VISIBLE", "yes", 1)
        defer { for name in ["CRUCIBLE_SSH_PASSWORD", "CRUCIBLE_KEY_PASSPHRASE", "CRUCIBLE_TEST_VISIBLE"] { unsetenv(name) } }
        let result = try await LocalTransport().run("env", stdin: nil, timeout: nil)
        XCTAssertFalse(result.stdoutText.contains("hunter2"))
        XCTAssertFalse(result.stdoutText.contains("swordfish"))
        XCTAssertTrue(result.stdoutText.contains("CRUCIBLE_TEST_VISIBLE=yes"))
        XCTAssertTrue(result.stdoutText.contains("PATH="))
    }

    func testOutputStatusAndStdin() async throws {
        let transport = LocalTransport()
        let result = try await transport.run("cat; echo oops >&2; exit 3", stdin: Array("hello".utf8), timeout: nil)
        XCTAssertEqual(result.stdoutText, "hello")
        XCTAssertEqual(result.stderrText, "oops\n")
        XCTAssertEqual(result.status, 3)
        let big = try await transport.run("head -c 3000000 /dev/zero", stdin: nil, timeout: nil)
        XCTAssertEqual(big.stdout.count, 3_000_000)
    }

    func testTimeoutKillsTheCommandAndItsChildren() async throws {
        let transport = LocalTransport()
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-timeout-\(UUID().uuidString)").path
        do {
            _ = try await transport.run("sh -c 'sleep 3; touch \(marker)' & wait", stdin: nil, timeout: 0.5)
            XCTFail("expected a timeout")
        } catch let error as TransportError {
            guard case .timeout = error else { return XCTFail("expected a timeout, got \(error)") }
        }
        try await Task.sleep(for: .seconds(3.5))
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the command's children were killed with it")
    }

    /// Many commands at once, each reading its stdin to the end: no child may inherit
    /// another's stdin pipe (it would keep it open, and `cat` would wait for ever).
    func testConcurrentCommandsEachGetTheEndOfTheirStdin() async throws {
        let transport = LocalTransport()
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let result = try await transport.run("cat; sleep 0.05", stdin: Array("input \(index)".utf8), timeout: 60)
                    return (index, result.stdoutText)
                }
            }
            var collected: [Int: String] = [:]
            for try await (index, text) in group { collected[index] = text }
            return collected
        }
        for index in 0..<40 { XCTAssertEqual(outputs[index], "input \(index)") }
    }
}
