/// One line of a text file: its bytes without the terminator, and the terminator it had
/// (`\n`, `\r\n`, or nothing for a last line without a newline).
public struct TextLine: Sendable, Equatable {
    public var content: [UInt8]
    public var terminator: [UInt8]

    public init(content: [UInt8], terminator: [UInt8]) {
        self.content = content
        self.terminator = terminator
    }

    /// The content decoded as UTF-8 for matching. Untouched lines are written back from
    /// `content`, so bytes that are not valid UTF-8 survive an edit elsewhere in the file.
    public var text: String { String(decoding: content, as: UTF8.self) }

    public var isBlank: Bool { content.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}

/// A file as a list of lines that can be edited one line at a time and written back
/// byte for byte: lines that are not touched keep their bytes and their own terminators.
///
/// New lines take the file's newline style (CRLF when the file's first terminated line uses
/// it). A file whose last line had no newline keeps it that way unless a line is added after
/// it; the old last line then gets a newline, since it is no longer last.
public struct TextLines: Sendable, Equatable {
    public var lines: [TextLine]
    /// The terminator new lines get.
    public let newline: [UInt8]

    public init(_ bytes: [UInt8]) {
        var lines: [TextLine] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let hasCR = index > start && bytes[index - 1] == UInt8(ascii: "\r")
            let contentEnd = hasCR ? index - 1 : index
            lines.append(TextLine(content: Array(bytes[start..<contentEnd]), terminator: hasCR ? [13, 10] : [10]))
            start = index + 1
        }
        if start < bytes.count { lines.append(TextLine(content: Array(bytes[start...]), terminator: [])) }
        self.lines = lines
        self.newline = lines.first { !$0.terminator.isEmpty }?.terminator ?? [10]
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for line in lines {
            out += line.content
            out += line.terminator
        }
        return out
    }

    public var count: Int { lines.count }
    public var isEmpty: Bool { lines.isEmpty }
    public var texts: [String] { lines.map(\.text) }

    public subscript(index: Int) -> TextLine { lines[index] }

    /// Inserts `text` as a new line before position `index` (`count` appends).
    public mutating func insert(_ text: String, at index: Int) {
        if index == lines.count, let last = lines.indices.last, lines[last].terminator.isEmpty {
            lines[last].terminator = newline
        }
        lines.insert(TextLine(content: Array(text.utf8), terminator: newline), at: index)
    }

    public mutating func append(_ text: String) { insert(text, at: lines.count) }

    /// Replaces a line's content, keeping its terminator (a last line without a newline
    /// stays without one).
    public mutating func replace(at index: Int, with text: String) {
        lines[index].content = Array(text.utf8)
    }

    public mutating func remove(at index: Int) {
        lines.remove(at: index)
    }

    /// Removes the lines at the given positions (any order, duplicates ignored).
    public mutating func remove(at indices: Set<Int>) {
        for index in indices.sorted(by: >) { lines.remove(at: index) }
    }
}
