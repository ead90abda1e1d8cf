/// Rewrites a recipe into crucible's one canonical layout.
///
/// The layout: 2-space indentation from the brackets, one statement per line, one space
/// around binary operators and `=` and after `,` and `:`, records `{ a = 1, b = 2 }` on one
/// line unless written over several lines or longer than `width` (then one field per line),
/// blank lines kept but at most one in a row, every comment kept where it was (on its own
/// line, or after the code of its line).
///
/// The formatter never changes what a recipe means: after laying it out, it parses the
/// result and compares it with the original (ASTs without positions, and every comment);
/// if anything differs it refuses with a diagnostic and the caller keeps the file as it is.
/// Formatting twice gives the same text as formatting once.
///
/// A recipe with a comment starting `# fmt: off` is left exactly as written: the corpus cases
/// that test the parser on non-canonical layouts (`;`, several fields on a line) use it.
public struct Formatter {
    /// The comment that keeps the formatter away from a whole file.
    public static let optOutComment = "fmt: off"

    /// Lines longer than this get their one-line records and blocks spread over several lines.
    public var width: Int

    public init(width: Int = 100) {
        self.width = width
    }

    /// The canonical text of `file`, or the diagnostics that stop it being formatted
    /// (syntax errors, or the formatter's own safety checks).
    public func format(_ file: SourceFile) -> Result<String, FormatFailure> {
        var parser = Parser(file: file)
        let program = parser.parseProgram()
        if parser.diagnostics.hasErrors {
            // The errors as `Parser.parse` orders them (lexer and parser interleaved by position).
            return .failure(FormatFailure(diagnostics: Parser.parse(file).1.filter { $0.severity == .error }))
        }
        if parser.comments.contains(where: { LayoutPass.normalized($0).hasPrefix("# " + Self.optOutComment) }) {
            return .success(file.text)
        }
        let text = layOut(file, tokens: parser.tokens, comments: parser.comments, hints: LayoutHints(program))
        if let problem = FormatVerifier.check(original: file, program: program, comments: parser.comments, formatted: text) {
            return .failure(FormatFailure(diagnostics: [problem]))
        }
        return .success(text)
    }

    /// Lays the recipe out; lines that end up too long get their first one-line record or
    /// block broken over several lines, and the layout is redone until nothing changes.
    ///
    /// Breaking a record puts the rest of its line after its `}`; when that rest is still
    /// too long, the next record on it is broken too. Those are decided in the same pass
    /// (a line of 2,000 records is not laid out 2,000 times), so the passes are as many as
    /// the records are nested, and a later pass corrects any line the estimate got wrong.
    func layOut(_ file: SourceFile, tokens: [Token], comments: [Comment], hints: LayoutHints) -> String {
        var forced: Set<Int> = []
        while true {
            var pass = LayoutPass(file: file, tokens: tokens, comments: comments, hints: hints, forcedBreaks: forced)
            let writer = pass.run()
            let before = forced.count
            let outermost = Dictionary(grouping: pass.singleLineBraces.filter { !$0.nested }, by: \.line)
            for (line, braces) in outermost {
                let text = writer.lines[line]
                guard !text.contains("\n") else { continue }
                let length = text.count
                if length > width { forced.formUnion(bracesToBreak(braces, on: text, length: length)) }
            }
            if forced.count == before { return writer.text }
        }
    }

    /// The first brace of a too-long line, then each next one while the rest of the line
    /// after the last broken brace's `}` (at the line's indentation) is still too long.
    func bracesToBreak(_ braces: [SingleLineBrace], on text: String, length: Int) -> [Int] {
        let indent = text.prefix { $0 == " " }.count
        let ends = Self.characterColumns(of: braces.compactMap { $0.closeLine == $0.line ? $0.closeEnd : nil }, in: text)
        var chosen: [Int] = []
        for brace in braces {
            chosen.append(brace.offset)
            guard brace.closeLine == brace.line, let end = brace.closeEnd, let column = ends[end] else { break }
            // The `}` starts the next line, followed by what came after it.
            if indent + 1 + (length - column) <= width { break }
        }
        return chosen
    }

    /// Character columns (counted from 0, just after the byte) of UTF-8 offsets in a line.
    static func characterColumns(of offsets: [Int], in text: String) -> [Int: Int] {
        let wanted = Set(offsets)
        var columns: [Int: Int] = [:]
        var bytes = 0, characters = 0
        for character in text {
            bytes += character.utf8.count
            characters += 1
            if wanted.contains(bytes) { columns[bytes] = characters }
        }
        return columns
    }
}

/// Why a recipe was not formatted; the file is left as it was.
public struct FormatFailure: Error, Sendable {
    public let diagnostics: [Diagnostic]
}
