import Foundation
import XCTest

/// The bash completion script that `make install` puts in place, driven as bash drives it:
/// COMP_WORDS and COMP_CWORD set, the completion function called, COMPREPLY read.
final class CompletionTests: XCTestCase {
    var tmp: URL!
    var script: String!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("site/roles"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        for name in ["site/web.crucible", "site/db.crucible", "site/lab.params", "site/notes.txt", "site/roles/nfs.crucible"] {
            try "".write(to: tmp.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try "Host compute1\n  HostName 10.0.0.2\nHost controller\n  HostName 10.0.0.1\n"
            .write(to: tmp.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
        let generated = try CrucibleProcess.run(["--generate-completion-script", "bash"])
        XCTAssertEqual(generated.status, 0)
        script = tmp.appendingPathComponent("crucible-sh.bash").path
        try generated.stdout.write(toFile: script, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    /// What Tab offers after `line` (the word being typed is its last word, maybe empty),
    /// in `site/`, sorted.
    func complete(_ line: String) throws -> [String] {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if line.hasSuffix(" ") { words.append("") }
        let quoted = ([CrucibleProcess.binary] + words.dropFirst()).map { "'\($0)'" }.joined(separator: " ")
        let program = """
            source '\(script!)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
            _crucible-sh crucible-sh '\(words.last ?? "")' '\(words.count > 1 ? words[words.count - 2] : "")'
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", program]
        process.currentDirectoryURL = tmp.appendingPathComponent("site")
        process.environment = ["HOME": tmp.path, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }

    func testRecipesAreBundledNamesAndRecipeFiles() throws {
        XCTAssertEqual(try complete("crucible-sh run "), ["db.crucible", "live-migration", "roles/", "web.crucible"])
        XCTAssertEqual(try complete("crucible-sh run ro"), ["roles/"])
        XCTAssertEqual(try complete("crucible-sh run roles/"), ["roles/nfs.crucible"])
        XCTAssertEqual(try complete("crucible-sh lint li"), ["live-migration"])
        XCTAssertEqual(try complete("crucible-sh params w"), ["web.crucible"])
    }

    func testOptionValuesOpsRecipesAndHosts() throws {
        XCTAssertEqual(try complete("crucible-sh ops ensure-"), ["ensure-line"])
        XCTAssertEqual(try complete("crucible-sh lint web.crucible --format "), ["json", "text"])
        XCTAssertEqual(try complete("crucible-sh run web.crucible --color "), ["always", "auto", "never"])
        XCTAssertEqual(try complete("crucible-sh run web.crucible --params "), ["lab.params", "roles"])
        XCTAssertEqual(try complete("crucible-sh recipes show "), ["live-migration"])
        XCTAssertEqual(try complete("crucible-sh repl "), ["compute1", "controller", "local"])
        XCTAssertEqual(try complete("crucible-sh repl co"), ["compute1", "controller"])
        XCTAssertEqual(try complete("crucible-sh fmt "), ["db.crucible", "roles", "web.crucible"])
    }
}
