import DSL
import XCTest

/// The AST shape of each statement and expression form, and the parser's recovery.
final class ParserTests: XCTestCase {
    func parse(_ text: String, file: String = "p.crucible") -> [Stmt] {
        let (program, diagnostics) = Parser.parse(SourceFile(name: file, text: text))
        XCTAssertEqual(diagnostics.map(\.message), [], "unexpected diagnostics")
        return program.statements
    }

    func expression(_ text: String) -> Expr? {
        guard case .let(_, let value, _)? = parse("let v = " + text).first else { return nil }
        return value
    }

    /// The expression as a fully parenthesized string, so precedence can be compared at a glance.
    func shape(_ expr: Expr?) -> String {
        switch expr {
        case nil: return "nil"
        case .integer(let value, _)?: return String(value)
        case .bool(let value, _)?: return String(value)
        case .none?: return "none"
        case .string(let parts, _)?:
            return "\"" + parts.map { part in
                switch part {
                case .text(let text): return text
                case .expression(let inner): return "${" + shape(inner) + "}"
                }
            }.joined() + "\""
        case .variable(let identifier)?: return identifier.name
        case .list(let items, _)?: return "[" + items.map { shape($0) }.joined(separator: ", ") + "]"
        case .record(let fields, _)?: return "{" + fields.map { "\($0.key)=\(shape($0.value))" }.joined(separator: ", ") + "}"
        case .field(let base, let name, _)?: return shape(base) + "." + name.name
        case .index(let base, let key, _)?: return shape(base) + "[" + shape(key) + "]"
        case .unary(let op, let operand, _)?: return "(\(op.rawValue) \(shape(operand)))"
        case .binary(let op, let left, let right, _, _)?: return "(\(shape(left)) \(op.rawValue) \(shape(right)))"
        case .call(let call)?:
            let arguments = call.arguments.map { ($0.label.map { $0.name + ": " } ?? "") + shape($0.value) }
            return call.callee.name + "(" + arguments.joined(separator: ", ") + ")" + (call.block.map { " " + shape($0) } ?? "")
        case .named(let base, let name, _)?: return "(\(shape(base)) as \(shape(name)))"
        }
    }

    // MARK: - Expressions

    func testPrecedence() {
        XCTAssertEqual(shape(expression("1 + 2 * 3 - 4 % 2")), "((1 + (2 * 3)) - (4 % 2))")
        XCTAssertEqual(shape(expression("not a == b and c or d")), "(((not (a == b)) and c) or d)")
        XCTAssertEqual(shape(expression("!a && b || c")), "(((not a) and b) or c)")
        XCTAssertEqual(shape(expression("-x * 2 < 3")), "(((- x) * 2) < 3)")
        XCTAssertEqual(shape(expression("x in xs + ys")), "(x in (xs + ys))")
        XCTAssertEqual(shape(expression("(1 + 2) * 3")), "((1 + 2) * 3)")
    }

    func testPostfixChains() {
        XCTAssertEqual(shape(expression("a.b[0].c[\"k\"]")), "a.b[0].c[\"k\"]")
        XCTAssertEqual(shape(expression("f(x).changed")), "f(x).changed")
    }

    func testLiterals() {
        XCTAssertEqual(shape(expression("[1, \"a\", true, none, [],]")), "[1, \"a\", true, none, []]")
        XCTAssertEqual(shape(expression("{ a = 1\n \"b-c\" = 2, if: 3 }")), "{a=1, b-c=2, if=3}")
        XCTAssertEqual(shape(expression("\"x ${y.z} w\"")), "\"x ${y.z} w\"")
    }

    func testNamedHost() {
        XCTAssertEqual(shape(expression("\"root@h\" as \"web\"")), "(\"root@h\" as \"web\")")
    }

    func testParenCallsWithLabelsAcrossLines() {
        XCTAssertEqual(shape(expression("join(\n  xs,\n  separator: \",\"\n)")), "join(xs, separator: \",\")")
    }

    func testOperatorOnTheNextLineInsideParentheses() {
        XCTAssertEqual(shape(expression("(a\n  + b\n  * c)")), "(a + (b * c))")
        XCTAssertEqual(shape(expression("[a\n == b]")), "[(a == b)]")
    }

    // MARK: - Statements

    func testParamWithTypeDefaultAndDoc() {
        let statements = parse("# The NFS export.\n# Second line.\nparam export: [string] = [\"a\"]\nparam n = 1  # trailing doc\n")
        guard case .param(let decl) = statements[0], case .param(let second) = statements[1] else { return XCTFail("\(statements)") }
        XCTAssertEqual(decl.name.name, "export")
        XCTAssertEqual(decl.type?.description, "[string]")
        XCTAssertEqual(shape(decl.defaultValue), "[\"a\"]")
        XCTAssertEqual(decl.doc, "The NFS export.\nSecond line.")
        XCTAssertNil(second.type)
        XCTAssertEqual(second.doc, "trailing doc")
    }

    func testDocCommentsStopAtABlankLineOrCodeAndSkipOtherDeclarations() {
        let text = "# Not mine: a blank line follows.\n\n# First.\n# Second.\nparam a = 1\nlet x = 1 # not a doc\nparam b = 2\n"
            + "param c = 3 # c's own\n# For d.\nparam d = 4\n"
        let docs = parse(text).compactMap { statement -> String? in
            if case .param(let decl) = statement { return decl.doc }
            return nil
        }
        XCTAssertEqual(docs, ["First.\nSecond.", "", "c's own", "For d."])
    }

    func testLetAssignAndExpressionStatements() {
        let statements = parse("let a = 1\na = a + 1\nlog(a)\n")
        guard case .let(let name, let value, _) = statements[0] else { return XCTFail() }
        XCTAssertEqual(name.name, "a")
        XCTAssertEqual(shape(value), "1")
        guard case .assign(let target, let newValue, let span) = statements[1] else { return XCTFail() }
        XCTAssertEqual(target.name, "a")
        XCTAssertEqual(shape(newValue), "(a + 1)")
        XCTAssertEqual(span.text, "a = a + 1")
        guard case .expression(let call) = statements[2] else { return XCTFail() }
        XCTAssertEqual(shape(call), "log(a)")
    }

    func testCommandStyleCallWithLabelsAndBlock() {
        let statements = parse("edit-ini \"/etc/x\" section: \"libvirt\" {\n  a = 1\n  b = \"two\"\n}\n")
        guard case .expression(.call(let call)) = statements[0] else { return XCTFail("\(statements)") }
        XCTAssertEqual(shape(.call(call)), "edit-ini(\"/etc/x\", section: \"libvirt\") {a=1, b=\"two\"}")
        XCTAssertEqual(call.span.startLocation.line, 1)
        XCTAssertEqual(call.span.endLocation.line, 4)
    }

    func testCommandStyleArgumentsAreSingleTerms() {
        let statements = parse("ensure-line path line\nlet r = f -1 (a + b) not c\n")
        XCTAssertEqual(statements.count, 2)
        guard case .expression(let first) = statements[0], case .let(_, let second, _) = statements[1] else { return XCTFail() }
        XCTAssertEqual(shape(first), "ensure-line(path, line)")
        XCTAssertEqual(shape(second), "f((- 1), (a + b), (not c))")
    }

    func testIndexAndCallWithoutSpaceAreNotCommands() {
        guard case .let(_, let value, _)? = parse("let x = xs[0]\n").first else { return XCTFail() }
        XCTAssertEqual(shape(value), "xs[0]")
        guard case .expression(let call)? = parse("log [1]\n").first else { return XCTFail() }
        XCTAssertEqual(shape(call), "log([1])")
    }

    func testIfElseIfElse() {
        let statements = parse("if a { x() } else if b { y() } else { z() }\n")
        guard case .if(let condition, let then, .if(let second, _, .block(let last)?, _)?, _) = statements[0] else {
            return XCTFail("\(statements)")
        }
        XCTAssertEqual(shape(condition), "a")
        XCTAssertEqual(then.statements.count, 1)
        XCTAssertEqual(shape(second), "b")
        XCTAssertEqual(last.statements.count, 1)
    }

    func testForLoop() {
        guard case .for(let name, let sequence, let body, _)? = parse("for x in range(0, 3) {\n  log(x)\n  log(x)\n}\n").first else {
            return XCTFail()
        }
        XCTAssertEqual(name.name, "x")
        XCTAssertEqual(shape(sequence), "range(0, 3)")
        XCTAssertEqual(body.statements.count, 2)
    }

    func testOnBlock() {
        guard case .on(let targets, let body, .change, let span)? = parse("on [a, b as \"B\"] {\n  log(host.name)\n}\n").first else {
            return XCTFail()
        }
        XCTAssertEqual(shape(targets), "[a, (b as \"B\")]")
        XCTAssertEqual(body.statements.count, 1)
        XCTAssertEqual(span.endLocation.line, 3)
    }

    func testFunctionReturnAndDoc() {
        let statements = parse("# Adds.\nfn add(a, b = 1) {\n  return a + b\n}\nfn nothing() { return }\n")
        guard case .function(let decl) = statements[0], case .function(let empty) = statements[1] else { return XCTFail() }
        XCTAssertEqual(decl.name.name, "add")
        XCTAssertEqual(decl.parameters.map(\.name.name), ["a", "b"])
        XCTAssertNil(decl.parameters[0].defaultValue)
        XCTAssertEqual(shape(decl.parameters[1].defaultValue), "1")
        XCTAssertEqual(decl.doc, "Adds.")
        guard case .return(let value, _) = decl.body.statements[0], case .return(nil, _) = empty.body.statements[0] else {
            return XCTFail()
        }
        XCTAssertEqual(shape(value), "(a + b)")
    }

    func testIncludeAndBareBlock() {
        let statements = parse("include \"lib/common.crucible\"\n{ let a = 1; let b = 2 }\n")
        guard case .include(let path, _, let included) = statements[0] else { return XCTFail() }
        XCTAssertEqual(path, "lib/common.crucible")
        XCTAssertEqual(included.count, 0, "the parser leaves includes to the loader")
        guard case .block(let block) = statements[1] else { return XCTFail() }
        XCTAssertEqual(block.statements.count, 2)
    }

    func testRecordFieldsOnOneLineMayBeSeparatedBySpaces() {
        XCTAssertEqual(shape(expression("{ a = 1  b = \"x\"  \"c\" = 3 }")), "{a=1, b=\"x\", c=3}")
        let (_, diagnostics) = Parser.parse(SourceFile(name: "r", text: "let r = { a = 1 2 }\n"))
        XCTAssertEqual(diagnostics.map(\.message), ["expected a new line, `,` or `}` after the value of `a`, found `2`"])
    }

    // MARK: - Recovery

    func testEveryBrokenStatementIsReportedAndGoodOnesKept() {
        let text = "let a = 1\nlet = 2\nlet b = (3\nlet c = 4\nlog(a +)\nlet d = 5\n"
        let (program, diagnostics) = Parser.parse(SourceFile(name: "r", text: text))
        XCTAssertEqual(diagnostics.map { $0.span.startLocation.line }, [2, 4, 5])
        let names = program.statements.compactMap { statement -> String? in
            if case .let(let name, _, _) = statement { return name.name }
            return nil
        }
        XCTAssertEqual(names, ["a", "c", "d"])
    }

    func testPreflightAndVerifyBlocks() {
        let statements = parse("preflight on nodes {\n  expect(true, \"x\")\n}\nverify on nodes { log(1) }\nlet preflight = 1\npreflight = 2\n")
        guard statements.count == 4,
              case .on(_, let body, .preflight, let span) = statements[0],
              case .on(_, _, .verify, _) = statements[1] else { return XCTFail("\(statements)") }
        XCTAssertEqual(body.statements.count, 1)
        XCTAssertEqual(span.text, "preflight on nodes {\n  expect(true, \"x\")\n}")
        // The words are names everywhere but before `on`.
        guard case .let = statements[2], case .assign = statements[3] else { return XCTFail("\(statements)") }
    }

    func testBrokenRecordInsideABlockDoesNotEndTheBlock() {
        let (program, diagnostics) = Parser.parse(SourceFile(name: "r", text: "on h {\n  let r = { 1 = 2 }\n  log(r)\n}\nlog(2)\n"))
        XCTAssertEqual(diagnostics.count, 1)
        XCTAssertEqual(program.statements.count, 2)
        guard case .on(_, let body, _, _) = program.statements[0] else { return XCTFail() }
        XCTAssertEqual(body.statements.count, 1)
    }

    func testUnexpectedEndIsMarkedForTheRepl() {
        for text in ["on h {", "let x = [1,", "log(", "let r = {", "let x = 1 +", "fn f("] {
            let (_, diagnostics) = Parser.parse(SourceFile(name: "u", text: text))
            XCTAssertEqual(diagnostics.map(\.isUnexpectedEnd), [true], text)
        }
        let (_, complete) = Parser.parse(SourceFile(name: "u", text: "let x = )"))
        XCTAssertEqual(complete.map(\.isUnexpectedEnd), [false])
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let text = "let x = " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let (_, diagnostics) = Parser.parse(SourceFile(name: "d", text: text))
        XCTAssertEqual(diagnostics.first?.id, "E-nesting")
    }

    /// Each `else if` holds the next `if`: 20,000 of them were a tree 20,000 deep, and lint
    /// and run overflowed the stack walking it. They count toward the nesting limit, and
    /// the rest of the chain is skipped rather than reported line by line.
    func testALongElseIfChainIsOneNestingError() {
        var text = "let x = 1\nif x == 0 {\n  log(0)\n"
        for value in 1..<20_000 { text += "} else if x == \(value) {\n  log(\(value))\n" }
        text += "}\nlog(\"after\")\n"
        let (program, diagnostics) = Parser.parse(SourceFile(name: "chain.crucible", text: text))
        XCTAssertEqual(diagnostics.map(\.id), ["E-nesting"])
        XCTAssertEqual(diagnostics.first?.hint?.hasPrefix("each `else if` of a chain counts as a level"), true)
        XCTAssertEqual(program.statements.count, 2, "the statements around the chain are kept")
        let within = "if x == 0 { log(0) }" + (1..<150).map { " else if x == \($0) { log(\($0)) }" }.joined() + "\n"
        XCTAssertEqual(Parser.parse(SourceFile(name: "ok.crucible", text: within)).1.map(\.message), [])
    }
}
