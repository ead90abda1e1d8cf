/// Builds the AST from tokens by recursive descent. On a syntax error it records a
/// diagnostic and skips to the next statement boundary, so one pass reports every error.
///
/// Newlines end statements. Inside `( )` and `[ ]` they are ignored; inside a record
/// `{ }` they separate fields like commas; after a binary operator the expression goes on.
public struct Parser {
    var tokens: [Token]
    var index = 0
    let file: SourceFile
    let comments: [Comment]
    public internal(set) var diagnostics: [Diagnostic] = []
    /// Nesting depth, so that pathological input is an error instead of a stack overflow.
    var depth = 0
    static let maxDepth = 200
    /// How many `else if` links enclose the current position (they count toward `depth`).
    var elseIfLinks = 0
    /// Whether the top-level statement being parsed already hit the nesting limit: one
    /// error says so, the levels it unwinds through add none.
    var nestingReported = false
    /// How many `( )` and `[ ]` enclose the current expression: inside them a newline
    /// does not end it (records reset this, as their newlines separate fields).
    var groupingDepth = 0
    /// Lines where the lexer already reported a bad character or string: a syntax error
    /// there would only repeat it in other words.
    var linesWithLexerErrors: Set<Int> = []
    /// The names written in statements that did not parse (see `Program.unparsedNames`).
    var unparsedNames: Set<String> = []

    public init(file: SourceFile) {
        var lexer = Lexer(file: file)
        self.tokens = lexer.tokenize()
        self.file = file
        self.comments = lexer.comments
        self.diagnostics = lexer.diagnostics
        self.linesWithLexerErrors = Set(lexer.diagnostics.map(\.span.startLine))
    }

    /// Parses a whole file. Diagnostics are in `diagnostics`; the program holds every
    /// statement that parsed.
    public mutating func parseProgram() -> Program {
        var statements: [Stmt] = []
        skipTerminators()
        while !atEnd {
            if case .symbol(.rightBrace) = peek.kind {
                // Nothing else consumes a `}` at the top level: report it (unless the
                // statement before already failed on it) and move past it.
                if diagnostics.last?.span != peek.span {
                    _ = error("E-syntax", peek.span, "unexpected `}`: no block is open here",
                              hint: "remove it, or add the `{` that is missing above")
                }
                advance()
            } else if let statement = parseStatementRecovering() {
                statements.append(statement)
            }
            nestingReported = false
            skipTerminators()
        }
        return Program(statements: statements, file: file, unparsedNames: unparsedNames,
                       allowances: Allowance.find(in: comments, of: file))
    }

    /// Convenience: parse a source text.
    public static func parse(_ file: SourceFile) -> (Program, [Diagnostic]) {
        var parser = Parser(file: file)
        let program = parser.parseProgram()
        // Lexer and parser diagnostics interleaved in source order.
        let ordered = parser.diagnostics.enumerated().sorted {
            ($0.element.span.start, $0.offset) < ($1.element.span.start, $1.offset)
        }.map(\.element)
        return (program, ordered)
    }

    // MARK: - Statements

    mutating func parseStatementRecovering() -> Stmt? {
        let start = index
        do {
            let statement = try parseStatement()
            try expectTerminator()
            if !spoiledByLexerError(statement) { return statement }
        } catch {
            synchronize(statementStart: start)
        }
        noteUnparsedNames(tokens[start..<max(start, index)])
        return nil
    }

    /// A simple statement on a line where the lexer dropped a bad character parses as
    /// something the author did not write (`let b = 'x y'` as a call of `x`): it is left
    /// out, and the lexer's error stands for it. Blocks keep their other statements.
    func spoiledByLexerError(_ statement: Stmt) -> Bool {
        guard !linesWithLexerErrors.isEmpty else { return false }
        switch statement {
        case .if, .for, .on, .function, .block: return false
        default:
            let first = statement.span.startLine
            let last = statement.span.file.line(of: statement.span.end)
            return (first...last).contains { linesWithLexerErrors.contains($0) }
        }
    }

    mutating func parseStatement() throws(SyntaxError) -> Stmt {
        try enter()
        defer { depth -= 1 }
        let token = peek
        switch token.kind {
        case .keyword(.param): return try parseParam()
        case .keyword(.let): return try parseLet()
        case .keyword(.fn): return try parseFunction()
        case .keyword(.if): return try parseIf()
        case .keyword(.for): return try parseFor()
        case .keyword(.on): return try parseOn(phase: .change, start: token.span)
        case .keyword(.return): return try parseReturn()
        case .keyword(.include): return try parseInclude()
        case .symbol(.leftBrace): return .block(try parseBlock())
        case .identifier(let name):
            // `preflight on` / `verify on`: the words are names everywhere else.
            if let phase = OnPhase(rawValue: name), phase != .change, case .keyword(.on) = peekAhead(1).kind {
                advance()
                return try parseOn(phase: phase, start: token.span)
            }
            if case .symbol(.equal) = peekAhead(1).kind {
                advance(); advance()
                let value = try parseExpression()
                return .assign(Identifier(name: name, span: token.span), value, token.span.through(value.span))
            }
            if startsCommandCall() { return .expression(try parseCommandCall()) }
            return .expression(try parseExpression())
        default:
            return .expression(try parseExpression())
        }
    }

    mutating func parseParam() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        let name = try expectIdentifier("a parameter name after `param`")
        var type: TypeExpr?
        if match(.colon) { type = try parseType() }
        var defaultValue: Expr?
        if match(.equal) { defaultValue = try parseExpression() }
        if type == nil && defaultValue == nil {
            throw error("E-syntax", peek.span, "expected `: type` or `= default` after `param \(name.name)`",
                        hint: "for example `param \(name.name): string` or `param \(name.name) = \"value\"`")
        }
        let span = keyword.span.through(previous.span)
        return .param(ParamDecl(name: name, type: type, defaultValue: defaultValue, doc: docComment(for: span), span: span))
    }

    mutating func parseType() throws(SyntaxError) -> TypeExpr {
        if case .symbol(.leftBracket) = peek.kind {
            let open = advance()
            let element = try parseType()
            let close = try expect(.rightBracket, "`]` to close the list type")
            return .list(element, open.span.through(close.span))
        }
        if case .keyword(.none) = peek.kind {
            let token = advance()
            return .named(Identifier(name: "none", span: token.span))
        }
        return .named(try expectIdentifier("a type (string, int, bool, host, record, any, [T])"))
    }

    mutating func parseLet() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        let name = try expectIdentifier("a name after `let`")
        try expect(.equal, "`=` after `let \(name.name)`")
        let value = startsCommandCall() ? try parseCommandCall() : try parseExpression()
        return .let(name, value, keyword.span.through(value.span))
    }

    mutating func parseFunction() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        let name = try expectIdentifier("a function name after `fn`")
        try expect(.leftParen, "`(` after the function name")
        var parameters: [FunctionDecl.Parameter] = []
        skipNewlines()
        while !check(.rightParen) {
            let parameterName = try expectIdentifier("a parameter name")
            var defaultValue: Expr?
            if match(.equal) { defaultValue = try parseExpression() }
            parameters.append(.init(name: parameterName, defaultValue: defaultValue))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        try expect(.rightParen, "`)` to close the parameter list")
        let body = try parseBlock()
        let span = keyword.span.through(body.span)
        return .function(FunctionDecl(name: name, parameters: parameters, body: body,
                                      doc: docComment(for: keyword.span), span: span))
    }

    mutating func parseIf() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        let condition = try parseExpression()
        let then = try parseBlock()
        var otherwise: Stmt?
        if case .keyword(.else) = peek.kind {
            advance()
            if case .keyword(.if) = peek.kind {
                // The chain is a tree as deep as it is long (each `else` holds the next
                // `if`), and every later pass walks it recursively: each link is a level.
                try enter()
                elseIfLinks += 1
                defer { depth -= 1; elseIfLinks -= 1 }
                otherwise = try parseIf()
            } else {
                otherwise = .block(try parseBlock())
            }
        }
        return .if(condition, then, otherwise, keyword.span.through(otherwise?.span ?? then.span))
    }

    mutating func parseFor() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        let name = try expectIdentifier("a loop variable after `for`")
        guard case .keyword(.in) = peek.kind else {
            throw error("E-syntax", peek.span, "expected `in` after `for \(name.name)`, found \(peek.kind)")
        }
        advance()
        let sequence = try parseExpression()
        let body = try parseBlock()
        return .for(name, sequence, body, keyword.span.through(body.span))
    }

    mutating func parseOn(phase: OnPhase, start: Span) throws(SyntaxError) -> Stmt {
        advance()
        let targets = try parseExpression()
        let body = try parseBlock()
        return .on(targets, body, phase, start.through(body.span))
    }

    mutating func parseReturn() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        if isTerminator(peek) { return .return(nil, keyword.span) }
        let value = startsCommandCall() ? try parseCommandCall() : try parseExpression()
        return .return(value, keyword.span.through(value.span))
    }

    mutating func parseInclude() throws(SyntaxError) -> Stmt {
        let keyword = advance()
        guard case .string(let segments) = peek.kind else {
            throw error("E-syntax", peek.span, "expected a file name in quotes after `include`",
                        hint: "for example `include \"common.crucible\"`")
        }
        let pathToken = advance()
        var path = ""
        for segment in segments {
            guard case .text(let text, _) = segment else {
                throw error("E-syntax", pathToken.span, "an include path cannot use `${...}`",
                            hint: "includes are resolved before the recipe runs; write the path literally")
            }
            path += text
        }
        return .include(path, keyword.span.through(pathToken.span), [])
    }

    mutating func parseBlock() throws(SyntaxError) -> Block {
        let open = try expect(.leftBrace, "`{` to start a block")
        var statements: [Stmt] = []
        skipTerminators()
        while !check(.rightBrace) {
            if atEnd {
                // The statements before the end are kept: the checker still reports their mistakes.
                _ = error("E-syntax", peek.span, "expected `}` to close the block", unexpectedEnd: true,
                          notes: [Diagnostic.Note(span: open.span, message: "the block starts here")])
                return Block(statements: statements, span: open.span.through(previous.span))
            }
            if let statement = parseStatementRecovering() { statements.append(statement) }
            skipTerminators()
        }
        let close = advance()
        return Block(statements: statements, span: open.span.through(close.span))
    }

    // MARK: - Calls

    /// A statement that starts `name ARG...` on one line is a command-style call.
    func startsCommandCall() -> Bool {
        guard case .identifier = peek.kind else { return false }
        let next = peekAhead(1)
        // `f(x)` and `xs[0]` written without a space are a paren call and an index.
        if !next.precededBySpace, next.kind == .symbol(.leftParen) || next.kind == .symbol(.leftBracket) { return false }
        switch next.kind {
        case .string, .integer, .identifier: return true
        case .keyword(.true), .keyword(.false), .keyword(.none), .keyword(.not): return true
        case .symbol(.leftBracket), .symbol(.leftBrace), .symbol(.leftParen): return true
        case .symbol(.minus): return next.precededBySpace && !peekAhead(2).precededBySpace
        default: return false
        }
    }

    mutating func parseCommandCall() throws(SyntaxError) -> Expr {
        let nameToken = advance()
        guard case .identifier(let name) = nameToken.kind else { throw error("E-syntax", nameToken.span, "expected a name") }
        let callee = Identifier(name: name, span: nameToken.span)
        var arguments: [Argument] = []
        var block: Expr?
        while !isTerminator(peek) {
            if case .symbol(.leftBrace) = peek.kind {
                block = try parseRecord()
                if case .identifier(let label) = peek.kind, case .symbol(.colon) = peekAhead(1).kind {
                    throw error("E-syntax", peek.span, "`\(label):` comes after the `{ ... }` block of `\(name)`",
                                hint: "put named arguments before the block: `\(name) ... \(label): value { ... }`")
                }
                break
            }
            if let op = operatorAfterCommandArgument(), !arguments.isEmpty {
                throw error("E-syntax", peek.span, "`\(op)` cannot follow an argument of a command-style call",
                            hint: "command-style arguments are single terms: wrap the expression in parentheses, "
                                + "like `(a \(op) b)`, or call `\(name)(...)` with parentheses")
            }
            arguments.append(try parseArgument(commandStyle: true))
        }
        let end = block?.span ?? arguments.last?.span ?? callee.span
        return .call(Call(callee: callee, arguments: arguments, block: block, span: callee.span.through(end)))
    }

    /// A binary operator where the next command-style argument should start (`-` is left
    /// out: `f -1` passes a negative number).
    func operatorAfterCommandArgument() -> String? {
        switch peek.kind {
        case .symbol(let symbol):
            let operators: [Symbol] = [.plus, .star, .slash, .percent, .equalEqual, .bangEqual, .less, .lessEqual,
                                       .greater, .greaterEqual, .ampAmp, .pipePipe]
            return operators.contains(symbol) ? symbol.rawValue : nil
        case .keyword(let keyword):
            return [.and, .or, .in].contains(keyword) ? keyword.rawValue : nil
        default:
            return nil
        }
    }

    mutating func parseArgument(commandStyle: Bool) throws(SyntaxError) -> Argument {
        if case .identifier(let label) = peek.kind, case .symbol(.colon) = peekAhead(1).kind {
            let labelToken = advance()
            advance()
            if !commandStyle { skipNewlines() }
            let value = commandStyle ? try parseCommandArgumentValue() : try parseExpression()
            return Argument(label: Identifier(name: label, span: labelToken.span), value: value)
        }
        let value = commandStyle ? try parseCommandArgumentValue() : try parseExpression()
        return Argument(label: nil, value: value)
    }

    /// Command-style arguments are single terms (`"x"`, `[1, 2]`, `a.b`, `f(x)`, `(a + b)`),
    /// so `ensure-line path line` cannot be read as one expression.
    mutating func parseCommandArgumentValue() throws(SyntaxError) -> Expr {
        if case .symbol(.minus) = peek.kind {
            let minus = advance()
            let operand = try parsePostfix()
            return .unary(.negate, operand, minus.span.through(operand.span))
        }
        if case .keyword(.not) = peek.kind {
            let keyword = advance()
            let operand = try parsePostfix()
            return .unary(.not, operand, keyword.span.through(operand.span))
        }
        return try parsePostfix()
    }

    mutating func finishParenCall(_ callee: Identifier) throws(SyntaxError) -> Expr {
        advance()  // (
        groupingDepth += 1
        defer { groupingDepth -= 1 }
        var arguments: [Argument] = []
        skipNewlines()
        while !check(.rightParen) {
            if atEnd { throw error("E-syntax", peek.span, "expected `)` to close the call of `\(callee.name)`", unexpectedEnd: true) }
            arguments.append(try parseArgument(commandStyle: false))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        let close = try expect(.rightParen, "`)` or `,` in the call of `\(callee.name)`")
        return .call(Call(callee: callee, arguments: arguments, block: nil, span: callee.span.through(close.span)))
    }

    // MARK: - Expressions

    public mutating func parseExpression() throws(SyntaxError) -> Expr {
        try enter()
        defer { depth -= 1 }
        return try parseOr()
    }

    mutating func parseOr() throws(SyntaxError) -> Expr {
        try parseChain(.or) { (parser: inout Parser) throws(SyntaxError) in try parser.parseAnd() }
    }

    mutating func parseAnd() throws(SyntaxError) -> Expr {
        try parseChain(.and) { (parser: inout Parser) throws(SyntaxError) in try parser.parseNot() }
    }

    mutating func parseNot() throws(SyntaxError) -> Expr {
        if let opToken = matchAny([.keyword(.not), .symbol(.bang)]) {
            try enter()
            defer { depth -= 1 }
            let operand = try parseNot()
            return .unary(.not, operand, opToken.span.through(operand.span))
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(SyntaxError) -> Expr {
        try parseChain(.comparison) { (parser: inout Parser) throws(SyntaxError) in try parser.parseAs() }
    }

    /// `expr as "display name"` (for hosts).
    mutating func parseAs() throws(SyntaxError) -> Expr {
        let left = try parseAdditive()
        if case .identifier("as") = peek.kind {
            advance()
            let name = try parseAdditive()
            return .named(left, name, left.span.through(name.span))
        }
        return left
    }

    mutating func parseAdditive() throws(SyntaxError) -> Expr {
        try parseChain(.additive) { (parser: inout Parser) throws(SyntaxError) in
            try parser.parseMultiplicative()
        }
    }

    mutating func parseMultiplicative() throws(SyntaxError) -> Expr {
        try parseChain(.multiplicative) { (parser: inout Parser) throws(SyntaxError) in try parser.parseUnary() }
    }

    /// One precedence level: `operand (OP operand)*`, left-associative. Each link counts
    /// toward the nesting limit (a 10,000-long chain is an error, not a stack overflow), and
    /// inside `( )` or `[ ]` the operator may start the next line.
    mutating func parseChain(
        _ level: OperatorLevel, operand: (inout Parser) throws(SyntaxError) -> Expr
    ) throws(SyntaxError) -> Expr {
        var left = try operand(&self)
        var links = 0
        defer { depth -= links }
        while let op = level.binaryOperator(peekOperator.kind) {
            try enterChainLink(&links)
            skipNewlinesIfGrouped()
            let opToken = advance()
            skipNewlines()
            let right = try operand(&self)
            left = .binary(op, left, right, operatorSpan: opToken.span, left.span.through(right.span))
        }
        return left
    }

    mutating func parseUnary() throws(SyntaxError) -> Expr {
        if case .symbol(.minus) = peek.kind {
            let minus = advance()
            try enter()
            defer { depth -= 1 }
            let operand = try parseUnary()
            return .unary(.negate, operand, minus.span.through(operand.span))
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws(SyntaxError) -> Expr {
        var expr = try parsePrimary()
        var links = 0
        defer { depth -= links }
        while true {
            if peek.kind == .symbol(.dot) || (peek.kind == .symbol(.leftBracket) && !peek.precededBySpace) {
                try enterChainLink(&links)
            }
            if case .symbol(.dot) = peek.kind {
                advance()
                let field = try expectIdentifier("a field name after `.`")
                expr = .field(expr, field, expr.span.through(field.span))
            } else if case .symbol(.leftBracket) = peek.kind, !peek.precededBySpace {
                advance()
                groupingDepth += 1
                defer { groupingDepth -= 1 }
                skipNewlines()
                let key = try parseExpression()
                skipNewlines()
                let close = try expect(.rightBracket, "`]` after the index")
                expr = .index(expr, key, expr.span.through(close.span))
            } else {
                return expr
            }
        }
    }

    mutating func parsePrimary() throws(SyntaxError) -> Expr {
        let token = peek
        switch token.kind {
        case .integer(let value):
            advance()
            return .integer(value, token.span)
        case .keyword(.true):
            advance()
            return .bool(true, token.span)
        case .keyword(.false):
            advance()
            return .bool(false, token.span)
        case .keyword(.none):
            advance()
            return .none(token.span)
        case .string(let segments):
            advance()
            return .string(try parseStringSegments(segments), token.span)
        case .identifier(let name):
            advance()
            let identifier = Identifier(name: name, span: token.span)
            if case .symbol(.leftParen) = peek.kind, !peek.precededBySpace {
                return try finishParenCall(identifier)
            }
            return .variable(identifier)
        case .symbol(.leftBracket):
            return try parseList()
        case .symbol(.leftBrace):
            return try parseRecord()
        case .symbol(.leftParen):
            advance()
            groupingDepth += 1
            defer { groupingDepth -= 1 }
            skipNewlines()
            let inner = try parseExpression()
            skipNewlines()
            try expect(.rightParen, "`)` to close the parenthesis")
            return inner
        case .endOfFile:
            throw error("E-syntax", token.span, "expected an expression, found end of input", unexpectedEnd: true)
        default:
            throw error("E-syntax", token.span, "expected an expression, found \(token.kind)")
        }
    }

    mutating func parseList() throws(SyntaxError) -> Expr {
        let open = advance()
        groupingDepth += 1
        defer { groupingDepth -= 1 }
        var items: [Expr] = []
        skipNewlines()
        while !check(.rightBracket) {
            if atEnd { throw error("E-syntax", peek.span, "expected `]` to close the list", unexpectedEnd: true) }
            items.append(try parseExpression())
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        let close = try expect(.rightBracket, "`,` or `]` in the list")
        return .list(items, open.span.through(close.span))
    }

    /// `{ key = value, "quoted key" = value }`; newlines (or plain spaces) separate fields as commas do.
    mutating func parseRecord() throws(SyntaxError) -> Expr {
        let open = advance()
        let enclosingGrouping = groupingDepth
        groupingDepth = 0
        defer { groupingDepth = enclosingGrouping }
        do {
            return try parseRecordFields(open)
        } catch {
            // Leave the whole record behind, so recovery does not take its `}` for the
            // end of the enclosing block.
            skipPastClosingBrace()
            throw error
        }
    }

    mutating func parseRecordFields(_ open: Token) throws(SyntaxError) -> Expr {
        var fields: [RecordField] = []
        skipTerminatorsAndCommas()
        while !check(.rightBrace) {
            if atEnd {
                throw error("E-syntax", peek.span, "expected `}` to close the record", unexpectedEnd: true,
                            notes: [Diagnostic.Note(span: open.span, message: "the record starts here")])
            }
            let keyToken = advance()
            let key: String
            switch keyToken.kind {
            case .identifier(let name): key = name
            case .keyword(let keyword): key = keyword.rawValue
            case .string(let segments):
                guard segments.allSatisfy({ if case .text = $0 { true } else { false } }) else {
                    throw error("E-syntax", keyToken.span, "a record key cannot use `${...}`")
                }
                key = segments.map { if case .text(let text, _) = $0 { text } else { "" } }.joined()
            default:
                throw error("E-syntax", keyToken.span, "expected a key (`name = value`) in the record, found \(keyToken.kind)")
            }
            guard match(.equal) || match(.colon) else {
                throw error("E-syntax", peek.span, "expected `=` after the key `\(key)`, found \(peek.kind)")
            }
            skipNewlines()
            let value = try parseExpression()
            fields.append(RecordField(key: key, keySpan: keyToken.span, value: value))
            let startsNextKey: Bool
            switch peek.kind {
            case .identifier, .string: startsNextKey = true
            default: startsNextKey = false
            }
            if !(isTerminator(peek) || check(.comma) || check(.rightBrace) || startsNextKey) {
                throw error("E-syntax", peek.span, "expected a new line, `,` or `}` after the value of `\(key)`, found \(peek.kind)")
            }
            skipTerminatorsAndCommas()
        }
        let close = advance()
        return .record(fields, open.span.through(close.span))
    }

    mutating func parseStringSegments(_ segments: [StringSegment]) throws(SyntaxError) -> [StringPart] {
        var parts: [StringPart] = []
        for segment in segments {
            switch segment {
            case .text(let text, _):
                parts.append(.text(text))
            case .interpolation(let inner, let span):
                var sub = Parser(tokens: inner, file: file)
                sub.depth = depth
                guard inner.count > 1 else {
                    throw error("E-syntax", span, "empty interpolation `${}`", hint: "put an expression inside, like `${name}`")
                }
                let parsed: Expr
                do throws(SyntaxError) {
                    parsed = try sub.parseExpression()
                    if !sub.atEnd {
                        throw sub.error("E-syntax", sub.peek.span, "expected `}` to end the interpolation, found \(sub.peek.kind)")
                    }
                } catch {
                    diagnostics += sub.diagnostics
                    throw error
                }
                diagnostics += sub.diagnostics
                parts.append(.expression(parsed))
            }
        }
        return parts
    }

    init(tokens: [Token], file: SourceFile) {
        self.tokens = tokens
        self.file = file
        self.comments = []
    }
}
