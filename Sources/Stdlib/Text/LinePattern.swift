import Foundation

/// A regular expression for matching whole lines of a file.
///
/// Syntax: ICU regular expressions, which read like extended POSIX (ERE) with Perl's
/// additions: `^ $ . * + ? | ( ) [ ] {n,m}`, `\d \s \w \b`, `(?i)` for case-insensitive.
/// A pattern is matched against each line without its newline, and a match anywhere in the
/// line counts: anchor with `^` and `$` to match the whole line. An empty pattern matches
/// every line.
public struct LinePattern: Sendable {
    // NSRegularExpression is immutable and thread-safe, and Foundation declares it Sendable.
    /// Nil for the empty pattern, which ICU rejects but which plainly matches every line.
    private let expression: NSRegularExpression?
    public let source: String

    public init(_ source: String) throws {
        self.source = source
        if source.isEmpty {
            expression = nil
            return
        }
        do {
            expression = try NSRegularExpression(pattern: source, options: [])
        } catch {
            throw PatternError("`\(source)` is not a valid regular expression")
        }
    }

    public func matches(_ line: String) -> Bool {
        guard let expression else { return true }
        let range = NSRange(line.startIndex..<line.endIndex, in: line)
        return expression.firstMatch(in: line, options: [], range: range) != nil
    }
}

/// A pattern that does not compile; the op wraps the message in its own error.
public struct PatternError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
