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
    /// their bytes, so bytes that are not valid UTF-8 survive an edit elsewhere in the file.
    public var text: String { String(decoding: content, as: UTF8.self) }

    public var isBlank: Bool { content.allSatisfy { $0 == Byte.space || $0 == Byte.tab } }
}

/// A file as a list of lines that can be edited one line at a time and written back
/// byte for byte: lines that are not touched keep their bytes and their own terminators.
///
/// New lines take the file's newline style (CRLF when the file's first terminated line uses
/// it). A file whose last line had no newline keeps it that way unless a line is added after
/// it; the old last line then gets a newline, since it is no longer last.
///
/// Storage: the file's bytes are kept as read, in one array, and each line is a span of it
/// (found in one pass, no copy per line); a line added or rewritten appends its bytes to that
/// array, so spans stay valid as the file is edited. Until a line changes, `bytes` is the
/// array as read, without a copy. The engines (IniDocument, HostsFile...) read lines as bytes,
/// through `mapLines` and `withBytes`.
public struct TextLines: Sendable {
    /// Where one line's content lies in `storage`, and its terminator.
    struct Span: Sendable, Equatable {
        var start: Int
        var end: Int
        var terminator: Terminator
        var count: Int { end - start }
    }

    enum Terminator: UInt8, Sendable {
        case none, lf, crlf

        var bytes: [UInt8] {
            switch self {
            case .none: return []
            case .lf: return [Byte.lf]
            case .crlf: return [Byte.cr, Byte.lf]
            }
        }
    }

    /// The file's bytes as read, then the bytes of every line added or rewritten since.
    private(set) var storage: [UInt8]
    private(set) var spans: [Span]
    /// The terminator new lines get.
    let newlineKind: Terminator
    /// False while `storage` is still exactly the file as read and every span is in place.
    private(set) var isEdited = false

    public init(_ bytes: [UInt8]) {
        var spans: [Span] = []
        spans.reserveCapacity(bytes.count / 32 + 1)
        var firstTerminator: Terminator?
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            let count = buffer.count
            while start < count {
                var index = start
                while index < count && buffer[index] != Byte.lf { index += 1 }
                if index == count {
                    spans.append(Span(start: start, end: count, terminator: .none))
                    break
                }
                let hasCR = index > start && buffer[index - 1] == Byte.cr
                let terminator: Terminator = hasCR ? .crlf : .lf
                if firstTerminator == nil { firstTerminator = terminator }
                spans.append(Span(start: start, end: hasCR ? index - 1 : index, terminator: terminator))
                start = index + 1
            }
        }
        self.storage = bytes
        self.spans = spans
        self.newlineKind = firstTerminator ?? .lf
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    /// The file's bytes: the bytes as read when no line changed.
    public var bytes: [UInt8] {
        guard isEdited else { return storage }
        var out: [UInt8] = []
        out.reserveCapacity(spans.reduce(0) { $0 + $1.count + 2 })
        storage.withUnsafeBufferPointer { buffer in
            for span in spans {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[span.start..<span.end]))
                switch span.terminator {
                case .none: break
                case .lf: out.append(Byte.lf)
                case .crlf: out.append(Byte.cr); out.append(Byte.lf)
                }
            }
        }
        return out
    }

    /// The terminator new lines get.
    public var newline: [UInt8] { newlineKind.bytes }

    public var count: Int { spans.count }
    public var isEmpty: Bool { spans.isEmpty }
    public var texts: [String] { spans.indices.map { text(at: $0) } }
    public var lines: [TextLine] { spans.indices.map { self[$0] } }

    public subscript(index: Int) -> TextLine {
        TextLine(content: Array(content(at: index)), terminator: spans[index].terminator.bytes)
    }

    /// A line's bytes, without its terminator.
    public func content(at index: Int) -> ArraySlice<UInt8> {
        let span = spans[index]
        return storage[span.start..<span.end]
    }

    /// A line's content decoded as UTF-8.
    public func text(at index: Int) -> String { String(decoding: content(at: index), as: UTF8.self) }

    /// `transform` of every line's content range in the storage, in one pass: how an engine
    /// reads the file once into what it keeps per line.
    func mapLines<T>(_ transform: (UnsafeBufferPointer<UInt8>, Range<Int>) -> T) -> [T] {
        storage.withUnsafeBufferPointer { buffer in spans.map { transform(buffer, $0.start..<$0.end) } }
    }

    /// What `transform` makes of the line at `index` alone (a line just written).
    func mapLine<T>(at index: Int, _ transform: (UnsafeBufferPointer<UInt8>, Range<Int>) -> T) -> T {
        let span = spans[index]
        return storage.withUnsafeBufferPointer { transform($0, span.start..<span.end) }
    }

    /// Calls `body` with the storage the spans point into (no copy, no reference counting
    /// per byte): the engines' parsers run over it.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    // MARK: - Editing

    /// Inserts `text` as a new line before position `index` (`count` appends).
    public mutating func insert(_ text: String, at index: Int) {
        insert(bytes: Array(text.utf8), at: index)
    }

    mutating func insert(bytes content: [UInt8], at index: Int) {
        if index == spans.count, let last = spans.indices.last, spans[last].terminator == .none {
            spans[last].terminator = newlineKind
        }
        spans.insert(store(content), at: index)
        isEdited = true
    }

    public mutating func append(_ text: String) { insert(text, at: spans.count) }

    /// Appends several lines at once (one growth of the arrays).
    mutating func append(contentsOf texts: [String]) {
        guard !texts.isEmpty else { return }
        if let last = spans.indices.last, spans[last].terminator == .none { spans[last].terminator = newlineKind }
        spans.reserveCapacity(spans.count + texts.count)
        for text in texts { spans.append(store(Array(text.utf8))) }
        isEdited = true
    }

    /// Replaces a line's content, keeping its terminator (a last line without a newline
    /// stays without one). Returns whether the bytes changed.
    @discardableResult
    public mutating func replace(at index: Int, with text: String) -> Bool {
        replace(at: index, bytes: Array(text.utf8))
    }

    @discardableResult
    mutating func replace(at index: Int, bytes content: [UInt8]) -> Bool {
        guard !self.content(at: index).elementsEqual(content) else { return false }
        var span = store(content)
        span.terminator = spans[index].terminator
        spans[index] = span
        isEdited = true
        return true
    }

    public mutating func remove(at index: Int) {
        spans.remove(at: index)
        isEdited = true
    }

    /// Removes the lines at the given positions (any order, duplicates ignored), in one pass.
    public mutating func remove(at indices: Set<Int>) {
        guard !indices.isEmpty else { return }
        var kept: [Span] = []
        kept.reserveCapacity(spans.count - indices.count)
        for index in spans.indices where !indices.contains(index) { kept.append(spans[index]) }
        spans = kept
        isEdited = true
    }

    /// Removes the lines whose flag is set (`doomed.count == count`), in one pass.
    mutating func remove(where doomed: [Bool]) {
        guard doomed.contains(true) else { return }
        var kept: [Span] = []
        kept.reserveCapacity(spans.count)
        for index in spans.indices where !doomed[index] { kept.append(spans[index]) }
        spans = kept
        isEdited = true
    }

    /// Appends `content` to the storage: the span of a new line with the file's newline.
    private mutating func store(_ content: [UInt8]) -> Span {
        let start = storage.count
        storage.append(contentsOf: content)
        return Span(start: start, end: storage.count, terminator: newlineKind)
    }
}

extension Array {
    /// The elements whose positions are not in `doomed`: what an engine keeps per line, in
    /// step with `TextLines.remove(at:)`.
    func removing(_ doomed: Set<Int>) -> [Element] {
        indices.filter { !doomed.contains($0) }.map { self[$0] }
    }
}

extension TextLines: Equatable {
    /// Two files are equal when their bytes are.
    public static func == (lhs: TextLines, rhs: TextLines) -> Bool { lhs.bytes == rhs.bytes }
}

/// The bytes the text engines look for.
enum Byte {
    static let tab = UInt8(ascii: "\t")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let hash = UInt8(ascii: "#")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")

    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// ASCII lowercase (names in /etc/hosts are compared as resolvers compare them).
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
