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

/// One `key = value` setting (or a bare `key`), split so it can be rewritten with a new
/// value and nothing else changed.
public struct IniEntry: Equatable, Sendable {
    /// Whitespace (and a byte order mark) before the key.
    public var indent: String
    public var key: String
    /// Everything from the end of the key to the start of the value: `=`, ` = `, `  =`.
    /// Empty for a bare key.
    public var separator: String
    /// The value as written (quotes included), trailing blanks removed; nil for a bare key.
    public var value: String?

    public init(indent: String, key: String, separator: String, value: String?) {
        self.indent = indent
        self.key = key
        self.separator = separator
        self.value = value
    }

    /// `key<blanks>=<blanks>value` with a key of one word; nil for anything else.
    static func parseSetting(_ text: Substring, indent: String) -> IniEntry? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let rawKey = text[..<equals]
        let key = rawKey.trimmingTrailingBlanks
        guard !key.isEmpty, !key.contains(where: { $0 == " " || $0 == "\t" }), key.first != "[" else { return nil }
        let afterEquals = text[text.index(after: equals)...]
        let gapAfter = afterEquals.prefix { $0 == " " || $0 == "\t" }
        let separator = String(rawKey.dropFirst(key.count)) + "=" + gapAfter
        let value = String(afterEquals.dropFirst(gapAfter.count)).trimmingBlanks
        return IniEntry(indent: indent, key: String(key), separator: separator, value: value)
    }

    /// The separator reduced to its spacing style (`=`, ` = `, ` =`, `= `), so a new key
    /// copies the file's convention without copying one key's column alignment.
    public var separatorStyle: String? {
        guard let equals = separator.firstIndex(of: "=") else { return nil }
        let before = equals == separator.startIndex ? "" : " "
        let after = separator.index(after: equals) == separator.endIndex ? "" : " "
        return before + "=" + after
    }

    /// The line with a new value, keeping indentation, key and separator.
    /// A nil value makes it a bare key.
    public func rewritten(value newValue: String?, defaultSeparator: String) -> String {
        guard let newValue else { return indent + key }
        return indent + key + (separator.isEmpty ? defaultSeparator : separator) + newValue
    }
}

extension StringProtocol {
    var trimmingTrailingBlanks: SubSequence {
        var end = endIndex
        while end > startIndex {
            let previous = index(before: end)
            guard self[previous] == " " || self[previous] == "\t" else { break }
            end = previous
        }
        return self[startIndex..<end]
    }

    var trimmingBlanks: String {
        String(trimmingTrailingBlanks.drop { $0 == " " || $0 == "\t" })
    }
}
