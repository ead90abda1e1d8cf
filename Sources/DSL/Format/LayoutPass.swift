/// One pass of the formatter over a recipe's tokens and comments, in source order.
///
/// Tokens are copied as written (strings keep their escapes and interpolations byte for
/// byte); only the whitespace between them is decided here. Line breaks are kept where the
/// author put them, with these changes: `;` between statements becomes a line break, blocks
/// with more than one statement or written over several lines get one statement per line,
/// records written over several lines (or too long, see `forcedBreaks`) get one field per
/// line and the others `{ a = 1, b = 2 }`, blank lines shrink to one, and indentation is
/// recomputed from the brackets.
struct LayoutPass {
    let file: SourceFile
    let tokens: [Token]
    let comments: [Comment]
    let hints: LayoutHints
    /// Offsets of single-line records and blocks to lay out over several lines anyway.
    let forcedBreaks: Set<Int>

    private var writer = LayoutWriter()
    private var stack: [OpenBrace] = []
    private var previous: Token?
    private var previousOpened = false
    /// Line breaks (not `\` continuations) in the source since the last item written.
    private var newlines = 0
    private var backslashContinuation = false
    /// A comment was written: the next item starts a new line.
    private var mustBreak = false
    /// A `;` or a broken `{` asks for a new line before the next item.
    private var pendingBreak = false
    private var consumedUpTo = 0
    /// Single-line records and blocks and the output line they sit on.
    private(set) var singleLineBraces: [SingleLineBrace] = []
    /// How many single-line records and blocks are open.
    private var openSingleLine = 0

    init(file: SourceFile, tokens: [Token], comments: [Comment], hints: LayoutHints, forcedBreaks: Set<Int>) {
        self.file = file
        self.tokens = tokens.filter { $0.kind != .newline && $0.kind != .endOfFile }
        self.comments = comments
        self.hints = hints
        self.forcedBreaks = forcedBreaks
    }

    /// The formatted text and its lines.
    mutating func run() -> LayoutWriter {
        var tokenIndex = 0, commentIndex = 0
        while tokenIndex < tokens.count || commentIndex < comments.count {
            let takeComment = commentIndex < comments.count
                && (tokenIndex >= tokens.count || comments[commentIndex].span.start < tokens[tokenIndex].span.start)
            if takeComment {
                write(comments[commentIndex])
                commentIndex += 1
            } else {
                write(tokens[tokenIndex])
                tokenIndex += 1
            }
        }
        return writer
    }

    // MARK: - Comments

    mutating func write(_ comment: Comment) {
        absorbGap(upTo: comment.span.start)
        consumedUpTo = comment.span.end
        let text = Self.normalized(comment)
        if newlines == 0 && !backslashContinuation && writer.lineHasContent {
            writer.append(text, spaced: true)
        } else {
            let continuation = !isInsideGrouping && previous.map(isBinaryOperator) == true
            writer.startLine(level: innerLevel + (continuation ? 1 : 0), blankBefore: wantsBlankLine(closing: false))
            writer.append(text, spaced: false)
        }
        newlines = 0
        backslashContinuation = false
        mustBreak = true
        previousOpened = false
    }

    /// A comment as it is written out: `#` and its text, without trailing whitespace.
    static func normalized(_ comment: Comment) -> String {
        var text = Substring(comment.span.text)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }

    // MARK: - Tokens

    mutating func write(_ token: Token) {
        absorbGap(upTo: token.span.start)
        consumedUpTo = token.span.end
        if isDroppedSeparator(token) { return }

        let closing = isCloser(token)
        var separator = false
        var breakLine = mustBreak || pendingBreak
        let reasonIsSource = newlines > 0 || backslashContinuation
        switch stack.last?.kind {
        case .record?:
            let record = stack[stack.count - 1]
            if hints.recordKeys.contains(token.span.start) && record.fields > 0 {
                if record.broken { breakLine = true } else { separator = true }
            }
            if closing && record.broken { breakLine = true }
        case .block?, nil:
            if closing {
                if stack.last?.broken == true { breakLine = true }
            } else if reasonIsSource {
                breakLine = true
            }
        case .paren?, .bracket?:
            if reasonIsSource { breakLine = true }
        }

        if breakLine {
            let onlyBackslash = backslashContinuation && newlines == 0 && !mustBreak && !pendingBreak
            if onlyBackslash && !isInsideGrouping { writer.append("\\", spaced: true) }
            // Inside `( )` and `[ ]` the bracket already indents; elsewhere a statement or field
            // that goes on over several lines indents its later lines once.
            let continuation = !closing && !isInsideGrouping
                && (previous.map(isBinaryOperator) == true || isBinaryOperator(token) || onlyBackslash)
            let level = closing ? (stack.last?.baseLevel ?? 0) : innerLevel + (continuation ? 1 : 0)
            writer.startLine(level: level, blankBefore: wantsBlankLine(closing: closing))
            writer.append(token.span.text, spaced: false)
        } else {
            if separator { writer.append(",", spaced: false) }
            let spaced = separator || previous.map {
                TokenSpacing.needsSpace(after: $0, before: token, binaryOperators: hints.binaryOperators)
            } ?? false
            writer.append(token.span.text, spaced: spaced)
        }

        if hints.recordKeys.contains(token.span.start), stack.last?.kind == .record {
            stack[stack.count - 1].fields += 1
        }
        previous = token
        newlines = 0
        backslashContinuation = false
        mustBreak = false
        pendingBreak = false
        previousOpened = false
        if closing {
            if let index = stack.last?.singleLine {
                singleLineBraces[index].closeLine = writer.currentLine
                singleLineBraces[index].closeEnd = writer.currentLineLength
                openSingleLine -= 1
            }
            if !stack.isEmpty { stack.removeLast() }
        } else if var brace = opening(token) {
            previousOpened = true
            if brace.broken {
                pendingBreak = true
            } else if brace.kind == .record || brace.kind == .block {
                brace.singleLine = singleLineBraces.count
                singleLineBraces.append(SingleLineBrace(line: writer.currentLine, offset: token.span.start, nested: openSingleLine > 0))
                openSingleLine += 1
            }
            stack.append(brace)
        }
    }

    /// `;` between statements (it becomes a line break) and `,`/`;` between record fields
    /// (the formatter writes its own separators).
    mutating func isDroppedSeparator(_ token: Token) -> Bool {
        switch (token.kind, stack.last?.kind) {
        case (.symbol(.semicolon), .block?), (.symbol(.semicolon), nil):
            pendingBreak = true
            return true
        case (.symbol(.semicolon), .record?), (.symbol(.comma), .record?):
            return true
        default:
            return false
        }
    }

    /// The bracket a token opens, with its layout decided.
    func opening(_ token: Token) -> OpenBrace? {
        let level = writer.level
        switch token.kind {
        case .symbol(.leftParen): return OpenBrace(kind: .paren, baseLevel: level, broken: false)
        case .symbol(.leftBracket): return OpenBrace(kind: .bracket, baseLevel: level, broken: false)
        case .symbol(.leftBrace):
            let offset = token.span.start
            let forced = forcedBreaks.contains(offset)
            if let multiline = hints.records[offset] {
                return OpenBrace(kind: .record, baseLevel: level, broken: multiline || forced)
            }
            let block = hints.blocks[offset] ?? (statements: 2, multiline: true)
            return OpenBrace(kind: .block, baseLevel: level, broken: block.statements > 1 || block.multiline || forced)
        default:
            return nil
        }
    }

    // MARK: - Helpers

    /// Counts the line breaks between the last item and `offset`; a `\` right before a line
    /// break joins lines for the lexer and is counted apart.
    mutating func absorbGap(upTo offset: Int) {
        guard offset > consumedUpTo else { return }
        let bytes = file.bytes
        for position in consumedUpTo..<min(offset, bytes.count) where bytes[position] == UInt8(ascii: "\n") {
            if position > 0 && bytes[position - 1] == UInt8(ascii: "\\") {
                backslashContinuation = true
            } else {
                newlines += 1
            }
        }
    }

    /// One blank line is kept where the source had at least one, except right after an
    /// opening bracket or before a closing one.
    func wantsBlankLine(closing: Bool) -> Bool {
        newlines >= 2 && !closing && !previousOpened && writer.lineHasContent
    }

    /// Level of a line inside the innermost open bracket.
    var innerLevel: Int { stack.last.map { $0.baseLevel + 1 } ?? 0 }

    var isInsideGrouping: Bool {
        stack.last?.kind == .paren || stack.last?.kind == .bracket
    }

    func isCloser(_ token: Token) -> Bool {
        token.kind == .symbol(.rightParen) || token.kind == .symbol(.rightBracket) || token.kind == .symbol(.rightBrace)
    }

    func isBinaryOperator(_ token: Token) -> Bool {
        hints.binaryOperators.contains(token.span.start)
    }
}
