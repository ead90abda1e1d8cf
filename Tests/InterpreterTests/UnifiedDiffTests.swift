import Foundation
import XCTest
@testable import Interpreter

/// The unified diff: exact output for the cases users see most, and, on random inputs,
/// that GNU patch applies it and that it is as short as GNU diff's minimal diff.
final class UnifiedDiffTests: XCTestCase {
    private func diff(_ old: String?, _ new: String, context: Int = 3) -> String {
        UnifiedDiff.render(old: old.map { Array($0.utf8) }, new: Array(new.utf8), path: "f", context: context)
    }

    func testEqualBytesGiveNoDiff() {
        XCTAssertEqual(diff("a\nb\n", "a\nb\n"), "")
        XCTAssertEqual(diff("", ""), "")
    }

    func testOneChangedLineWithContext() {
        let old = (1...10).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 5\n", with: "LINE FIVE\n")
        XCTAssertEqual(diff(old, new), """
            --- f
            +++ f
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +LINE FIVE
             line 6
             line 7
             line 8

            """)
    }

    func testSingleLineRangesOmitTheCount() {
        XCTAssertEqual(diff("a\n", "b\n"), "--- f\n+++ f\n@@ -1 +1 @@\n-a\n+b\n")
    }

    func testCreatedFileIsDiffedAgainstDevNull() {
        XCTAssertEqual(diff(nil, "x\ny\n"), "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+x\n+y\n")
    }

    func testEmptiedFile() {
        XCTAssertEqual(diff("x\ny\n", ""), "--- f\n+++ f\n@@ -1,2 +0,0 @@\n-x\n-y\n")
    }

    func testInsertionAtTheTopNamesTheLineBefore() {
        XCTAssertEqual(diff("b\nc\n", "a\nb\nc\n", context: 0), "--- f\n+++ f\n@@ -0,0 +1 @@\n+a\n")
        XCTAssertEqual(diff("a\nc\n", "a\nb\nc\n", context: 0), "--- f\n+++ f\n@@ -1,0 +2 @@\n+b\n")
    }

    func testMissingFinalNewlineIsMarked() {
        XCTAssertEqual(diff("a\nb", "a\nb\nc\n"), """
            --- f
            +++ f
            @@ -1,2 +1,3 @@
             a
            -b
            \\ No newline at end of file
            +b
            +c

            """)
        XCTAssertEqual(diff("a\nb\n", "a\nc"), """
            --- f
            +++ f
            @@ -1,2 +1,2 @@
             a
            -b
            +c
            \\ No newline at end of file

            """)
    }

    func testUnchangedLastLineWithoutNewlineIsMarkedAsContext() {
        XCTAssertEqual(diff("a\nb", "z\nb"), "--- f\n+++ f\n@@ -1,2 +1,2 @@\n-a\n+z\n b\n\\ No newline at end of file\n")
    }

    func testDistantChangesGetSeparateHunksAndCloseOnesMerge() {
        let old = (1...20).map { "\($0)\n" }.joined()
        var lines = (1...20).map { "\($0)\n" }
        lines[1] = "two\n"; lines[17] = "eighteen\n"
        let separate = diff(old, lines.joined())
        XCTAssertEqual(separate.components(separatedBy: "@@ -").count, 3, separate)
        XCTAssertTrue(separate.contains("@@ -1,5 +1,5 @@\n"), separate)
        XCTAssertTrue(separate.contains("@@ -15,6 +15,6 @@\n"), separate)
        lines = (1...20).map { "\($0)\n" }
        lines[1] = "two\n"; lines[8] = "nine\n"  // six unchanged lines apart: one hunk
        let merged = diff(old, lines.joined())
        XCTAssertTrue(merged.hasPrefix("--- f\n+++ f\n@@ -1,12 +1,12 @@\n"), merged)
        XCTAssertEqual(merged.components(separatedBy: "@@ -").count, 2, merged)
    }

    func testCRLFLinesKeepTheirCarriageReturn() {
        XCTAssertEqual(diff("a\r\nb\r\n", "a\r\nc\r\n"), "--- f\n+++ f\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n")
    }

    /// Random edits of random files: `patch` turns old into new with our diff, and our diff
    /// changes as many lines as GNU `diff -d` (minimal) does.
    func testRandomDiffsApplyWithPatchAndAreMinimal() throws {
        var generator = SplitMix(seed: 20141)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for round in 0..<60 {
            let old = randomFile(&generator)
            let new = mutate(old, &generator)
            let ours = UnifiedDiff.render(old: Array(old.utf8), new: Array(new.utf8), path: "f")
            let oldURL = directory.appendingPathComponent("f"), newURL = directory.appendingPathComponent("g")
            try Data(old.utf8).write(to: oldURL)
            try Data(new.utf8).write(to: newURL)
            if old == new { XCTAssertEqual(ours, ""); continue }
            let patchURL = directory.appendingPathComponent("p")
            try Data(ours.utf8).write(to: patchURL)
            let patched = try shell("cd '\(directory.path)' && patch -s -p0 -o out f < p && cat out")
            XCTAssertEqual(patched.status, 0, "round \(round): patch failed: \(patched.output)\n\(ours)")
            XCTAssertEqual(patched.output, new, "round \(round): patch gave other bytes\n\(ours)")
            let gnu = try shell("cd '\(directory.path)' && diff -d -u f g")
            XCTAssertEqual(changedLineCount(ours), changedLineCount(gnu.output), "round \(round): not minimal\n\(ours)\n\(gnu.output)")
        }
    }

    func testLargeFileWithOneChangeGivesOneSmallHunk() throws {
        let sample = try String(contentsOf: fixture("upstream/nova/rdo-juno-2014.2.1/nova.conf.sample"), encoding: .utf8)
        let edited = sample.replacingOccurrences(of: "#instances_path=$state_path/instances\n",
                                                 with: "#instances_path=$state_path/instances\ninstances_path=/srv/nova\n")
        let output = UnifiedDiff.render(old: Array(sample.utf8), new: Array(edited.utf8), path: "nova.conf")
        XCTAssertEqual(output, "--- nova.conf\n+++ nova.conf\n@@ -844,6 +844,7 @@\n"
            + " \n # Where instances are stored on disk (string value)\n"
            + " #instances_path=$state_path/instances\n+instances_path=/srv/nova\n \n"
            + " # Generate periodic compute.instance.exists notifications\n # (boolean value)\n")
    }

    func testWholesaleRewriteOfALargeFileStillApplies() throws {
        let old = (0..<4000).map { "old \($0)\n" }.joined()
        let new = (0..<4000).map { "new \($0)\n" }.joined()
        let output = UnifiedDiff.render(old: Array(old.utf8), new: Array(new.utf8), path: "f")
        XCTAssertTrue(output.hasPrefix("--- f\n+++ f\n@@ -1,4000 +1,4000 @@\n-old 0\n"))
        XCTAssertEqual(changedLineCount(output), 8000)
    }

    // MARK: - Helpers

    private func fixture(_ path: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    private func changedLineCount(_ diff: String) -> Int {
        diff.split(separator: "\n", omittingEmptySubsequences: false).filter {
            ($0.hasPrefix("+") && !$0.hasPrefix("+++ ")) || ($0.hasPrefix("-") && !$0.hasPrefix("--- "))
        }.count
    }

    private func randomFile(_ generator: inout SplitMix) -> String {
        let count = Int(generator.next() % 25)
        var text = (0..<count).map { _ in "l\(generator.next() % 6)\n" }.joined()
        if generator.next() % 5 == 0 { text += "tail\(generator.next() % 3)" }
        return text
    }

    private func mutate(_ text: String, _ generator: inout SplitMix) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<Int(generator.next() % 6) {
            let position = lines.isEmpty ? 0 : Int(generator.next() % UInt64(lines.count))
            switch generator.next() % 3 {
            case 0: lines.insert("n\(generator.next() % 6)", at: position)
            case 1: if !lines.isEmpty { lines.remove(at: position) }
            default: if !lines.isEmpty { lines[position] = "m\(generator.next() % 4)" }
            }
        }
        return lines.joined(separator: "\n")
    }

    private func shell(_ command: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A small deterministic random generator, so a failing round can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
