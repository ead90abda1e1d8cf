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
}
