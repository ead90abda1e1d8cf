/// A problem found in a recipe, as a plain value: collected in lists, never thrown one at a time.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public struct Note: Sendable, Hashable {
        public let span: Span?
        public let message: String
        public init(span: Span?, message: String) {
            self.span = span
            self.message = message
        }
    }

    public let severity: Severity
    /// Stable identifier (`E-syntax`, `E-unknown-op`...) for tests, editors and docs.
    public let id: String
    public let span: Span
    /// Lowercase, says what is wrong.
    public let message: String
    /// Says what to do ("did you mean `ensure-line`?"), when there is something to say.
    public let hint: String?
    public let notes: [Note]
    /// True when the problem is that the input ended too early; the REPL asks for more
    /// input instead of reporting it.
    public let isUnexpectedEnd: Bool

    public init(
        _ severity: Severity = .error, id: String, span: Span, message: String,
        hint: String? = nil, notes: [Note] = [], isUnexpectedEnd: Bool = false
    ) {
        self.severity = severity
        self.id = id
        self.span = span
        self.message = message
        self.hint = hint
        self.notes = notes
        self.isUnexpectedEnd = isUnexpectedEnd
    }

    public var description: String { "\(span): \(severity.rawValue): \(message)" }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

extension Diagnostic {
    /// The same diagnostic as an error (`lint --strict` makes warnings errors).
    public var asError: Diagnostic {
        Diagnostic(.error, id: id, span: span, message: message, hint: hint, notes: notes, isUnexpectedEnd: isUnexpectedEnd)
    }
}
