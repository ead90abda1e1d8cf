import Foundation
import Interpreter
import XCTest

/// `crucible-sh ops`: ops and functions apart, every fact documented, wrapping on a
/// terminal, and the declarations as JSON.
final class OpsCommandTests: XCTestCase {
    func testTheListSeparatesOperationsFromFunctions() throws {
        let result = try CrucibleProcess.run(["ops"])
        XCTAssertEqual(result.status, 0)
        let parts = result.stdout.components(separatedBy: "\nFunctions (anywhere):\n")
        XCTAssertEqual(parts.count, 2, result.stdout)
        XCTAssertTrue(parts[0].hasPrefix("Operations (inside `on` blocks):\n  ensure-line "), parts[0])
        XCTAssertTrue(parts[0].contains("\n  facts "), "queries are operations: they need a host")
        XCTAssertTrue(parts[1].hasPrefix("  len "), parts[1])
        XCTAssertFalse(parts[1].contains("\n  run "), "run needs a host")
    }

    func testFactsDocumentsEveryFactAndItsValues() throws {
        let result = try CrucibleProcess.run(["ops", "facts"])
        XCTAssertEqual(result.status, 0)
        for name in HostFacts.fields.map(\.spec.name) {
            XCTAssertTrue(result.stdout.contains("\n  \(name) ("), "`\(name)` is not documented:\n\(result.stdout)")
        }
        XCTAssertFalse(result.stdout.contains("See the table"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\n  init (string, one of \"systemd\" \"sysv\"): The init system: `systemd` or `sysv`.\n"), result.stdout)
    }

    func testJSONHasEveryDeclaration() throws {
        let result = try CrucibleProcess.run(["ops", "--json"])
        XCTAssertEqual(result.status, 0)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let run = try XCTUnwrap(entries.first { $0["name"] as? String == "run" })
        XCTAssertEqual(run["kind"] as? String, "op")
        XCTAssertEqual((run["result"] as? [[String: Any]])?.compactMap { $0["name"] as? String },
                       ["changed", "diff", "commands", "reason", "skipped_by", "stdout", "stderr", "rc"])
        let command = (run["params"] as? [[String: Any]])?.first
        XCTAssertEqual(command?["name"] as? String, "command")
        XCTAssertEqual(command?["required"] as? Bool, true)
        XCTAssertEqual(entries.first { $0["name"] as? String == "len" }?["kind"] as? String, "function")
        let one = try CrucibleProcess.run(["ops", "facts", "--json"])
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]])?.count, 1)
    }

    func testOnATerminalTheTextIsWrappedToItsWidth() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let terminal = try ReplTerminal(home: home, arguments: ["ops", "facts"], width: 60, height: 100, keepOpen: true)
        defer { terminal.close() }
        let screen = try terminal.waitForText("[exit 0]")
        for line in screen.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.count, 60, "`\(line)` is wider than the terminal")
        }
        XCTAssertTrue(screen.contains("""
            Parameters:
              host (host or none, positional, default none): Another
                host of this run; left out: the host the block runs on.
            """), screen)
    }
}
