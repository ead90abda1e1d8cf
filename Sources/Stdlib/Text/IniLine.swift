/// What one line of an INI or `KEY=value` file is, as far as editing it needs to know.
public enum IniLine: Equatable, Sendable {
    case blank
    /// A comment (`#` or `;`). `entry` is set when the comment is a commented-out setting
    /// (`#listen_tcp = 1`, `# Domain = local.domain.edu`): where a stock default lives.
    case comment(entry: IniEntry?)
    case header(name: String)
    case entry(IniEntry)

    /// Classifies one line (its text without the terminator). A UTF-8 byte order mark at the
    /// start is treated as part of the indentation, so it is kept when the line is rewritten.
    public static func parse(_ text: String) -> IniLine {
        var body = Substring(text)
        var indent = ""
        if body.hasPrefix("\u{FEFF}") {
            indent = "\u{FEFF}"
            body = body.dropFirst()
        }
        let leading = body.prefix { $0 == " " || $0 == "\t" }
        indent += leading
        body = body.dropFirst(leading.count)
        let trimmedEnd = body.trimmingTrailingBlanks
        if trimmedEnd.isEmpty { return .blank }
        if trimmedEnd.first == "#" || trimmedEnd.first == ";" {
            let uncommented = trimmedEnd.drop { $0 == "#" || $0 == ";" || $0 == " " || $0 == "\t" }
            return .comment(entry: IniEntry.parseSetting(uncommented, indent: ""))
        }
        if trimmedEnd.first == "[", let close = trimmedEnd.firstIndex(of: "]") {
            let name = trimmedEnd[trimmedEnd.index(after: trimmedEnd.startIndex)..<close]
            return .header(name: String(name).trimmingBlanks)
        }
        if let entry = IniEntry.parseSetting(trimmedEnd, indent: indent) { return .entry(entry) }
        return .entry(IniEntry(indent: indent, key: String(trimmedEnd), separator: "", value: nil))
    }
}

extension IniLine {
    /// `#[Static]`, `; [section]`: a section header that is commented out.
    static func isCommentedHeader(_ text: String) -> Bool {
        let uncommented = text.drop { $0 == "#" || $0 == ";" || $0 == " " || $0 == "\t" }
        return uncommented.count < text.count && uncommented.first == "[" && uncommented.contains("]")
    }
}
