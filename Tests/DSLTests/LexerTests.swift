import DSL
import XCTest

/// Tokens and their spans, string segments, and the lexer's own errors.
final class LexerTests: XCTestCase {
    func lex(_ text: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(file: SourceFile(name: "t.crucible", text: text))
        let tokens = lexer.tokenize()
        return (tokens, lexer.diagnostics)
    }

    func kinds(_ text: String) -> [Token.Kind] { lex(text).tokens.map(\.kind) }

    func testKeywordsIdentifiersIntegersAndSymbols() {
        XCTAssertEqual(kinds("let ensure-line = 1_000 >= x"), [
            .keyword(.let), .identifier("ensure-line"), .symbol(.equal), .integer(1000), .symbol(.greaterEqual),
            .identifier("x"), .endOfFile,
        ])
        XCTAssertEqual(kinds("a && b || !c != d == e <= f"), [
            .identifier("a"), .symbol(.ampAmp), .identifier("b"), .symbol(.pipePipe), .symbol(.bang), .identifier("c"),
            .symbol(.bangEqual), .identifier("d"), .symbol(.equalEqual), .identifier("e"), .symbol(.lessEqual),
            .identifier("f"), .endOfFile,
        ])
    }

    func testDashJoinsNamesOnlyBetweenLetterOrDigitCharacters() {
        XCTAssertEqual(kinds("a-b a - b a -b x-"), [
            .identifier("a-b"), .identifier("a"), .symbol(.minus), .identifier("b"), .identifier("a"), .symbol(.minus),
            .identifier("b"), .identifier("x"), .symbol(.minus), .endOfFile,
        ])
    }

    func testSpansAreByteRanges() {
        let (tokens, _) = lex("let s = \"é\" + x")
        XCTAssertEqual(tokens.map { [$0.span.start, $0.span.end] }, [[0, 3], [4, 5], [6, 7], [8, 12], [13, 14], [15, 16], [16, 16]])
    }

    func testNonAsciiIdentifiersAreNotNames() {
        let (tokens, diagnostics) = lex("é")
        XCTAssertEqual(tokens.map(\.kind), [.endOfFile])
        XCTAssertEqual(diagnostics.map(\.id), ["E-lex-char"])
        XCTAssertEqual(diagnostics[0].span.start, 0)
        XCTAssertEqual(diagnostics[0].span.end, 2, "the whole two-byte character")
    }

    func testNewlinesCommentsAndLineJoining() {
        let (tokens, _) = lex("a # comment\nb \\\n c")
        XCTAssertEqual(tokens.map(\.kind), [.identifier("a"), .newline, .identifier("b"), .identifier("c"), .endOfFile])
        var lexer = Lexer(file: SourceFile(name: "t", text: "a # comment\n#second"))
        _ = lexer.tokenize()
        XCTAssertEqual(lexer.comments.map(\.text), ["comment", "second"])
    }

    func testPrecededBySpaceTellsCallsFromCommands() {
        let (tokens, _) = lex("f(x) f (x)")
        XCTAssertFalse(tokens[1].precededBySpace)
        XCTAssertTrue(tokens[5].precededBySpace)
    }

    func testStringSegmentsSplitTextAndInterpolations() {
        let (tokens, diagnostics) = lex(#""a ${b + 1} c\t""#)
        XCTAssertEqual(diagnostics, [])
        guard case .string(let segments) = tokens[0].kind else { return XCTFail("not a string") }
        XCTAssertEqual(segments.count, 3)
        guard case .text("a ", let firstSpan) = segments[0] else { return XCTFail("\(segments[0])") }
        XCTAssertEqual(firstSpan.start, 1)
        guard case .interpolation(let inner, let innerSpan) = segments[1] else { return XCTFail("\(segments[1])") }
        XCTAssertEqual(inner.map(\.kind), [.identifier("b"), .symbol(.plus), .integer(1), .endOfFile])
        XCTAssertEqual(innerSpan.text, "${b + 1}")
        XCTAssertEqual(inner[0].span.start, 5, "inner tokens have positions in the file")
        guard case .text(" c\t", _) = segments[2] else { return XCTFail("\(segments[2])") }
    }

    func testInterpolationMayHoldStringsWithBracesAndQuotes() {
        let (tokens, diagnostics) = lex(#""[${join(xs, "}, \"")}]""#)
        XCTAssertEqual(diagnostics, [])
        guard case .string(let segments) = tokens[0].kind, case .interpolation(let inner, _) = segments[1] else {
            return XCTFail("\(tokens)")
        }
        XCTAssertEqual(inner.count, 7)
        guard case .string(let innerSegments) = inner[4].kind, case .text(let text, _) = innerSegments[0] else {
            return XCTFail("\(inner)")
        }
        XCTAssertEqual(text, "}, \"")
        XCTAssertEqual(tokens.count, 2)
    }

    func testEscapes() {
        let (tokens, diagnostics) = lex(#""\n\t\r\0\\\"\$\'\u{41}\u{1F600}""#)
        XCTAssertEqual(diagnostics, [])
        guard case .string(let segments) = tokens[0].kind, case .text(let text, _) = segments[0] else { return XCTFail() }
        XCTAssertEqual(text, "\n\t\r\0\\\"$'A😀")
    }

    func testMultiLineStringIsDedentedByTheClosingDelimiter() {
        let (tokens, diagnostics) = lex("let s = \"\"\"\n    a\n      b ${x}\n\n    c\n    \"\"\"\n")
        XCTAssertEqual(diagnostics, [])
        guard case .string(let segments) = tokens[3].kind else { return XCTFail("\(tokens)") }
        guard case .text("a\n  b ", _) = segments[0], case .interpolation = segments[1], case .text("\n\nc\n", _) = segments[2] else {
            return XCTFail("\(segments)")
        }
        XCTAssertEqual(tokens[4].kind, .newline)
    }

    func testErrorsAreCollectedAndLexingGoesOn() {
        let (tokens, diagnostics) = lex("a @ b\n\"open\nc 99999999999999999999999 \"\\q\"")
        XCTAssertEqual(diagnostics.map(\.id), ["E-lex-char", "E-lex-unterminated", "E-lex-int", "E-lex-escape"])
        XCTAssertEqual(tokens.filter { if case .identifier = $0.kind { true } else { false } }.count, 3)
        XCTAssertFalse(diagnostics[1].isUnexpectedEnd, "a one-line string ends at its line")
    }

    func testUnterminatedStringAtEndOfInputIsUnexpectedEnd() {
        XCTAssertEqual(lex("\"open").diagnostics.map(\.isUnexpectedEnd), [true])
        XCTAssertEqual(lex("\"\"\"\nopen").diagnostics.map(\.isUnexpectedEnd), [true])
    }

    func testTokenDescriptionsUsedInMessages() {
        XCTAssertEqual(Token.Kind.identifier("x").description, "`x`")
        XCTAssertEqual(Token.Kind.keyword(.let).description, "`let`")
        XCTAssertEqual(Token.Kind.string([]).description, "a string")
        XCTAssertEqual(Token.Kind.newline.description, "end of line")
        XCTAssertEqual(Token.Kind.endOfFile.description, "end of input")
    }
}
