import DSL
import Foundation
import Interpreter
import Stdlib
import XCTest

/// `--check` plans each op on the result of the ops before it on the same host, so a dry
/// run reports what the real run then does (statuses, diffs, commands, and the branches
/// taken on `x.changed`), and says "unknown" where it cannot know. Real files, real shell
/// commands (the local transport).
final class CheckModeTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    func run(_ body: String, check: Bool) async throws -> (report: RunReport, logs: [String]) {
        let file = SourceFile(name: "check.crucible", text: "param tmp: string\n" + body)
        let (program, syntax) = Parser.parse(file)
        var checker = Checker(ops: Stdlib.all, inputs: [ParamInput(name: "tmp", raw: tmp.path)])
        let diagnostics = syntax + checker.check(program)
        XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics)")
        let logs = CollectedLogs()
        var options = RunOptions(checkMode: check)
        options.lockHosts = false
        let report = await Evaluator(ops: Stdlib.all, paramValues: checker.paramValues,
                                     transports: { LocalTransport(target: $0) }, options: options, observer: logs).run(program)
        return (report, logs.lines)
    }

    func ops(_ report: RunReport) -> [OpRecord] { report.hosts.first?.ops ?? [] }

    /// What a user compares between a dry run and the real one.
    func shown(_ record: OpRecord) -> String {
        "\(record.op) \(record.status.rawValue)\n\(record.diff)\(record.commands.joined(separator: "\n"))"
    }

    func testSeveralOpsOnOneFilePlanOnEachOthersResult() async throws {
        let recipe = """
            on "local" {
              let made = ensure-line "${tmp}/app.conf" "[main]" create: true
              edit-ini "${tmp}/app.conf" section: "main" { port = 8080 }
              edit-ini "${tmp}/app.conf" section: "main" { port = 8080 }
              ensure-line "${tmp}/app.conf" "# managed by crucible" after: "^\\\\[main\\\\]"
              let again = edit-ini "${tmp}/app.conf" section: "main" { port = 8080, workers = 4 }
              if made.changed { log("the file was new") }
              if again.changed { log("workers added") }
            }
            """
        let (planned, plannedLogs) = try await run(recipe, check: true)
        XCTAssertNil(planned.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("app.conf").path), "check mode wrote nothing")
        XCTAssertEqual(ops(planned).map(\.status), [.changed, .changed, .ok, .changed, .changed])

        let (real, realLogs) = try await run(recipe, check: false)
        XCTAssertNil(real.error)
        XCTAssertEqual(ops(planned).map(shown), ops(real).map(shown), "the dry run predicted the real one")
        XCTAssertEqual(plannedLogs, realLogs, "the same branches were taken")
        XCTAssertEqual(plannedLogs, ["the file was new", "workers added"])

        let (settled, _) = try await run(recipe, check: true)
        XCTAssertEqual(ops(settled).map(\.status), [.ok, .ok, .ok, .ok, .ok])
        XCTAssertFalse(settled.hasChanges)
    }

    func testACommandWithoutDeclaredChangesMakesLaterReadsUnknown() async throws {
        try "a = 1\n".write(to: tmp.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        let (planned, _) = try await run("""
            on "local" {
              run "echo b = 2 > ${quote(tmp)}/a.conf" creates: "${tmp}/never"
              let edit = edit-ini "${tmp}/a.conf" section: none { a = 1 }
              if edit.changed { log("edited") }
            }
            """, check: true)
        let records = ops(planned)
        XCTAssertEqual(records.map(\.status), [.changed, .unknown])
        XCTAssertTrue(records[1].reason?.contains("unknown in check mode") == true, records[1].reason ?? "")
        XCTAssertTrue(records[1].reason?.contains("check.crucible:3:3") == true, "names the command: \(records[1].reason ?? "")")
        XCTAssertTrue(planned.hasChanges)
        XCTAssertEqual(planned.unknownCount, 1)
        XCTAssertEqual(try String(contentsOf: tmp.appendingPathComponent("a.conf"), encoding: .utf8), "a = 1\n")
    }

    func testDeclaredChangesKeepOtherReadsKnownAndTheNamedFileUnknown() async throws {
        try "a = 1\n".write(to: tmp.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        try "b = 1\n".write(to: tmp.appendingPathComponent("b.conf"), atomically: true, encoding: .utf8)
        let (planned, _) = try await run("""
            on "local" {
              run "echo b = 2 > ${quote(tmp)}/b.conf" creates: "${tmp}/never" changes: ["${tmp}/b.conf"]
              edit-ini "${tmp}/a.conf" section: none { a = 2 }
              edit-ini "${tmp}/b.conf" section: none { b = 2 }
            }
            """, check: true)
        XCTAssertEqual(ops(planned).map(\.status), [.changed, .changed, .unknown])
    }

    func testGuardsRunInCheckModeAndTheReportSaysSo() async throws {
        let (planned, _) = try await run("""
            on "local" {
              run "touch ${quote(tmp)}/made" unless: "test -e ${quote(tmp)}/made" changes: []
              run "touch ${quote(tmp)}/other" creates: "${tmp}"
            }
            """, check: true)
        let records = ops(planned)
        XCTAssertEqual(records.map(\.status), [.changed, .ok])
        XCTAssertEqual(records[0].reason, "would run: the `unless` check failed (check mode ran the guard on the host)")
        XCTAssertEqual(records[1].reason, "\(tmp.path) exists (check mode ran the guard on the host)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("made").path))
    }

    func testAGuardThatReadsAPlannedFileIsUnknown() async throws {
        let (planned, _) = try await run("""
            on "local" {
              ensure-line "${tmp}/list" "one" create: true
              run "echo two >> ${quote(tmp)}/list" unless: "grep -q two ${quote(tmp)}/list" changes: ["${tmp}/list"]
            }
            """, check: true)
        XCTAssertEqual(ops(planned).map(\.status), [.changed, .unknown])
    }

    func testAProbeCheckModeCannotAnswerStopsTheBlockWithoutFailingTheHost() async throws {
        let (planned, logs) = try await run("""
            on "local" {
              run "date > ${quote(tmp)}/stamp" creates: "${tmp}/stamp"
              let stamp = probe "cat ${quote(tmp)}/stamp"
              log("stamp ${stamp.stdout}")
            }
            """, check: true)
        XCTAssertNil(planned.error)
        XCTAssertEqual(planned.hosts.first?.status, .ok)
        XCTAssertEqual(ops(planned).map(\.status), [.changed])
        XCTAssertTrue(logs.contains { $0.contains("probe at check.crucible:4:15: unknown in check mode") && $0.contains("not planned") }, "\(logs)")
        XCTAssertFalse(logs.contains { $0.hasPrefix("stamp") })
    }
}
