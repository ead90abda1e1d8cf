import Foundation
import Interpreter
import XCTest

/// The timeout wrapper and Ctrl-C's stop on this machine (the local transport, a real
/// shell and coreutils): a timed step stops the batch and leaves no process behind, a
/// command that exits 124 by itself is not taken for a timeout, a timed command holding a
/// secret keeps it off every command line, and a cancelled command is stopped with all it
/// started.
final class CommandTimeoutTests: XCTestCase {
    var directory: URL!
    let transport = LocalTransport()
    /// A sleep no other test runs, so its processes can be counted.
    let seconds = 2_000_000 + Int.random(in: 0..<1_000_000)

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-timeout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Processes whose command line holds `text`.
    func processes(holding text: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }.count
    }

    func testATimedOutStepStopsTheBatchAndEveryProcessItStarted() async throws {
        let batch = ApplyBatch([
            .run(command: "sleep \(seconds) & sleep \(seconds); touch \(ShellQuote.quote(path("late")))", summary: "slow", timeout: 1),
            .run(command: "touch \(ShellQuote.quote(path("next")))", summary: "next"),
        ])
        let outcome = batch.outcome(of: try await transport.run(batch.command, stdin: batch.stdin, timeout: batch.backstop))
        XCTAssertEqual(outcome.completed, 0)
        XCTAssertEqual(outcome.failure?.status, 124)
        let message = OpExecutor.failureMessage("run slow", status: outcome.failure?.status ?? 0, detail: outcome.failure?.message ?? "")
        XCTAssertTrue(message.hasPrefix("run slow did not finish within its timeout of 1 s"), message)
        XCTAssertEqual(processes(holding: "sleep \(seconds)"), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("late")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("next")), "the batch stopped at the timed-out step")
    }

    func testACommandThatExits124ByItselfIsNotATimeout() async throws {
        let batch = ApplyBatch([.run(command: "echo own reason >&2; exit 124", summary: "own", timeout: 30)])
        let outcome = batch.outcome(of: try await transport.run(batch.command, stdin: batch.stdin, timeout: batch.backstop))
        XCTAssertEqual(outcome.failure?.status, 124)
        XCTAssertEqual(outcome.failure?.message, "own reason")
    }

    func testATimedCommandThatHoldsASecretKeepsItOffTheCommandLine() async throws {
        let secret = "s3cr3t-\(UUID().uuidString)"
        let secrets = SecretMask()
        secrets.add(secret)
        let command = "printf %s \(secret) > \(ShellQuote.quote(path("out"))); sleep 1"
        let batch = ApplyBatch([.run(command: command, summary: "secret", timeout: 30)], secrets: secrets)
        XCTAssertFalse(batch.command.contains(secret))
        let (transport, script, input, backstop) = (self.transport, batch.command, batch.stdin, batch.backstop)
        let running = Task { try await transport.run(script, stdin: input, timeout: backstop) }
        // While it runs, no process on this machine shows the secret in its argv.
        var seen = 0
        for _ in 0..<10 {
            seen = max(seen, processes(holding: secret))
            usleep(50_000)
        }
        let outcome = batch.outcome(of: try await running.value)
        XCTAssertNil(outcome.failure)
        XCTAssertEqual(seen, 0)
        XCTAssertEqual(try String(contentsOfFile: path("out"), encoding: .utf8), secret)

        let wrapped = CommandTimeout.wrap(command, seconds: 30, hidden: true)
        XCTAssertFalse(wrapped.command.contains(secret))
        let alone = try await transport.run(wrapped.command, stdin: wrapped.stdin, timeout: nil)
        XCTAssertEqual(alone.status, 0, alone.stderrText)
    }

    func testACancelledCommandIsStoppedWithEveryProcessItStarted() async throws {
        let command = "(trap '' TERM; sleep \(seconds)) & sleep \(seconds); touch \(ShellQuote.quote(path("late")))"
        let transport = self.transport
        let running = Task { try await transport.run(command, stdin: nil, timeout: nil) }
        while processes(holding: "sleep \(seconds)") < 2 { usleep(20_000) }
        running.cancel()
        let result = try await running.value
        XCTAssertEqual(result.status, CommandStop.status)
        XCTAssertTrue(result.stderrText.hasSuffix(CommandStop.marker + "\n"))
        XCTAssertEqual(processes(holding: "sleep \(seconds)"), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("late")))
        // A cancelled task starts nothing.
        let never = "touch \(ShellQuote.quote(path("never")))"
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await transport.run(never, stdin: nil, timeout: nil)
        }
        do {
            _ = try await late.value
            XCTFail("a cancelled task ran a command")
        } catch is CancellationError {}
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("never")))
    }
}
