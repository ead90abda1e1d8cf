import Foundation
import XCTest

/// Values that look like shell syntax are written literally or rejected, never run: a
/// canary file that any injected command would create must never appear.
final class HostileValuesTests: XCTestCase {
    var tmp: URL!
    var canary: String!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        canary = tmp.appendingPathComponent("CANARY").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    var hostileValues: [String] {
        [
            "$(touch \(canary!))",
            "`touch \(canary!)`",
            "'; touch \(canary!); echo '",
            "\"; touch \(canary!) #",
            "a;touch \(canary!)",
            "x && touch \(canary!)",
            "| touch \(canary!)",
            "${IFS}touch${IFS}\(canary!)",
        ]
    }

    static let recipe = """
        param dir: string
        param value: string
        on "local" {
          ensure-line "${dir}/lines" "line=${value}" create: true
          edit-ini "${dir}/conf.ini" section: "s" create: true { key = value }
          file "${dir}/file ${value}.txt" content: value
          hosts-entry "10.9.9.9" ["node-${len(value)}"] path: "${dir}/hosts"
          run "printf '%s' ${quote(value)} > ${quote(dir)}/quoted"
        }
        """

    func testHostileParamValuesAreWrittenLiterally() throws {
        let recipe = tmp.appendingPathComponent("hostile.crucible")
        try Self.recipe.write(to: recipe, atomically: true, encoding: .utf8)
        try "".write(toFile: tmp.appendingPathComponent("hosts").path, atomically: true, encoding: .utf8)
        for value in hostileValues {
            for name in ["lines", "conf.ini", "quoted"] { try? FileManager.default.removeItem(at: tmp.appendingPathComponent(name)) }
            let result = try CrucibleProcess.run(["run", recipe.path, "--set", "dir=\(tmp.path)", "--set", "value=\(value)", "--lock-path", tmp.appendingPathComponent("lock").path])
            XCTAssertEqual(result.status, 0, "value \(value):\n\(result.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: canary), "an injected command ran for value \(value)")
            XCTAssertEqual(try String(contentsOf: tmp.appendingPathComponent("lines"), encoding: .utf8), "line=\(value)\n")
            XCTAssertTrue(try String(contentsOf: tmp.appendingPathComponent("conf.ini"), encoding: .utf8).contains("key = \(value)")
                          || String(contentsOf: tmp.appendingPathComponent("conf.ini"), encoding: .utf8).contains("key=\(value)"))
            XCTAssertEqual(try String(contentsOf: tmp.appendingPathComponent("quoted"), encoding: .utf8), value)
            let fileName = tmp.appendingPathComponent("file \(value).txt")
            if !value.contains("/") {
                XCTAssertEqual(try String(contentsOf: fileName, encoding: .utf8), value)
            }
        }
    }

    /// A line break in a line would write a line of its own (a client list with one once
    /// exported `/`): refused before anything runs, at the argument.
    func testNewlineInALineIsRefusedBeforeAnythingRuns() throws {
        let recipe = tmp.appendingPathComponent("newline.crucible")
        try """
            param dir: string
            on "local" { ensure-line "${dir}/lines" "a\\ntouch \(canary!)" create: true }
            """.write(to: recipe, atomically: true, encoding: .utf8)
        let result = try CrucibleProcess.run(["run", recipe.path, "--set", "dir=\(tmp.path)", "--lock-path", tmp.appendingPathComponent("lock").path])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("newline.crucible:2:41: error: ensure-line `line`: "), result.output)
        XCTAssertTrue(result.output.contains("contains a line break"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("lines").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: canary))
    }

    func testHostileHostNamesAreRejectedBeforeAnythingRuns() throws {
        let recipe = tmp.appendingPathComponent("host.crucible")
        try "param target: host\non target { log(\"hi\") }\n".write(to: recipe, atomically: true, encoding: .utf8)
        for host in ["-oProxyCommand=touch \(canary!)", "root@$(touch \(canary!))", "a;b", "host name", "`x`"] {
            let result = try CrucibleProcess.run(["run", recipe.path, "--set", "target=\(host)"])
            XCTAssertEqual(result.status, 2, "host \(host):\n\(result.output)")
            XCTAssertTrue(result.stderr.contains("is not a host"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: canary))
        }
    }
}
