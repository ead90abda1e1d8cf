import DSL
import Foundation
import XCTest

/// `crucible-sh fmt` as a process: in-place rewriting, `--check` for CI, refusals.
final class FmtCLITests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-fmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func testCheckListsTheFilesThatWouldChangeAndExits1WithoutWriting() throws {
        let messy = try write("messy.crucible", "let a=1 ;log(a)\n")
        let tidy = try write("tidy.crucible", "let a = 1\nlog(a)\n")
        let result = try CrucibleProcess.run(["fmt", "--check", messy, tidy])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertEqual(result.stdout, "\(messy)\n")
        XCTAssertEqual(try read(messy), "let a=1 ;log(a)\n", "--check wrote the file")

        let clean = try CrucibleProcess.run(["fmt", "--check", tidy])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertEqual(clean.stdout, "")
    }

    func testFmtRewritesInPlaceKeepingThePermissions() throws {
        let path = try write("run.crucible", "if  true {log( 1 )}\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        let result = try CrucibleProcess.run(["fmt", path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try read(path), "if true { log(1) }\n")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".crucible-fmt") }
        XCTAssertEqual(leftovers, [], "the temp file of the atomic write was left behind")
        XCTAssertEqual(try CrucibleProcess.run(["fmt", "--check", path]).status, 0)
    }

    func testASyntaxErrorIsReportedAndTheFileLeftAlone() throws {
        let path = try write("bad.crucible", "let = 1\n")
        let result = try CrucibleProcess.run(["fmt", path])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("\(path):1:5"), result.stderr)
        XCTAssertTrue(result.stderr.contains("not formatted"), result.stderr)
        XCTAssertEqual(try read(path), "let = 1\n")
    }

    /// What CI runs: every recipe in the repository is formatted (corpus cases about syntax
    /// errors cannot be: they are left out, and the DSL tests check the formatter refuses them).
    func testEveryRecipeInTheRepositoryPassesCheck() throws {
        var files: [String] = []
        for directory in ["recipes", "Tests/Corpus", "docs"] {
            let root = CrucibleProcess.repoRoot.appendingPathComponent(directory)
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "crucible", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                let syntaxErrors = Parser.parse(SourceFile(name: url.path, text: text)).1.hasErrors
                if !(directory == "Tests/Corpus" && syntaxErrors) { files.append(url.path) }
            }
        }
        XCTAssertGreaterThan(files.count, 20)
        let result = try CrucibleProcess.run(["fmt", "--check"] + files)
        XCTAssertEqual(result.status, 0, "not formatted (run crucible-sh fmt on them):\n\(result.output)")
    }
}

/// `fmt -` for editors, directories, `--diff`, and symlinks.
extension FmtCLITests {
    func makeSubdirectory() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
    }

    func testStandardInputIsFormattedOntoStandardOutput() throws {
        let result = try CrucibleProcess.run(["fmt", "-"], stdin: "if  true {log( 1 )}\n")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.stdout, "if true { log(1) }\n")
        let broken = try CrucibleProcess.run(["fmt", "-"], stdin: "let = 1\n")
        XCTAssertEqual(broken.status, 2)
        XCTAssertEqual(broken.stdout, "let = 1\n", "an editor's buffer is given back as it was")
        XCTAssertTrue(broken.stderr.contains("<stdin>:1:5"), broken.stderr)
    }

    func testADirectoryStandsForItsRecipesAndDiffShowsWhatWouldChange() throws {
        try makeSubdirectory()
        let messy = try write("sub/messy.crucible", "let a=1\n")
        _ = try write("tidy.crucible", "let a = 1\n")
        _ = try write("notes.txt", "let a=1\n")
        let diff = try CrucibleProcess.run(["fmt", "--diff", directory.path])
        XCTAssertEqual(diff.status, 1, diff.output)
        XCTAssertEqual(diff.stdout, """
            --- \(messy)
            +++ \(messy)
            @@ -1 +1 @@
            -let a=1
            +let a = 1

            """)
        XCTAssertEqual(try String(contentsOfFile: messy, encoding: .utf8), "let a=1\n", "--diff writes nothing")
        XCTAssertEqual(try CrucibleProcess.run(["fmt", directory.path + "/"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: messy, encoding: .utf8), "let a = 1\n")
        XCTAssertEqual(try String(contentsOfFile: directory.appendingPathComponent("notes.txt").path, encoding: .utf8), "let a=1\n")
    }

    func testASymlinkStaysASymlinkAndItsTargetIsFormatted() throws {
        try makeSubdirectory()
        let target = try write("sub/real.crucible", "let a=1\n")
        let link = directory.appendingPathComponent("link.crucible").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "sub/real.crucible")
        let result = try CrucibleProcess.run(["fmt", link])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "sub/real.crucible")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "let a = 1\n")
    }
}
