/// A recipe's text and the name it is reported under (a path, `<repl>`, or `bundled:NAME`).
///
/// Lines are found once, so turning a byte offset into a line and column is a binary search.
public final class SourceFile: Sendable, Hashable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]
    /// Where the file read from disk stopped being UTF-8, when it did: the offset of the
    /// first bad byte (the same in `bytes`, where it became U+FFFD) and the byte itself.
    /// The lexer reports it as `E-lex-encoding`.
    public let invalidUTF8: (offset: Int, byte: UInt8)?

    public convenience init(name: String, text: String) {
        self.init(name: name, text: text, invalidUTF8: nil)
    }

    /// A file's bytes as read: invalid UTF-8 becomes U+FFFD, so every position before and
    /// after it is still usable, and `invalidUTF8` says where the first bad byte was.
    public convenience init(name: String, bytes: [UInt8]) {
        self.init(name: name, text: String(decoding: bytes, as: UTF8.self), invalidUTF8: Self.firstInvalidUTF8(bytes))
    }

    init(name: String, text: String, invalidUTF8: (offset: Int, byte: UInt8)?) {
        self.name = name
        self.text = text
        self.invalidUTF8 = invalidUTF8
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        self.lineStarts = starts
    }

    /// The offset and value of the first byte that does not belong to valid UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (offset: Int, byte: UInt8)? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return (offset, bytes[offset])
            }
        }
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(0, min(offset, bytes.count))
        let line = self.line(of: clamped)
        let prefix = String(decoding: bytes[lineStarts[line - 1]..<clamped], as: UTF8.self)
        return (line, prefix.count + 1)
    }

    /// 1-based line of a byte offset: a binary search, without the column's cost (which
    /// grows with the line: a megabyte-long line of errors must not make each one slow).
    public func line(of offset: Int) -> Int {
        let clamped = max(0, min(offset, bytes.count))
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    public static func == (lhs: SourceFile, rhs: SourceFile) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
