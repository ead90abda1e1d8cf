/// Renders diagnostics the way a user sees them:
///
///     recipe.crucible:3:5: error: unknown operation `ensure-lin`
///       3 |     ensure-lin "/etc/hosts" "127.0.0.1 localhost"
///         |     ^~~~~~~~~~
///         = hint: did you mean `ensure-line`?
public struct DiagnosticRenderer: Sendable {
    public var useColor: Bool

    public init(useColor: Bool = false) { self.useColor = useColor }

    /// Renders at most `shownPerFile` diagnostics of each file (`cappedPerFile`).
    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.cappedPerFile().map(render).joined()
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        var out = "\(diagnostic.span): \(paint(diagnostic.severity)): \(diagnostic.message)\n"
        out += excerpt(diagnostic.span)
        if let hint = diagnostic.hint {
            out += "   = hint: \(hint)\n"
        }
        for note in diagnostic.notes {
            if let span = note.span {
                out += "\(span): note: \(note.message)\n" + excerpt(span)
            } else {
                out += "   = note: \(note.message)\n"
            }
        }
        return out
    }

    /// Lines longer than this are shown as a window around the caret, cut with `…`.
    public static let excerptWidth = 200

    /// The source line with a caret under the start of the span and `~` under the rest
    /// of it (up to the end of that line).
    public func excerpt(_ span: Span) -> String {
        let (line, column) = span.startLocation
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        var lineChars = Array(span.file.lineText(line))
        var startIndex = min(column - 1, lineChars.count)
        let (endLine, endColumn) = span.endLocation
        var endIndex = endLine == line ? max(startIndex + 1, endColumn - 1) : max(startIndex + 1, lineChars.count)
        if lineChars.count > Self.excerptWidth {
            // A window around the caret; the `…` in front shifts the caret by one.
            let from = max(0, min(startIndex - Self.excerptWidth / 4, lineChars.count - Self.excerptWidth))
            let to = min(lineChars.count, from + Self.excerptWidth)
            lineChars = (from > 0 ? ["…"] : []) + lineChars[from..<to] + (to < lineChars.count ? ["…"] : [])
            let shift = from - (from > 0 ? 1 : 0)
            startIndex -= shift
            endIndex = min(endIndex - shift, lineChars.count)
        }
        let text = String(lineChars)
        // Tabs in the source line are kept under the caret so the caret lines up.
        var marker = ""
        for index in 0..<startIndex { marker.append(lineChars[index] == "\t" ? "\t" : " ") }
        marker += "^" + String(repeating: "~", count: max(0, endIndex - startIndex - 1))
        return " \(gutter) | \(text)\n \(pad) | \(marker)\n"
    }

    private func paint(_ severity: Diagnostic.Severity) -> String {
        guard useColor else { return severity.rawValue }
        switch severity {
        case .error: return "\u{1B}[1;31merror\u{1B}[0m"
        case .warning: return "\u{1B}[1;33mwarning\u{1B}[0m"
        case .note: return "\u{1B}[1;36mnote\u{1B}[0m"
        }
    }
}
