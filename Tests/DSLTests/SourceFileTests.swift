import DSL
import XCTest

/// Byte offsets to 1-based line and column, and line text, as every diagnostic uses them.
final class SourceFileTests: XCTestCase {
    func testLineAndColumnOfOffsets() {
        let file = SourceFile(name: "a.crucible", text: "let a = 1\nlet b = 2\n")
        XCTAssertTrue(file.location(of: 0) == (1, 1))
        XCTAssertTrue(file.location(of: 4) == (1, 5))
        XCTAssertTrue(file.location(of: 9) == (1, 10), "the newline belongs to its line")
        XCTAssertTrue(file.location(of: 10) == (2, 1))
        XCTAssertTrue(file.location(of: 14) == (2, 5))
        XCTAssertTrue(file.location(of: 20) == (3, 1), "the end of a file ending in a newline is an empty last line")
    }

    func testOffsetsOutsideTheFileAreClamped() {
        let file = SourceFile(name: "a.crucible", text: "ab\ncd")
        XCTAssertTrue(file.location(of: -5) == (1, 1))
        XCTAssertTrue(file.location(of: 99) == (2, 3))
    }

    func testColumnsCountCharactersNotBytes() {
        let file = SourceFile(name: "u.crucible", text: "é☃x\n")
        XCTAssertEqual(file.bytes.count, 7)
        XCTAssertTrue(file.location(of: 2) == (1, 2), "é is two bytes, one column")
        XCTAssertTrue(file.location(of: 5) == (1, 3), "☃ is three bytes, one column")
    }

    /// A file that is not UTF-8 is an error at its first bad byte (line and column in
    /// characters), not a silent U+FFFD.
    func testBytesThatAreNotUTF8AreAnErrorAtTheFirstBadByte() {
        for (bytes, line, column, byte) in [
            (Array("# é\nlet s = \"☃".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8), 2, 11, "0xFF"),
            (Array("let s = 1\n".utf8) + [0xE2, 0x98], 2, 1, "0xE2"),
            ([0xC0, 0x80], 1, 1, "0xC0"),
        ] {
            let file = SourceFile(name: "b.crucible", bytes: bytes)
            let (_, diagnostics) = Parser.parse(file)
            XCTAssertEqual(diagnostics.map(\.id), ["E-lex-encoding"], "\(bytes)")
            XCTAssertTrue(diagnostics.first.map { $0.span.startLocation == (line, column) } ?? false, "\(diagnostics)")
            XCTAssertEqual(diagnostics.first?.message.contains("byte \(byte)"), true, diagnostics.first?.message ?? "")
        }
        XCTAssertNil(SourceFile(name: "ok.crucible", bytes: Array("é☃\u{1F600}".utf8)).invalidUTF8)
    }

    func testLineTextDropsTheNewlineAndACarriageReturn() {
        let file = SourceFile(name: "w.crucible", text: "first\r\nsecond\n\nlast")
        XCTAssertEqual(file.lineText(1), "first")
        XCTAssertEqual(file.lineText(2), "second")
        XCTAssertEqual(file.lineText(3), "")
        XCTAssertEqual(file.lineText(4), "last")
        XCTAssertEqual(file.lineText(0), "")
        XCTAssertEqual(file.lineText(5), "")
        XCTAssertEqual(file.lineStarts, [0, 7, 14, 15])
    }

    func testEmptyFileHasOneEmptyLine() {
        let file = SourceFile(name: "e.crucible", text: "")
        XCTAssertEqual(file.lineStarts, [0])
        XCTAssertTrue(file.location(of: 0) == (1, 1))
        XCTAssertEqual(file.lineText(1), "")
    }

    func testSpanTextDescriptionAndThrough() {
        let file = SourceFile(name: "s.crucible", text: "let x = 1\nlog(x)\n")
        let x = Span(file: file, start: 4, end: 5)
        let log = Span(file: file, start: 10, end: 13)
        XCTAssertEqual(x.text, "x")
        XCTAssertEqual(log.description, "s.crucible:2:1")
        let both = x.through(log)
        XCTAssertEqual(both.start, 4)
        XCTAssertEqual(both.end, 13)
        XCTAssertEqual(log.through(x), both)
        XCTAssertEqual(Span(file: file, start: 5, end: 2).end, 5, "an end before the start is the start")
    }

    func testFilesAreEqualOnlyToThemselves() {
        let a = SourceFile(name: "same", text: "x")
        let b = SourceFile(name: "same", text: "x")
        XCTAssertEqual(a, a)
        XCTAssertNotEqual(a, b)
    }
}
