import Foundation
import XCTest

/// Bytes from a host never drive the operator's terminal: a managed file holding a
/// clear-screen sequence, an OSC 52 clipboard write, a bare CR and an 8-bit CSI shows up in
/// diffs, errors and the recap as visible escapes (`\x1b`, `\r`, `\x9b`), in `run` and in
/// the REPL; `--json` keeps the exact text (JSON escaping only).
final class TerminalEscapesTests: XCTestCase {
    var tmp: URL!
    var hostile: String!

    /// ESC[2J clears the screen; ESC]52;c;BASE64 BEL puts `rm -rf ~` in the clipboard;
    /// the CR would print "over" on top of "bare"; U+009B is CSI in 8 bits. The CRLF line
    /// end stays as it is.
    static let hostileText = "title\u{1B}[2J\u{1B}]52;c;cm0gLXJmIH4K\u{07} line\nbare\rover\n\u{9B}31m red crlf\r\n"
    static let visibleLines = ["title\\x1b[2J\\x1b]52;c;cm0gLXJmIH4K\\x07 line", "bare\\rover", "\\x9b31m red crlf\r"]

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-escapes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        hostile = tmp.appendingPathComponent("hostile.conf").path
        try Self.hostileText.write(toFile: hostile, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    /// `crucible-sh run` of a recipe that changes the hostile file (a diff) and fails a
    /// command that prints it on stderr (an error).
    private func run(_ options: [String]) throws -> CrucibleProcess.Result {
        let path = tmp.appendingPathComponent("hostile.crucible").path
        try """
            on "local" {
              ensure-line "\(hostile!)" "added"
              run "cat \(hostile!) >&2; exit 3"
            }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CrucibleProcess.run(["run", path, "--lock-path", tmp.appendingPathComponent("lock").path] + options)
        XCTAssertEqual(result.status, 1, result.output)
        return result
    }

    private func assertNoControls(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for (index, scalar) in text.unicodeScalars.enumerated() {
            let allowed = scalar == "\n" || scalar == "\t" || scalar == "\r"
            if !allowed && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)) {
                return XCTFail("raw control U+\(String(scalar.value, radix: 16)) at \(index) in:\n\(text)", file: file, line: line)
            }
        }
        XCTAssertFalse(text.contains("bare\rover"), "a bare CR reaches the terminal", file: file, line: line)
    }

    func testRunOutputShowsHostControlsAsVisibleEscapes() throws {
        let result = try run(["--diff"])
        assertNoControls(result.stdout)
        assertNoControls(result.stderr)
        let recap = result.stdout.components(separatedBy: "RECAP\n").last ?? ""
        for line in Self.visibleLines {
            XCTAssertTrue(result.stdout.contains("\n     \(line)\n"), "the diff shows \(line):\n\(result.stdout)")
            XCTAssertTrue(result.stdout.contains("\n      \(line)\n"), "the failed command's stderr shows \(line):\n\(result.stdout)")
        }
        XCTAssertTrue(recap.hasSuffix("(exit status 3): \(Self.visibleLines[0])\n"), "the recap's one line:\n\(recap)")
        XCTAssertTrue(result.stdout.contains("[local] failed  run ("), result.stdout)
    }

    func testJSONKeepsTheExactBytes() throws {
        let result = try run(["--json"])
        assertNoControls(result.stderr)
        XCTAssertTrue(result.stdout.contains("\\u001b[2J\\u001b]52;c;"), result.stdout)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let host = try XCTUnwrap((report?["hosts"] as? [[String: Any]])?.first)
        let ops = try XCTUnwrap(host["ops"] as? [[String: Any]])
        let context = " title\u{1B}[2J\u{1B}]52;c;cm0gLXJmIH4K\u{07} line\n bare\rover\n \u{9B}31m red crlf\r\n"
        XCTAssertEqual(ops[0]["diff"] as? String, "--- \(hostile!)\n+++ \(hostile!)\n@@ -1,3 +1,4 @@\n" + context + "+added\n")
        XCTAssertTrue((host["error"] as? String ?? "").hasSuffix(Self.hostileText + "added"), "\(host["error"] ?? "")")
    }

    func testTheReplShowsHostControlsAsVisibleEscapes() throws {
        let result = try CrucibleProcess.run(["repl", "local"], environment: ["HOME": tmp.path], stdin: """
            ensure-line "\(hostile!)" "added"
            run "cat \(hostile!) >&2; exit 3"

            """)
        XCTAssertEqual(result.status, 1, result.output)
        assertNoControls(result.stdout)
        assertNoControls(result.stderr)
        for line in Self.visibleLines {
            XCTAssertTrue(result.stdout.contains("\n \(line)\n"), "the diff shows \(line):\n\(result.stdout)")
            XCTAssertTrue(result.stderr.contains("\(line)\n"), "the error shows \(line):\n\(result.stderr)")
        }
    }
}
