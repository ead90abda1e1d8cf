import DSL
import Foundation
import Interpreter
import Stdlib
import XCTest

/// `param x: secret`: the value reaches files and commands, and nothing a run shows: not
/// the logs, diffs, commands, errors or the `--json` report, nor the command lines of the
/// host's processes; a backup of a file that holds it is private.
final class SecretParamTests: XCTestCase {
    static let password = "s3cr3t-Pa55"

    func run(_ body: String, tmp: URL) async throws -> (report: RunReport, logs: [String]) {
        let text = "param tmp: string\nparam db_password: secret\n" + body
        let file = SourceFile(name: "secret.crucible", text: text)
        let (program, syntax) = Parser.parse(file)
        let inputs = [ParamInput(name: "tmp", raw: tmp.path), ParamInput(name: "db_password", raw: Self.password)]
        var checker = Checker(ops: Stdlib.all, inputs: inputs)
        let diagnostics = syntax + checker.check(program)
        XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics)")
        let logs = CollectedLogs()
        let report = await Evaluator(ops: Stdlib.all, paramValues: checker.paramValues,
                                     transports: { LocalTransport(target: $0) }, observer: logs).run(program)
        return (report, logs.lines)
    }

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func testASecretReachesFilesAndCommandsButNothingShown() async throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        try "password=old-\(Self.password)\n".write(to: tmp.appendingPathComponent("app.conf"), atomically: true, encoding: .utf8)
        chmod(tmp.appendingPathComponent("app.conf").path, 0o644)
        let (report, logs) = try await run("""
            log("connecting with ${db_password}")
            on "local" {
              file "${tmp}/app.conf" content: "password=${db_password}\\n"
              run "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\\\0' ' ' > ${tmp}/argv.txt; echo ${db_password} > ${tmp}/echoed"
              run "true" unless: "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' > ${tmp}/argv2.txt; test ${db_password} = x"
              fail("cannot log in as admin/${db_password}")
            }

            """, tmp: tmp)
        XCTAssertEqual(logs, ["connecting with ********"])
        // The value went where the recipe put it.
        XCTAssertEqual(try String(contentsOf: tmp.appendingPathComponent("app.conf"), encoding: .utf8), "password=\(Self.password)\n")
        XCTAssertEqual(try String(contentsOf: tmp.appendingPathComponent("echoed"), encoding: .utf8), "\(Self.password)\n")
        // No process's command line held it while the command ran.
        let argv = try String(contentsOf: tmp.appendingPathComponent("argv.txt"), encoding: .utf8)
        XCTAssertFalse(argv.isEmpty)
        XCTAssertFalse(argv.contains(Self.password), "a command line held the secret")
        let guardArgv = try String(contentsOf: tmp.appendingPathComponent("argv2.txt"), encoding: .utf8)
        XCTAssertFalse(guardArgv.isEmpty)
        XCTAssertFalse(guardArgv.contains(Self.password), "the command line of an `unless` check held the secret")
        // The backup holds the old secret: it is private.
        let backup = tmp.appendingPathComponent("app.conf.crucible~").path
        let attributes = try FileManager.default.attributesOfItem(atPath: backup)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        // Diffs, commands, errors, the whole report: masked.
        let host = try XCTUnwrap(report.hosts.first)
        XCTAssertTrue(host.ops.first?.diff.contains("+password=********") == true, host.ops.first?.diff ?? "")
        XCTAssertTrue(host.ops.dropFirst().first?.commands.first?.contains("echo ******** >") == true, "\(host.ops.map(\.commands))")
        XCTAssertTrue(host.error?.contains("cannot log in as admin/********") == true, host.error ?? "")
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        XCTAssertFalse(json.contains(Self.password))
        XCTAssertFalse(json.contains("s3cr3t"))
    }

    func testATopLevelErrorMasksTheSecret() async throws {
        let tmp = try scratch()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let (report, _) = try await run("fail(\"wrong password ${db_password}\")\n", tmp: tmp)
        XCTAssertTrue(report.error?.contains("wrong password ********") == true, report.error ?? "")
        XCTAssertFalse(report.error?.contains(Self.password) == true)
    }
}
