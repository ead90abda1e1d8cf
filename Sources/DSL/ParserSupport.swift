/// Thrown inside the parser to unwind to the statement being parsed; the diagnostic has
/// already been recorded.
public struct SyntaxError: Error {}

extension Parser {
    // MARK: - Token access

    var peek: Token { tokens[min(index, tokens.count - 1)] }
    var previous: Token { tokens[max(0, index - 1)] }
    func peekAhead(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }
    var atEnd: Bool { peek.kind == .endOfFile }

    @discardableResult
    mutating func advance() -> Token {
        let token = peek
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func check(_ symbol: Symbol) -> Bool { peek.kind == .symbol(symbol) }

    mutating func match(_ symbol: Symbol) -> Bool {
        guard check(symbol) else { return false }
        advance()
        return true
    }

    /// The next token that could continue an expression with an operator: inside `( )` or
    /// `[ ]` newlines are skipped to find it, elsewhere a newline ends the expression.
    var peekOperator: Token {
        guard groupingDepth > 0 else { return peek }
        var offset = 0
        while peekAhead(offset).kind == .newline { offset += 1 }
        return peekAhead(offset)
    }

    mutating func skipNewlinesIfGrouped() {
        if groupingDepth > 0 { skipNewlines() }
    }

    mutating func matchAny(_ kinds: [Token.Kind]) -> Token? {
        guard kinds.contains(peek.kind) else { return nil }
        return advance()
    }

    @discardableResult
    mutating func expect(_ symbol: Symbol, _ what: String) throws(SyntaxError) -> Token {
        guard check(symbol) else {
            throw error("E-syntax", peek.span, "expected \(what), found \(peek.kind)", unexpectedEnd: atEnd)
        }
        return advance()
    }

    mutating func expectIdentifier(_ what: String) throws(SyntaxError) -> Identifier {
        switch peek.kind {
        case .identifier(let name):
            let token = advance()
            return Identifier(name: name, span: token.span)
        case .keyword(let keyword):
            throw error("E-syntax", peek.span, "expected \(what), found the keyword `\(keyword.rawValue)`",
                        hint: "`\(keyword.rawValue)` is reserved; choose another name")
        default:
            throw error("E-syntax", peek.span, "expected \(what), found \(peek.kind)", unexpectedEnd: atEnd)
        }
    }

    // MARK: - Statement boundaries

    func isTerminator(_ token: Token) -> Bool {
        switch token.kind {
        case .newline, .endOfFile, .symbol(.semicolon), .symbol(.rightBrace): return true
        default: return false
        }
    }

    mutating func expectTerminator() throws(SyntaxError) {
        guard isTerminator(peek) else {
            throw error("E-syntax", peek.span, "expected a new line or `;` after the statement, found \(peek.kind)",
                        hint: hintForStrayToken())
        }
    }

    func hintForStrayToken() -> String? {
        if case .symbol(.equal) = peek.kind { return "to compare, write `==`" }
        if case .string = peek.kind { return "to join strings, use `+` or `${...}` inside one string" }
        return nil
    }

    mutating func skipNewlines() {
        while peek.kind == .newline { advance() }
    }

    mutating func skipTerminators() {
        while peek.kind == .newline || peek.kind == .symbol(.semicolon) { advance() }
    }

    mutating func skipTerminatorsAndCommas() {
        while peek.kind == .newline || peek.kind == .symbol(.semicolon) || peek.kind == .symbol(.comma) { advance() }
    }

    /// Skips to the start of the next statement after an error: past the end of the line,
    /// or up to a `}` that closes the enclosing block (balanced braces in between are skipped).
    /// When the error is at the first token of a later line (an unclosed `(` ran on), that
    /// token already starts the next statement and nothing is skipped.
    mutating func synchronize(statementStart: Int) {
        if index > statementStart, previous.kind == .newline, startsStatement(peek) { return }
        var braces = 0
        while !atEnd {
            switch peek.kind {
            case .symbol(.leftBrace): braces += 1
            case .symbol(.rightBrace):
                if braces == 0 { return }
                braces -= 1
                if braces == 0 { advance(); return }
            case .newline, .symbol(.semicolon):
                if braces == 0 { advance(); return }
            default: break
            }
            advance()
        }
    }

    /// A name or a statement keyword: what a line that starts a new statement begins with.
    func startsStatement(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier: return true
        case .keyword(let keyword):
            return [.param, .let, .fn, .return, .if, .for, .on, .include].contains(keyword)
        default: return false
        }
    }

    /// Skips past the `}` that closes a brace already consumed (nested pairs included).
    mutating func skipPastClosingBrace() {
        var depth = 0
        while !atEnd {
            let token = advance()
            if case .symbol(.leftBrace) = token.kind { depth += 1 }
            if case .symbol(.rightBrace) = token.kind {
                if depth == 0 { return }
                depth -= 1
            }
        }
    }

    mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > Self.maxDepth {
            // The caller's `defer` is not set up yet: undo here, or every such error would
            // lower the limit for the rest of the file.
            depth -= 1
            throw error("E-nesting", peek.span, "the recipe is nested too deeply (more than \(Self.maxDepth) levels)",
                        hint: "split the expression or block into smaller named parts with `let` or `fn`")
        }
    }

    /// One more link of a flat chain (`a + b + c`, `x.a.b`, `l[0][1]`). The parser loops
    /// over a chain, but the tree it builds is as deep as the chain is long, and the checker
    /// and evaluator walk that tree recursively: each link counts as a level of nesting.
    mutating func enterChainLink(_ links: inout Int) throws(SyntaxError) {
        try enter()
        links += 1
    }

    /// Keeps the names written in tokens that did not make a statement, string
    /// interpolations included.
    mutating func noteUnparsedNames(_ skipped: ArraySlice<Token>) {
        for token in skipped {
            switch token.kind {
            case .identifier(let name): unparsedNames.insert(name)
            case .string(let segments):
                for case .interpolation(let inner, _) in segments { noteUnparsedNames(inner[...]) }
            default: break
            }
        }
    }

    // MARK: - Diagnostics

    mutating func error(_ id: String, _ span: Span, _ message: String, hint: String? = nil, unexpectedEnd: Bool = false,
                        notes: [Diagnostic.Note] = []) -> SyntaxError {
        let last = diagnostics.last
        // One error per position: recovery must not stack a second message on the same spot.
        if last?.span != span || last?.message != message, !linesWithLexerErrors.contains(span.startLocation.line) {
            diagnostics.append(Diagnostic(id: id, span: span, message: message, hint: hint, notes: notes,
                                          isUnexpectedEnd: unexpectedEnd))
        }
        return SyntaxError()
    }

    /// The doc comment of a declaration: `#` lines right above it, or a comment at the end
    /// of its line. Comments are in source order, so the ones near the declaration are found
    /// by binary search (a recipe with thousands of params and comments stays linear).
    func docComment(for span: Span) -> String {
        let (line, _) = span.startLocation
        let (endLine, _) = span.endLocation
        let after = firstComment(atOrAfter: span.end)
        if after < comments.count, comments[after].span.startLocation.line == endLine,
           Allowance.ids(in: comments[after].text) == nil {
            return comments[after].text
        }
        var lines: [String] = []
        var wanted = line - 1
        var index = firstComment(atOrAfter: span.start) - 1
        while index >= 0 {
            let comment = comments[index]
            let (commentLine, commentColumn) = comment.span.startLocation
            if commentLine > wanted {
                index -= 1
                continue
            }
            guard commentLine == wanted, file.lineText(commentLine).prefix(commentColumn - 1).allSatisfy({ $0 == " " || $0 == "\t" })
            else { break }
            // `# crucible: allow ...` is for the checker, not part of the documentation.
            if Allowance.ids(in: comment.text) == nil { lines.insert(comment.text, at: 0) }
            wanted -= 1
            index -= 1
        }
        return lines.joined(separator: "\n")
    }

    /// Index of the first comment starting at or after `offset` (`comments.count` if none).
    func firstComment(atOrAfter offset: Int) -> Int {
        var low = 0, high = comments.count
        while low < high {
            let mid = (low + high) / 2
            if comments[mid].span.start < offset { low = mid + 1 } else { high = mid }
        }
        return low
    }

}
