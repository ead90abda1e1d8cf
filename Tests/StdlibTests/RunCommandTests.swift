import Foundation
import XCTest
import Interpreter
@testable import Stdlib

/// run, on this machine for real: the command goes to sh as written, guards skip it, and
/// every other value is quoted.
final class RunCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crsys-run-\(UUID().uuidString)/a dir's $(x)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }

    private func run(_ arguments: [String: Value], transport: LocalTransport = LocalTransport()) async throws -> OpRecord {
        try await OpRunner.run("run", arguments, on: TestHostContext(transport: transport, cannedFacts: CannedFacts.rhel7))
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testTheCommandRunsAsWrittenWithPipesAndRedirections() async throws {
        let target = ShellQuote.quote(path("out"))
        let outcome = try await run(["command": .string("echo abc | tr a z > \(target)")])
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(try String(contentsOfFile: path("out"), encoding: .utf8), "zbc\n")
    }

    func testCreatesSkipsOnceThePathExistsInOneExec() async throws {
        let marker = path("done")
        let command = "touch " + ShellQuote.quote(marker) + " && echo x >> " + ShellQuote.quote(path("count"))
        let first = try await run(["command": .string(command), "creates": .string(marker)])
        XCTAssertTrue(first.changed)
        let transport = LocalTransport()
        let second = try await run(["command": .string(command), "creates": .string(marker)], transport: transport)
        XCTAssertFalse(second.changed)
        XCTAssertEqual(second.reason, "\(marker) exists")
        XCTAssertEqual(second.details["skipped_by"], .string("creates"))
        XCTAssertEqual(transport.stats().execChannels, 1)
        XCTAssertEqual(try String(contentsOfFile: path("count"), encoding: .utf8), "x\n")
    }

    func testUnlessRunsInChdirAndSkipsWhenItSucceeds() async throws {
        let arguments: [String: Value] = [
            "command": .string("pwd > here.txt"), "unless": .string("test -s here.txt"), "chdir": .string(directory.path),
        ]
        let first = try await run(arguments)
        XCTAssertTrue(first.changed)
        XCTAssertEqual(try String(contentsOfFile: path("here.txt"), encoding: .utf8), directory.path + "\n")
        let second = try await run(arguments)
        XCTAssertFalse(second.changed)
        XCTAssertEqual(second.details["skipped_by"], .string("unless"))
    }

    func testGuardValuesAreQuotedNotRun() async throws {
        let evil = path("x$(touch pwned)'; touch pwned2 '")
        let outcome = try await run(["command": .string("true"), "creates": .string(evil), "chdir": .string(directory.path)])
        XCTAssertTrue(outcome.changed)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertFalse(names.contains("pwned") || names.contains("pwned2"), "\(names)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/pwned"))
    }

    func testAFailingCommandFailsTheOp() async throws {
        do {
            _ = try await run(["command": .string("echo nope >&2; exit 7")])
            XCTFail("exit 7 must fail the op")
        } catch let error as OpError {
            XCTAssertTrue(error.message.contains("exit status 7"), error.message)
            XCTAssertTrue(error.message.contains("nope"), error.message)
        }
    }
}
