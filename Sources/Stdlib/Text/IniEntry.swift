/// One `key = value` setting (or a bare `key`), split so it can be rewritten with a new
/// value and nothing else changed.
public struct IniEntry: Equatable, Sendable {
    /// Whitespace (and a byte order mark) before the key.
    public var indent: String
    public var key: String
    /// Everything from the end of the key to the start of the value: `=`, ` = `, `  =`.
    /// Empty for a bare key.
    public var separator: String
    /// The value as written (quotes included), without an inline comment and trailing
    /// blanks; nil for a bare key.
    public var value: String?
    /// What follows the value on the line: an inline comment with the blanks before it
    /// (`  # needed by migration`), or trailing blanks; kept when the value is rewritten.
    public var trailer: String

    public init(indent: String, key: String, separator: String, value: String?, trailer: String = "") {
        self.indent = indent
        self.key = key
        self.separator = separator
        self.value = value
        self.trailer = trailer
    }

    /// The separator reduced to its spacing style (`=`, ` = `, ` =`, `= `), so a new key
    /// copies the file's convention without copying one key's column alignment.
    public var separatorStyle: String? { Self.style(of: Array(separator.utf8)) }

    static func style<C: Collection>(of separator: C) -> String? where C.Element == UInt8 {
        guard let equals = separator.firstIndex(of: Byte.equals) else { return nil }
        let before = equals == separator.startIndex ? "" : " "
        let after = separator.index(after: equals) == separator.endIndex ? "" : " "
        return before + "=" + after
    }

    /// The line with a new value, keeping indentation, key, separator and an inline comment.
    /// A nil value makes it a bare key.
    public func rewritten(value newValue: String?, defaultSeparator: String) -> String {
        guard let newValue else { return indent + key + trailer }
        return indent + key + (separator.isEmpty ? defaultSeparator : separator) + newValue + trailer
    }
}
