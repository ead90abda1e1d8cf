import DSL
import XCTest

/// The exact text a user sees for a diagnostic: the `file:line:col` header, the source line
/// with a caret and `~` under the span, then hint and note lines.
final class DiagnosticRendererTests: XCTestCase {
    func span(_ file: SourceFile, of needle: String, occurrence: Int = 0) -> Span {
        var searchStart = file.text.startIndex
        var found: Range<String.Index>?
        for _ in 0...occurrence {
            found = file.text.range(of: needle, range: searchStart..<file.text.endIndex)
            searchStart = found!.upperBound
        }
        let start = file.text.utf8.distance(from: file.text.startIndex, to: found!.lowerBound)
        return Span(file: file, start: start, end: start + needle.utf8.count)
    }

    func testCaretAndTildesUnderTheSpanWithHint() {
        let file = SourceFile(name: "site.crucible", text: "on \"local\" {\n    ensure-lin \"/etc/hosts\" \"x\"\n}\n")
        let diagnostic = Diagnostic(id: "E-unknown-op", span: span(file, of: "ensure-lin"),
                                    message: "unknown operation or function `ensure-lin`",
                                    hint: "did you mean `ensure-line`?")
        XCTAssertEqual(DiagnosticRenderer().render(diagnostic), """
            site.crucible:2:5: error: unknown operation or function `ensure-lin`
             2 |     ensure-lin "/etc/hosts" "x"
               |     ^~~~~~~~~~
               = hint: did you mean `ensure-line`?

            """)
    }

    func testOneCharacterSpanIsACaretAlone() {
        let file = SourceFile(name: "a.crucible", text: "let a = 1 @ 2\n")
        let diagnostic = Diagnostic(id: "E-lex-char", span: span(file, of: "@"), message: "unexpected character `@`")
        XCTAssertEqual(DiagnosticRenderer().render(diagnostic), """
            a.crucible:1:11: error: unexpected character `@`
             1 | let a = 1 @ 2
               |           ^

            """)
    }

    func testNotesWithAndWithoutSpans() {
        let file = SourceFile(name: "f.crucible", text: "fn setup() { return 1 }\nfn setup() { return 2 }\n")
        let diagnostic = Diagnostic(
            id: "E-duplicate", span: span(file, of: "setup", occurrence: 1), message: "function `setup` is defined twice",
            notes: [.init(span: span(file, of: "setup"), message: "first defined here"),
                    .init(span: nil, message: "functions share one namespace with the built-in operations")])
        XCTAssertEqual(DiagnosticRenderer().render(diagnostic), """
            f.crucible:2:4: error: function `setup` is defined twice
             2 | fn setup() { return 2 }
               |    ^~~~~
            f.crucible:1:4: note: first defined here
             1 | fn setup() { return 1 }
               |    ^~~~~
               = note: functions share one namespace with the built-in operations

            """)
    }

    func testTabsBeforeTheCaretAreKeptSoItLinesUp() {
        let file = SourceFile(name: "t.crucible", text: "on \"local\" {\n\tlog(\tmissing)\n}\n")
        let diagnostic = Diagnostic(id: "E-undefined", span: span(file, of: "missing"), message: "undefined name `missing`")
        XCTAssertEqual(DiagnosticRenderer().render(diagnostic),
                       "t.crucible:2:7: error: undefined name `missing`\n"
                       + " 2 | \tlog(\tmissing)\n"
                       + "   | \t    \t^~~~~~~\n")
    }

    func testMultiByteCharactersBeforeTheCaretCountAsOneColumnEach() {
        let file = SourceFile(name: "u.crucible", text: "let café = \"☃\" + ünknown\n")
        let diagnostic = Diagnostic(id: "E-undefined", span: span(file, of: "ünknown"), message: "undefined name `ünknown`")
        XCTAssertEqual(DiagnosticRenderer().render(diagnostic), """
            u.crucible:1:18: error: undefined name `ünknown`
             1 | let café = "☃" + ünknown
               |                  ^~~~~~~

            """)
    }

    func testSpanAtEndOfFileShowsTheEmptyLastLine() {
        let file = SourceFile(name: "e.crucible", text: "on \"local\" {\n  log(1)\n")
        let (_, diagnostics) = Parser.parse(file)
        XCTAssertEqual(diagnostics.count, 1)
        XCTAssertEqual(DiagnosticRenderer().render(diagnostics), """
            e.crucible:3:1: error: expected `}` to close the block
             3 |\u{20}
               | ^
            e.crucible:1:12: note: the block starts here
             1 | on "local" {
               |            ^

            """)
    }

    func testSpanAtEndOfFileWithoutTrailingNewline() {
        let file = SourceFile(name: "n.crucible", text: "let x = 1 +")
        let (_, diagnostics) = Parser.parse(file)
        XCTAssertEqual(DiagnosticRenderer().render(diagnostics), """
            n.crucible:1:12: error: expected an expression, found end of input
             1 | let x = 1 +
               |            ^

            """)
        XCTAssertTrue(diagnostics[0].isUnexpectedEnd)
    }

    func testSpanOverSeveralLinesIsUnderlinedToTheEndOfItsFirstLine() {
        let file = SourceFile(name: "m.crucible", text: "let r = {\n  a = 1\n}\n")
        let start = 8
        let diagnostic = Diagnostic(id: "E-type", span: Span(file: file, start: start, end: file.bytes.count - 1),
                                    message: "a record")
        XCTAssertEqual(DiagnosticRenderer().render(diagnostic), """
            m.crucible:1:9: error: a record
             1 | let r = {
               |         ^

            """)
    }

    func testWideLineNumbersWidenTheGutter() {
        let text = String(repeating: "\n", count: 11) + "let = 1\n"
        let file = SourceFile(name: "w.crucible", text: text)
        let (_, diagnostics) = Parser.parse(file)
        XCTAssertEqual(DiagnosticRenderer().render(diagnostics), """
            w.crucible:12:5: error: expected a name after `let`, found `=`
             12 | let = 1
                |     ^

            """)
    }

    func testColorWrapsOnlyTheSeverity() {
        let file = SourceFile(name: "c.crucible", text: "x\n")
        let diagnostic = Diagnostic(id: "E-undefined", span: Span(file: file, start: 0, end: 1), message: "undefined name `x`")
        let rendered = DiagnosticRenderer(useColor: true).render(diagnostic)
        XCTAssertTrue(rendered.hasPrefix("c.crucible:1:1: \u{1B}[1;31merror\u{1B}[0m: undefined name `x`\n"), rendered)
    }

    func testDiagnosticsRenderOneAfterAnotherInSourceOrder() {
        let file = SourceFile(name: "s.crucible", text: "let a = 1 @ 2\nlet = 3\n")
        let (_, diagnostics) = Parser.parse(file)
        XCTAssertEqual(DiagnosticRenderer().render(diagnostics), """
            s.crucible:1:11: error: unexpected character `@`
             1 | let a = 1 @ 2
               |           ^
            s.crucible:2:5: error: expected a name after `let`, found `=`
             2 | let = 3
               |     ^

            """)
    }

    /// A file of a million bad characters overflowed the stack (the lexer recursed once per
    /// character) and then printed a million errors, each with its megabyte-long line. It
    /// is reported in a screenful: the first 100 of a file, then one note with the count.
    func testManyErrorsAreCappedPerFileAndLongLinesAreCut() {
        let file = SourceFile(name: "at.crucible", text: String(repeating: "@", count: 300_000) + "\n")
        let (_, diagnostics) = Parser.parse(file)
        XCTAssertEqual(diagnostics.count, 300_000)
        let shown = diagnostics.cappedPerFile()
        XCTAssertEqual(shown.count, 101)
        XCTAssertEqual(shown.last?.id, "E-too-many")
        XCTAssertEqual(shown.last?.message, "299900 more problems in this file not shown (the first 100 are)")
        let text = DiagnosticRenderer().render(diagnostics)
        XCTAssertLessThan(text.utf8.count, 50_000)
        XCTAssertTrue(text.contains(" 1 | …@@@"), String(text.prefix(400)))
    }

    func testTheExcerptOfALongLineIsAWindowAroundTheCaret() {
        let line = "let x = " + String(repeating: "a", count: 500) + " + @ + " + String(repeating: "b", count: 500)
        let file = SourceFile(name: "w.crucible", text: line + "\n")
        let diagnostic = Diagnostic(id: "E-lex-char", span: span(file, of: "@"), message: "unexpected character `@`")
        let lines = DiagnosticRenderer().render(diagnostic).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "w.crucible:1:512: error: unexpected character `@`")
        XCTAssertEqual(lines[1], " 1 | …" + String(repeating: "a", count: 47) + " + @ + " + String(repeating: "b", count: 146) + "…")
        XCTAssertEqual(lines[2], "   | " + String(repeating: " ", count: 51) + "^")
    }
}
