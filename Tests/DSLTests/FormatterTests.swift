@testable import DSL
import XCTest

/// The canonical layout on small recipes, one rule per test, and the formatter's refusals.
final class FormatterTests: XCTestCase {
    func format(_ text: String, width: Int = 100, file: StaticString = #filePath, line: UInt = #line) -> String {
        switch Formatter(width: width).format(SourceFile(name: "t.crucible", text: text)) {
        case .success(let formatted):
            // Every case also checks idempotence: the canonical text is its own format.
            if case .success(let again) = Formatter(width: width).format(SourceFile(name: "t.crucible", text: formatted)) {
                XCTAssertEqual(again, formatted, "formatting twice differs from formatting once", file: file, line: line)
            }
            return formatted
        case .failure(let failure):
            XCTFail("not formatted: \(failure.diagnostics)", file: file, line: line)
            return ""
        }
    }

    func testIndentationAndSpacingAroundOperators() {
        let input = "if  x==1{\n\t log( x+2 ,y )\n      }\n"
        XCTAssertEqual(format(input), "if x == 1 {\n  log(x + 2, y)\n}\n")
    }

    func testSemicolonsBecomeLinesAndMultiStatementBlocksOpenUp() {
        XCTAssertEqual(format("let a = 1; let b = 2\n{ log(a); log(b) }\n"),
                       "let a = 1\nlet b = 2\n{\n  log(a)\n  log(b)\n}\n")
    }

    func testOneStatementBlockOnOneLineStaysOnOneLine() {
        XCTAssertEqual(format("if ok {log(1)} else {  log(2)  }\n"), "if ok { log(1) } else { log(2) }\n")
    }

    func testBlankLinesCollapseToOneAndNoneAfterAnOpeningBrace() {
        let input = "\n\nlet a = 1\n\n\n\nlet b = 2\nfor x in [a] {\n\n  log(x)\n\n}\n\n\n"
        XCTAssertEqual(format(input), "let a = 1\n\nlet b = 2\nfor x in [a] {\n  log(x)\n}\n")
    }

    func testCommentsStayOnTheirLineOrOnTheirOwn() {
        let input = """
            # top
            let a = 1   # after a   \n\
                    # own line, re-indented
            fn f(x) {
            return x # trailing
                # before the brace
            }

            """
        let expected = """
            # top
            let a = 1 # after a
            # own line, re-indented
            fn f(x) {
              return x # trailing
              # before the brace
            }

            """
        XCTAssertEqual(format(input), expected)
    }

    func testRecordsOnOneLineGetCommasAndWrittenOverSeveralLinesOneFieldPerLine() {
        XCTAssertEqual(format("let r = {a=1 b=2;c=3}\n"), "let r = { a = 1, b = 2, c = 3 }\n")
        XCTAssertEqual(format("let r = { a = 1, b = 2,\n  \"c d\": 3 }\n"), "let r = {\n  a = 1\n  b = 2\n  \"c d\": 3\n}\n")
    }

    func testRecordsThatDoNotFitAreSpreadOverLines() {
        let input = "edit-ini \"/etc/x.conf\" section: \"s\" { first_key = \"some value\", second_key = \"another value\" }\n"
        XCTAssertEqual(format(input, width: 60),
                       "edit-ini \"/etc/x.conf\" section: \"s\" {\n  first_key = \"some value\"\n  second_key = \"another value\"\n}\n")
        XCTAssertEqual(format(input, width: 200), input)
    }

    func testCommentsInsideRecordsAreKept() {
        let input = "let r = {\n  a = 1, # one\n  # before b\n  b = 2\n}\n"
        XCTAssertEqual(format(input), "let r = {\n  a = 1 # one\n  # before b\n  b = 2\n}\n")
    }

    func testMeaningfulSpacesAroundParenthesesBracketsAndMinusAreKept() {
        // `log -1` is a command with the argument -1; `(x -1)` is a subtraction.
        XCTAssertEqual(format("log -1\nlet y = (x -1)\nlet z = x-1\n"), "log -1\nlet y = (x - 1)\nlet z = x-1\n")
        // `f(x)` is a call, `f (x)` a command with a parenthesized argument, `xs[0]` an index.
        XCTAssertEqual(format("log(x)\nlog (x)\nlog xs[0]\nlog xs [0]\n"), "log(x)\nlog (x)\nlog xs[0]\nlog xs [0]\n")
        XCTAssertEqual(format("let n = - x\nlog(not  ok, !ok, - 1)\n"), "let n = -x\nlog(not ok, !ok, -1)\n")
    }

    func testContinuationLinesAreIndentedOnceAndBackslashesKept() {
        XCTAssertEqual(format("let a = 1 +\n2\nlet b = 10 \\\n    - 4\n"), "let a = 1 +\n  2\nlet b = 10 \\\n  - 4\n")
        XCTAssertEqual(format("let c = foo(\na,\n     b\n)\n"), "let c = foo(\n  a,\n  b\n)\n")
    }

    func testMultiLineStringsAreCopiedByteForByte() {
        let input = "{\nlet s = \"\"\"\n    kept as is\n  \\t tab ${x}\n    \"\"\"\n}\n"
        XCTAssertEqual(format(input), "{\n  let s = \"\"\"\n    kept as is\n  \\t tab ${x}\n    \"\"\"\n}\n")
    }

    func testStringsKeepTheirEscapesAndInterpolationsAsWritten() {
        let input = "log(\"a\\tb ${ join(xs,\", \") } \\u{41}\")\n"
        XCTAssertEqual(format(input), input)
    }

    func testSyntaxErrorsAreReportedNotFormatted() {
        guard case .failure(let failure) = Formatter().format(SourceFile(name: "bad.crucible", text: "let = 3\n")) else {
            return XCTFail("a recipe with a syntax error was formatted")
        }
        XCTAssertEqual(failure.diagnostics.map(\.id), ["E-syntax"])
    }

    func testOptOutCommentLeavesTheFileAlone() {
        let input = "# fmt: off (hand-aligned)\nlet a  =  1; let b = 2\n"
        XCTAssertEqual(format(input), input)
    }

    func testVerifierRefusesWhenACommentWouldBeLost() throws {
        let original = SourceFile(name: "t.crucible", text: "let a = 1 # keep me\n")
        var parser = Parser(file: original)
        let program = parser.parseProgram()
        let problem = try XCTUnwrap(FormatVerifier.check(original: original, program: program, comments: parser.comments,
                                                         formatted: "let a = 1\n"))
        XCTAssertEqual(problem.id, "E-fmt-comment")
        XCTAssertEqual(problem.span.text, "# keep me")
        XCTAssertNil(FormatVerifier.check(original: original, program: program, comments: parser.comments,
                                          formatted: "let a = 1   # keep me\n"))
    }

    func testVerifierRefusesWhenTheMeaningWouldChange() throws {
        let original = SourceFile(name: "t.crucible", text: "log -1\n")
        var parser = Parser(file: original)
        let program = parser.parseProgram()
        // `log - 1` is a subtraction, not a command with a negative argument.
        let problem = try XCTUnwrap(FormatVerifier.check(original: original, program: program, comments: [], formatted: "log - 1\n"))
        XCTAssertEqual(problem.id, "E-fmt-meaning")
    }

    func testShapeIgnoresPositionsButNotContent() {
        func shape(_ text: String) -> String { ASTShape.describe(Parser.parse(SourceFile(name: "t", text: text)).0) }
        XCTAssertEqual(shape("let a = {x=1}\n"), shape("\n\nlet   a = {\n  x = 1\n}\n"))
        XCTAssertNotEqual(shape("let a = {x=1}\n"), shape("let a = {x=2}\n"))
        XCTAssertNotEqual(shape("log(1 + 2 * 3)\n"), shape("log((1 + 2) * 3)\n"))
    }

    // MARK: - Long lines

    /// The old loop: one more brace per too-long line per pass, until nothing changes. The
    /// formatter decides several in one pass; the result must be the same.
    func referenceLayOut(_ text: String, width: Int) -> String {
        let file = SourceFile(name: "t.crucible", text: text)
        var parser = Parser(file: file)
        let program = parser.parseProgram()
        var forced: Set<Int> = []
        while true {
            var pass = LayoutPass(file: file, tokens: parser.tokens, comments: parser.comments,
                                  hints: LayoutHints(program), forcedBreaks: forced)
            let writer = pass.run()
            let before = forced.count
            for (line, text) in writer.lines.enumerated() where !text.contains("\n") && text.count > width {
                if let brace = pass.singleLineBraces.first(where: { $0.line == line }) { forced.insert(brace.offset) }
            }
            if forced.count == before { return writer.text }
        }
    }

    func testBreakingSeveralBracesAPassGivesTheOneAtATimeLayout() {
        let records = (0..<120).map { "{ a = \($0) }" }.joined(separator: ", ")
        let inputs = [
            "let x = [\(records)]\n",
            "let x = [\(records), { b = [{ c = \"ü\" }, { d = 2 }] }]  # after\n",
            "on \"local\" {\n  let y = f(" + (0..<40).map { "{ k\($0) = \"été\" }" }.joined(separator: ", ") + ")\n}\n",
            "if x == 0 { log(0) }" + (1..<60).map { " else if x == \($0) { log({ n = \($0) }) }" }.joined() + "\n",
        ]
        for input in inputs {
            for width in [20, 60, 100] {
                XCTAssertEqual(format(input, width: width), referenceLayOut(input, width: width), "width \(width): \(input.prefix(60))")
            }
        }
    }

    /// One line of 2,000 records took 173 s (a layout pass per record); now a pass per level.
    /// Its time is not asserted here (speed belongs in benchmarks/): a quadratic pass would
    /// make this test take minutes, which CI's time limit would show.
    func testALineOfThousandsOfRecordsIsFormattedRecordByRecord() {
        let input = "let x = [" + (0..<4000).map { "{ a = \($0) }" }.joined(separator: ", ") + "]\n"
        let formatted = format(input)
        XCTAssertEqual(formatted.components(separatedBy: "\n  a = ").count - 1, 3993)
    }
}
