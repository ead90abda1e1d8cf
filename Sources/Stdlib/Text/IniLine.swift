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
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let line = IniLineScan(buffer, 0..<buffer.count)
            func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self) }
            switch line.kind {
            case .blank: return .blank
            case .header: return .header(name: string(line.key))
            case .comment, .commentedHeader: return .comment(entry: nil)
            case .commentedSetting: return .comment(entry: line.setting(in: buffer).entry(buffer, indent: false))
            case .setting, .bare: return .entry(line.setting(in: buffer).entry(buffer, indent: true))
            }
        }
    }
}

/// One line classified over its bytes, in one pass and without allocating: what it is and
/// where its key (or section name) lies. Offsets are positions in the buffer the line was
/// found in (a `TextLines` storage), so an `IniDocument` keeps one of these per line.
///
/// The rules (those of `IniDocument`):
/// - Blanks are spaces and tabs; a UTF-8 byte order mark before the first byte is indentation.
/// - A line whose first non-blank byte is `#` or `;` is a comment. With the comment signs and
///   blanks after them dropped, a comment that reads as a setting (`#listen_tcp = 1`,
///   `;\tpassdb backend = tdbsam`) is a commented-out setting, one that starts with `[` and
///   holds `]` a commented-out header (`#[Static]`).
/// - `[name]` is a header; the name is what lies between the brackets, blanks trimmed.
/// - Otherwise a line with `=` is a setting: the key is the text before the first `=`, blanks
///   trimmed (it may hold blanks inside: `passdb backend`), not empty and not starting with `[`.
///   A line without `=` is a bare key (`skip-name-resolve`).
/// - The value starts after `=` and the blanks after it. An inline comment is a `#` that follows
///   a blank, outside quotes (`"..."`, `'...'`; a backslash escapes inside double quotes): it and
///   the blanks before it are not part of the value (`listen_tcp = 1  # for migration` has the
///   value `1`). A `#` right after a non-blank (`color=#fff`, `url=http://h/#frag`) is value.
///   `;` never starts an inline comment (it is common inside values).
struct IniLineScan {
    enum Kind: UInt8 { case blank, comment, commentedSetting, commentedHeader, header, setting, bare }

    var kind: Kind
    /// The key of a setting, bare key or commented-out setting; the name of a header.
    var key: Range<Int>
    /// Where the line's content lies (terminator excluded).
    var line: Range<Int>

    init(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) {
        self.line = line
        var start = line.lowerBound
        if line.count >= 3 && b[start] == 0xEF && b[start + 1] == 0xBB && b[start + 2] == 0xBF { start += 3 }
        while start < line.upperBound && Byte.isBlank(b[start]) { start += 1 }
        var end = line.upperBound
        while end > start && Byte.isBlank(b[end - 1]) { end -= 1 }
        key = start..<start
        guard start < end else { kind = .blank; return }
        let first = b[start]
        if first == Byte.hash || first == Byte.semicolon {
            var body = start
            while body < end && (b[body] == Byte.hash || b[body] == Byte.semicolon || Byte.isBlank(b[body])) { body += 1 }
            if body < end && b[body] == Byte.openBracket && Self.find(Byte.closeBracket, b, body..<end) != nil {
                kind = .commentedHeader
            } else if let setting = Self.settingKey(b, body..<end) {
                kind = .commentedSetting
                key = setting
            } else {
                kind = .comment
            }
            return
        }
        if first == Byte.openBracket, let close = Self.find(Byte.closeBracket, b, start..<end) {
            kind = .header
            key = Self.trimmed(b, (start + 1)..<close)
            return
        }
        if let setting = Self.settingKey(b, start..<end) {
            kind = .setting
            key = setting
        } else {
            kind = .bare
            key = start..<Self.valueEnd(b, start..<end)
        }
    }

    var isEntry: Bool { kind == .setting || kind == .bare }

    /// The key of `key<blanks>=...`: nil when there is no `=`, the key is empty or starts with `[`.
    static func settingKey(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int>? {
        guard let equals = find(Byte.equals, b, range) else { return nil }
        var keyEnd = equals
        while keyEnd > range.lowerBound && Byte.isBlank(b[keyEnd - 1]) { keyEnd -= 1 }
        guard keyEnd > range.lowerBound, b[range.lowerBound] != Byte.openBracket else { return nil }
        return range.lowerBound..<keyEnd
    }

    static func find(_ byte: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            if b[index] == byte { return index }
            index += 1
        }
        return nil
    }

    static func trimmed(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound, end = range.upperBound
        while start < end && Byte.isBlank(b[start]) { start += 1 }
        while end > start && Byte.isBlank(b[end - 1]) { end -= 1 }
        return start..<end
    }

    /// Where a value that starts at `range.lowerBound` ends: before an inline comment (and the
    /// blanks before it), else at the end of the range (blanks already trimmed).
    static func valueEnd(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var quote: UInt8 = 0
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = b[index]
            if quote != 0 {
                if byte == Byte.backslash && quote == Byte.doubleQuote { index += 1 } else if byte == quote { quote = 0 }
            } else if byte == Byte.doubleQuote || byte == Byte.singleQuote {
                quote = byte
            } else if byte == Byte.hash && index > range.lowerBound && Byte.isBlank(b[index - 1]) {
                var end = index
                while end > range.lowerBound && Byte.isBlank(b[end - 1]) { end -= 1 }
                return end
            }
            index += 1
        }
        return range.upperBound
    }

    /// The parts of a setting or bare key line (of a commented-out setting: with the comment
    /// signs as its indentation).
    func setting(in b: UnsafeBufferPointer<UInt8>) -> IniSettingParts {
        var end = line.upperBound
        while end > key.upperBound && Byte.isBlank(b[end - 1]) { end -= 1 }
        guard kind != .bare, let equals = Self.find(Byte.equals, b, key.upperBound..<end) else {
            return IniSettingParts(line: line, key: key, valueStart: nil, value: key.upperBound..<key.upperBound, end: end)
        }
        var valueStart = equals + 1
        while valueStart < end && Byte.isBlank(b[valueStart]) { valueStart += 1 }
        return IniSettingParts(line: line, key: key, valueStart: valueStart,
                               value: valueStart..<Self.valueEnd(b, valueStart..<end), end: end)
    }
}

/// A setting line cut in parts: `line.lowerBound..<key.lowerBound` the indentation,
/// `key.upperBound..<valueStart` the separator, `value`, then `value.upperBound..<line.upperBound`
/// what follows the value (an inline comment, trailing blanks).
struct IniSettingParts {
    var line: Range<Int>
    var key: Range<Int>
    /// Where the value starts (after `=` and its blanks); nil for a bare key.
    var valueStart: Int?
    var value: Range<Int>
    /// The end of the line's text, trailing blanks excluded.
    var end: Int

    /// The whole text after the separator (inline comment included), for a wanted value that
    /// holds ` #` itself.
    var rest: Range<Int> { (valueStart ?? end)..<end }

    func entry(_ b: UnsafeBufferPointer<UInt8>, indent: Bool) -> IniEntry {
        func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self) }
        return IniEntry(indent: indent ? string(line.lowerBound..<key.lowerBound) : "", key: string(key),
                        separator: valueStart.map { string(key.upperBound..<$0) } ?? "",
                        value: valueStart == nil ? nil : string(value),
                        trailer: string(value.upperBound..<line.upperBound))
    }
}

extension IniLine {
    /// `#[Static]`, `; [section]`: a section header that is commented out.
    static func isCommentedHeader(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { IniLineScan($0, 0..<$0.count).kind == .commentedHeader }
    }
}
