import DSL
import XCTest

/// What a program knows beyond its statements, for the checker: the names in statements that
/// did not parse, the includes that could not be read, and `# crucible: allow` comments.
final class ProgramGapsTests: XCTestCase {
    func testNamesOfBrokenStatementsAreKeptAndGoodStatementsToo() {
        let (program, diagnostics) = Parser.parse(SourceFile(name: "g.crucible", text: """
            let ports = [22, 80
            fn label(node {
              return "${prefix}-${node}"
            }
            let ok = 1

            """))
        XCTAssertEqual(diagnostics.count, 2)
        XCTAssertTrue(program.unparsedNames.isSuperset(of: ["ports", "label", "node", "prefix"]), "\(program.unparsedNames)")
        XCTAssertFalse(program.unparsedNames.contains("ok"))
        XCTAssertEqual(program.statements.count, 1, "the good statement is kept")
    }

    func testAnUnclosedBlockKeepsItsStatements() {
        let (program, diagnostics) = Parser.parse(SourceFile(name: "g.crucible", text: "on \"local\" {\n  log(1)\n  if true {\n    log(2)\n"))
        XCTAssertEqual(diagnostics.map(\.message), ["expected `}` to close the block"], "one error for both open blocks")
        XCTAssertTrue(diagnostics.allSatisfy(\.isUnexpectedEnd))
        guard case .on(_, let body, _, _)? = program.statements.first else { return XCTFail("the on block is kept") }
        XCTAssertEqual(body.statements.count, 2)
        guard case .if(_, let then, _, _) = body.statements[1] else { return XCTFail("the inner if is kept") }
        XCTAssertEqual(then.statements.count, 1)
    }

    func testAllowancesAtTheEndOfALineAndOnTheirOwnLine() {
        let (program, _) = Parser.parse(SourceFile(name: "g.crucible", text: """
            run "a"  # crucible: allow W-run-always
            # crucible: allow W-unused, W-shadow: both meant here

            # another comment
            let x = 1
            # crucible: allowing nothing
            # not crucible: allow W-unused

            """))
        XCTAssertEqual(program.allowances.map(\.ids), [["W-run-always"], ["W-unused", "W-shadow"]])
        XCTAssertEqual(program.allowances.map(\.ownLine), [false, true])
        XCTAssertEqual(program.allowances.map(\.line), [1, 5], "an own-line allowance covers the next line with code")
    }

    func testAnAllowanceIsNotPartOfAParamsDocumentation() {
        let (program, _) = Parser.parse(SourceFile(name: "g.crucible", text: """
            # The port.
            # crucible: allow W-unused
            param port = 1  # crucible: allow W-unused

            """))
        guard case .param(let decl)? = program.statements.first else { return XCTFail("a param") }
        XCTAssertEqual(decl.doc, "The port.")
    }

    func testTheLoaderMergesIncludedFilesAndMarksUnreadIncludes() {
        let files = [
            "/r/main.crucible": "include \"lib.crucible\"\ninclude \"gone.crucible\"\n",
            "/r/lib.crucible": "let x = [1\n# crucible: allow W-unused\nlet y = 2\n",
        ]
        let loader = RecipeLoader(readFile: { files[$0] })
        let (program, diagnostics) = loader.load(path: "/r/main.crucible")
        XCTAssertEqual(diagnostics.map(\.id), ["E-syntax", "E-include-missing"])
        XCTAssertTrue(program?.unparsedNames.contains("x") == true)
        XCTAssertEqual(program?.allowances.map(\.span.file.name), ["/r/lib.crucible"])
        XCTAssertEqual(program?.unresolvedIncludes.map(\.startLocation.line), [2])
    }
}
