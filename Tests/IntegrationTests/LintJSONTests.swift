import Foundation
import XCTest

/// `lint --format json`, what editors and CI annotations read: one object per diagnostic
/// with file, line, column, end (line and column), severity, id and message.
final class LintJSONTests: XCTestCase {
    func testEveryDiagnosticHasItsPositionRangeSeverityIdAndMessage() throws {
        let recipe = FileManager.default.temporaryDirectory.appendingPathComponent("lint-json-\(UUID().uuidString).crucible")
        try "let port = 8774\nensure-lin \"/etc/x\" \"y\"\nlog(port + \"1\")\n".write(to: recipe, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: recipe) }
        let result = try CrucibleProcess.run(["lint", "--format", "json", recipe.path])
        XCTAssertEqual(result.status, 2, result.output)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        XCTAssertEqual(entries.count, 2, result.stdout)
        let unknown = try XCTUnwrap(entries.first)
        XCTAssertEqual(unknown["file"] as? String, recipe.path)
        XCTAssertEqual(unknown["line"] as? Int, 2)
        XCTAssertEqual(unknown["column"] as? Int, 1)
        XCTAssertEqual(unknown["endLine"] as? Int, 2)
        XCTAssertEqual(unknown["endColumn"] as? Int, 11)
        XCTAssertEqual(unknown["severity"] as? String, "error")
        XCTAssertEqual(unknown["id"] as? String, "E-unknown-op")
        XCTAssertNotNil(unknown["message"] as? String)
        XCTAssertEqual(entries.last?["line"] as? Int, 3)
    }

    func testWarningsAreListedWithTheirSeverityAndStrictMakesThemErrors() throws {
        let recipe = FileManager.default.temporaryDirectory.appendingPathComponent("lint-json-\(UUID().uuidString).crucible")
        try "let unused = 1\non \"local\" {\n  run \"date\"\n}\n".write(to: recipe, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: recipe) }
        let result = try CrucibleProcess.run(["lint", "--format", "json", recipe.path])
        XCTAssertEqual(result.status, 0, "warnings alone do not fail lint:\n\(result.output)")
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        XCTAssertEqual(entries.map { $0["id"] as? String }, ["W-unused", "W-run-always"], result.stdout)
        XCTAssertEqual(entries.map { $0["severity"] as? String }, ["warning", "warning"], result.stdout)
        XCTAssertEqual(entries.first?["line"] as? Int, 1)
        XCTAssertEqual(entries.first?["column"] as? Int, 5)
        let strict = try CrucibleProcess.run(["lint", "--format", "json", "--strict", recipe.path])
        XCTAssertEqual(strict.status, 2, strict.output)
        let strictEntries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(strictEntries.map { $0["severity"] as? String }, ["error", "error"], strict.stdout)
    }

    func testACleanRecipeGivesAnEmptyListAndExit0() throws {
        let recipe = FileManager.default.temporaryDirectory.appendingPathComponent("lint-json-\(UUID().uuidString).crucible")
        try "log(\"ok\")\n".write(to: recipe, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: recipe) }
        let result = try CrucibleProcess.run(["lint", "--format", "json", recipe.path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any])?.count, 0, result.stdout)
    }
}
