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
