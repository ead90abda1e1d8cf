/// Turns recipe text into tokens. Errors are collected as diagnostics and lexing goes on,
/// so one pass reports every bad character and unterminated string.
///
/// Identifiers may contain `-` between letters and digits (`ensure-line`, `edit-ini`), as
/// in HCL; write `a - b` with spaces for subtraction.
public struct Lexer {
    let file: SourceFile
    let bytes: [UInt8]
    var position: Int
    let end: Int
    public private(set) var diagnostics: [Diagnostic] = []
    /// Every comment, in order: params take their doc from them, the formatter keeps them.
    public private(set) var comments: [Comment] = []
    /// How many interpolations enclose this lexer's text: each `${` lexes its inside with a
    /// new lexer, so the depth is limited to keep hostile input from exhausting the stack.
    let nesting: Int
    static let maxInterpolationNesting = 32

    public init(file: SourceFile) {
        self.init(file: file, start: 0, end: file.bytes.count)
        if let (offset, byte) = file.invalidUTF8 {
            // Where the bytes became U+FFFD (three bytes) in the decoded text.
            report("E-lex-encoding", span(offset, min(offset + 3, end)),
                   "the file is not valid UTF-8: byte 0x\(String(byte, radix: 16, uppercase: true)) here is not part of a character",
                   hint: "save the file as UTF-8 (for a Latin-1 file: `iconv -f latin1 -t utf-8`)")
        }
    }

    init(file: SourceFile, start: Int, end: Int, nesting: Int = 0) {
        self.file = file
        self.bytes = file.bytes
        self.position = start
        self.end = end
        self.nesting = nesting
    }

    /// Lexes everything; the last token is always `.endOfFile`.
    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = nextToken()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    // MARK: - Scanning

    mutating func nextToken() -> Token {
        // A loop, not a recursion, over bad characters: a file of a million of them must
        // not overflow the stack.
        while true {
            let spaced = skipSpaceAndComments()
            let start = position
            guard position < end else {
                return Token(kind: .endOfFile, span: span(start, start), precededBySpace: spaced)
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") {
                position += 1
                return Token(kind: .newline, span: span(start, position), precededBySpace: spaced)
            }
            if isIdentifierStart(byte) { return identifier(spaced) }
            if isDigit(byte) { return integer(spaced) }
            if byte == UInt8(ascii: "\"") { return string(spaced) }
            if let symbol = symbol() {
                return Token(kind: .symbol(symbol), span: span(start, position), precededBySpace: spaced)
            }
            // Skip one whole UTF-8 character so the caret sits under it.
            position += 1
            while position < end, bytes[position] & 0xC0 == 0x80 { position += 1 }
            let bad = span(start, position)
            // A U+FFFD that stands for bytes that were not UTF-8 was reported as such.
            if !(file.invalidUTF8 != nil && bad.text == "\u{FFFD}") {
                report("E-lex-char", bad, "unexpected character `\(bad.text)`",
                       hint: bad.text == "'" ? "strings use double quotes: \"...\"" : nil)
            }
        }
    }

    /// Returns whether anything was skipped. A `\` at the end of a line joins it with the next.
    mutating func skipSpaceAndComments() -> Bool {
        let start = position
        while position < end {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "#"):
                let commentStart = position
                while position < end, bytes[position] != UInt8(ascii: "\n") { position += 1 }
                comments.append(Comment(span: span(commentStart, position)))
            case UInt8(ascii: "\\") where position + 1 < end && bytes[position + 1] == UInt8(ascii: "\n"):
                position += 2
            default:
                return position != start
            }
        }
        return position != start
    }

    mutating func identifier(_ spaced: Bool) -> Token {
        let start = position
        position += 1
        while position < end {
            let byte = bytes[position]
            if isIdentifierPart(byte) {
                position += 1
            } else if byte == UInt8(ascii: "-"), position + 1 < end, isIdentifierPart(bytes[position + 1]),
                      isIdentifierPart(bytes[position - 1]) {
                position += 1
            } else {
                break
            }
        }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        let kind: Token.Kind = Keyword(rawValue: name).map { .keyword($0) } ?? .identifier(name)
        return Token(kind: kind, span: span(start, position), precededBySpace: spaced)
    }

    mutating func integer(_ spaced: Bool) -> Token {
        let start = position
        while position < end, isDigit(bytes[position]) || bytes[position] == UInt8(ascii: "_") { position += 1 }
        let digits = String(decoding: bytes[start..<position], as: UTF8.self).filter { $0 != "_" }
        guard let value = Int(digits) else {
            report("E-lex-int", span(start, position), "integer `\(digits)` is too large")
            return Token(kind: .integer(0), span: span(start, position), precededBySpace: spaced)
        }
        return Token(kind: .integer(value), span: span(start, position), precededBySpace: spaced)
    }

    mutating func symbol() -> Symbol? {
        let two = position + 1 < end ? String(decoding: bytes[position...position + 1], as: UTF8.self) : ""
        if let symbol = Symbol(rawValue: two), two.count == 2 {
            position += 2
            return symbol
        }
        if let symbol = Symbol(rawValue: String(UnicodeScalar(bytes[position]))) {
            position += 1
            return symbol
        }
        return nil
    }

    // MARK: - Strings

    /// `"..."` on one line, or `"""` ... `"""` over several lines with the closing
    /// delimiter's indentation removed from every line (as in Swift).
    mutating func string(_ spaced: Bool) -> Token {
        let start = position
        let triple = position + 2 < end && bytes[position + 1] == UInt8(ascii: "\"") && bytes[position + 2] == UInt8(ascii: "\"")
        position += triple ? 3 : 1
        var segments = triple ? scanTripleBody(start: start) : scanBody(start: start)
        if triple { segments = Self.dedent(segments) }
        return Token(kind: .string(segments), span: span(start, position), precededBySpace: spaced)
    }

    mutating func scanBody(start: Int) -> [StringSegment] {
        var builder = SegmentBuilder()
        while true {
            guard position < end, bytes[position] != UInt8(ascii: "\n") else {
                report("E-lex-unterminated", span(start, position), "unterminated string",
                       hint: "close it with `\"` on the same line, or use \"\"\" for a multi-line string",
                       unexpectedEnd: position >= end)
                return builder.finish(file: file, end: position)
            }
            if bytes[position] == UInt8(ascii: "\"") {
                let segments = builder.finish(file: file, end: position)
                position += 1
                return segments
            }
            scanElement(into: &builder)
        }
    }

    mutating func scanTripleBody(start: Int) -> [StringSegment] {
        // The opening delimiter must end its line; that newline is not part of the text.
        while position < end, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
        if position < end, bytes[position] == UInt8(ascii: "\n") { position += 1 }
        var builder = SegmentBuilder()
        while true {
            guard position < end else {
                report("E-lex-unterminated", span(start, position), "unterminated multi-line string",
                       hint: "close it with \"\"\" on a line of its own", unexpectedEnd: true)
                return builder.finish(file: file, end: position)
            }
            if position + 2 < end, bytes[position] == UInt8(ascii: "\""), bytes[position + 1] == UInt8(ascii: "\""),
               bytes[position + 2] == UInt8(ascii: "\"") {
                let segments = builder.finish(file: file, end: position)
                position += 3
                return segments
            }
            scanElement(into: &builder)
        }
    }

    /// One character, escape or interpolation of a string body.
    mutating func scanElement(into builder: inout SegmentBuilder) {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\\") {
            scanEscape(into: &builder)
        } else if byte == UInt8(ascii: "$"), position + 1 < end, bytes[position + 1] == UInt8(ascii: "{") {
            scanInterpolation(into: &builder)
        } else {
            builder.appendByte(byte, at: position)
            position += 1
        }
    }

    mutating func scanEscape(into builder: inout SegmentBuilder) {
        let start = position
        position += 1
        guard position < end else { return }
        let code = bytes[position]
        position += 1
        switch code {
        case UInt8(ascii: "n"): builder.appendText("\n", at: start)
        case UInt8(ascii: "t"): builder.appendText("\t", at: start)
        case UInt8(ascii: "r"): builder.appendText("\r", at: start)
        case UInt8(ascii: "0"): builder.appendText("\0", at: start)
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "'"):
            builder.appendByte(code, at: start)
        case UInt8(ascii: "u"):
            scanUnicodeEscape(start: start, into: &builder)
        default:
            report("E-lex-escape", span(start, position), "unknown escape `\\\(UnicodeScalar(code))`",
                   hint: "valid escapes: \\n \\t \\r \\0 \\\\ \\\" \\$ \\u{HEX}")
        }
    }

    mutating func scanUnicodeEscape(start: Int, into builder: inout SegmentBuilder) {
        guard position < end, bytes[position] == UInt8(ascii: "{") else {
            report("E-lex-escape", span(start, position), "expected `{` after `\\u`", hint: "write \\u{1F600}")
            return
        }
        position += 1
        let digitsStart = position
        while position < end, bytes[position] != UInt8(ascii: "}"), bytes[position] != UInt8(ascii: "\n"),
              bytes[position] != UInt8(ascii: "\"") { position += 1 }
        let digits = String(decoding: bytes[digitsStart..<position], as: UTF8.self)
        if position < end, bytes[position] == UInt8(ascii: "}") { position += 1 }
        guard let value = UInt32(digits, radix: 16), let scalar = UnicodeScalar(value) else {
            report("E-lex-escape", span(start, position), "`\\u{\(digits)}` is not a unicode scalar")
            return
        }
        builder.appendText(String(scalar), at: start)
    }

    /// `${ expr }`: the inner tokens are lexed now, up to the matching `}`. The expression
    /// may hold string literals of its own (`"${join(xs, ", ")}"`).
    mutating func scanInterpolation(into builder: inout SegmentBuilder) {
        let start = position
        position += 2
        guard let inner = closingBrace(from: position) else {
            // Recover at the first quote or end of line, where the enclosing string most likely ends.
            var stop = position
            while stop < end, bytes[stop] != UInt8(ascii: "\n"), bytes[stop] != UInt8(ascii: "\"") { stop += 1 }
            report("E-lex-interpolation", span(start, stop), "unterminated `${` in string",
                   hint: "close the interpolation with `}`; write `\\$` for a literal dollar sign")
            position = stop
            return
        }
        if nesting >= Self.maxInterpolationNesting {
            report("E-nesting", span(start, inner + 1),
                   "string interpolations are nested too deeply (more than \(Self.maxInterpolationNesting) levels)",
                   hint: "compute the inner strings first with `let`")
            position = inner + 1
            return
        }
        var sub = Lexer(file: file, start: position, end: inner, nesting: nesting + 1)
        var tokens = sub.tokenize()
        diagnostics += sub.diagnostics
        tokens.removeAll { $0.kind == .newline }
        position = inner + 1
        builder.appendInterpolation(tokens, span: span(start, position))
    }

    /// Offset of the `}` that closes an interpolation whose expression starts at `start`,
    /// past nested braces and string literals (which may hold interpolations of their own);
    /// nil when the line or the input ends first. A loop over an explicit stack, not
    /// recursion: however deep hostile input nests, the scan costs no call stack.
    func closingBrace(from start: Int) -> Int? {
        var stack: [InterpolationScan] = [.expression(openBraces: 0)]
        var offset = start
        while offset < end {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\n") { return nil }
            switch stack[stack.count - 1] {
            case .expression(let openBraces):
                switch byte {
                case UInt8(ascii: "{"): stack[stack.count - 1] = .expression(openBraces: openBraces + 1)
                case UInt8(ascii: "}"):
                    if openBraces > 0 {
                        stack[stack.count - 1] = .expression(openBraces: openBraces - 1)
                    } else {
                        stack.removeLast()
                        if stack.isEmpty { return offset }
                    }
                case UInt8(ascii: "\""): stack.append(.string)
                default: break
                }
                offset += 1
            case .string:
                switch byte {
                case UInt8(ascii: "\""):
                    stack.removeLast()
                    offset += 1
                case UInt8(ascii: "\\"): offset += 2
                case UInt8(ascii: "$") where offset + 1 < end && bytes[offset + 1] == UInt8(ascii: "{"):
                    stack.append(.expression(openBraces: 0))
                    offset += 2
                default: offset += 1
                }
            }
        }
        return nil
    }

    /// Removes the indentation of the closing `"""` line from every line of a multi-line string.
    static func dedent(_ segments: [StringSegment]) -> [StringSegment] {
        guard case .text(let last, let lastSpan)? = segments.last else { return segments }
        guard let newline = last.lastIndex(of: "\n") else {
            if last.allSatisfy({ $0 == " " || $0 == "\t" }) { return Array(segments.dropLast()) }
            return segments
        }
        let indent = last[last.index(after: newline)...]
        guard indent.allSatisfy({ $0 == " " || $0 == "\t" }) else { return segments }
        var result: [StringSegment] = []
        var atLineStart = true
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .text(var text, let span):
                if index == segments.count - 1 { text = String(text[..<text.index(after: newline)]) }
                var out = ""
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if line.offset > 0 { out += "\n"; atLineStart = true }
                    var piece = Substring(line.element)
                    if atLineStart, piece.hasPrefix(indent) { piece = piece.dropFirst(indent.count) }
                    if !line.element.isEmpty { atLineStart = false }
                    out += piece
                }
                result.append(.text(out, index == segments.count - 1 ? lastSpan : span))
            case .interpolation:
                atLineStart = false
                result.append(segment)
            }
        }
        return result
    }

    // MARK: - Helpers

    func span(_ start: Int, _ end: Int) -> Span { Span(file: file, start: start, end: end) }

    mutating func report(_ id: String, _ span: Span, _ message: String, hint: String? = nil, unexpectedEnd: Bool = false) {
        diagnostics.append(Diagnostic(id: id, span: span, message: message, hint: hint, isUnexpectedEnd: unexpectedEnd))
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }
    func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}

/// A `#` comment; `text` is what follows the `#` (and one space).
public struct Comment: Sendable, Hashable {
    public let span: Span
    public var text: String {
        var body = span.text.dropFirst()
        if body.first == " " { body = body.dropFirst() }
        return String(body)
    }
}

/// Accumulates a string literal's text bytes and interpolations in order.
struct SegmentBuilder {
    private var segments: [StringSegment] = []
    private var pending: [UInt8] = []
    private var pendingStart: Int?

    mutating func appendByte(_ byte: UInt8, at offset: Int) {
        if pendingStart == nil { pendingStart = offset }
        pending.append(byte)
    }

    mutating func appendText(_ text: String, at offset: Int) {
        if pendingStart == nil { pendingStart = offset }
        pending += Array(text.utf8)
    }

    mutating func appendInterpolation(_ tokens: [Token], span: Span) {
        flush(file: span.file, end: span.start)
        segments.append(.interpolation(tokens, span))
    }

    mutating func finish(file: SourceFile, end: Int) -> [StringSegment] {
        flush(file: file, end: end)
        return segments
    }

    private mutating func flush(file: SourceFile, end: Int) {
        guard let start = pendingStart else { return }
        segments.append(.text(String(decoding: pending, as: UTF8.self), Span(file: file, start: start, end: end)))
        pending = []
        pendingStart = nil
    }
}

/// What encloses the scan position while looking for an interpolation's closing `}`.
enum InterpolationScan {
    /// Inside `${ ... }`, with how many of its own `{` are still open.
    case expression(openBraces: Int)
    /// Inside a string literal within the expression.
    case string
}
