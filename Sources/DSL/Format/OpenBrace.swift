/// A bracket the formatter is inside of, with what it decided about its layout.
struct OpenBrace {
    enum Kind { case paren, bracket, block, record }

    let kind: Kind
    /// Indentation level of the line the bracket was opened on; its closing bracket gets the
    /// same level when it starts a line, its contents one more.
    let baseLevel: Int
    /// Blocks and records: laid out one statement or field per line.
    let broken: Bool
    /// Records: how many fields have been written so far (the next needs a separator).
    var fields = 0
    /// A record or block laid out on one line: its index in `LayoutPass.singleLineBraces`.
    var singleLine: Int?
}

/// A record or block the pass laid out on one line, and where it sits in the output.
struct SingleLineBrace {
    /// Output line of its `{`.
    let line: Int
    /// Source offset of its `{` (what `forcedBreaks` holds).
    let offset: Int
    /// Inside another single-line record or block.
    let nested: Bool
    /// Output line of its `}`, and the line's length in UTF-8 bytes right after it.
    var closeLine: Int?
    var closeEnd: Int?
}
