/// The formatted text, built a line at a time: the formatter decides where lines break and
/// how deep they are indented, the writer keeps the lines and the spaces between items.
struct LayoutWriter {
    static let indentUnit = "  "

    /// Finished and current lines; a line may hold newlines of a multi-line string token.
    private(set) var lines: [String] = []
    /// Indentation level of the current line.
    private(set) var level = 0
    /// Whether anything but indentation is on the current line.
    private(set) var lineHasContent = false

    var currentLine: Int { max(0, lines.count - 1) }
    /// UTF-8 length of the current line so far.
    var currentLineLength: Int { lines.last?.utf8.count ?? 0 }

    /// Ends the current line (if any) and starts one at `level`, after one blank line if asked.
    mutating func startLine(level: Int, blankBefore: Bool) {
        if blankBefore && !lines.isEmpty { lines.append("") }
        lines.append(String(repeating: Self.indentUnit, count: level))
        self.level = level
        lineHasContent = false
    }

    /// Appends an item's text to the current line, after one space when `spaced` and the
    /// line already has content.
    mutating func append(_ text: String, spaced: Bool) {
        if lines.isEmpty { lines.append("") }
        if spaced && lineHasContent { lines[lines.count - 1] += " " }
        lines[lines.count - 1] += text
        lineHasContent = true
    }

    /// The text with one final newline (empty for an empty recipe).
    var text: String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
