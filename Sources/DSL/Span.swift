/// A half-open byte range `[start, end)` in one source file.
///
/// Every token, AST node and value that came from a recipe carries one, so any error can
/// point at the exact text it is about.
public struct Span: Sendable, Hashable, CustomStringConvertible {
    public let file: SourceFile
    public let start: Int
    public let end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest span covering both.
    public func through(_ other: Span) -> Span {
        Span(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public var startLocation: (line: Int, column: Int) { file.location(of: start) }
    public var startLine: Int { file.line(of: start) }
    public var endLocation: (line: Int, column: Int) { file.location(of: end) }

    public var text: String {
        String(decoding: file.bytes[start..<min(end, file.bytes.count)], as: UTF8.self)
    }

    /// `file:line:col`, the prefix of every rendered diagnostic.
    public var description: String {
        let (line, column) = startLocation
        return "\(file.name):\(line):\(column)"
    }
}
