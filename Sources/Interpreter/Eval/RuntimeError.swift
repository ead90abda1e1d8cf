import DSL

/// An error while running a checked recipe, at the expression that caused it.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
    public let span: Span
    public let message: String
    public let hint: String?

    public init(_ span: Span, _ message: String, hint: String? = nil) {
        self.span = span
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(span): \(message)" }

    public var diagnostic: Diagnostic {
        Diagnostic(id: "E-runtime", span: span, message: message, hint: hint)
    }
}

/// Unwinds a host's evaluation after an op failed there: the failure is already recorded.
struct HostAborted: Error {}

/// Check mode met a query whose answer it cannot know (`UnknownInCheckMode`): the rest of
/// the host's block is not planned, and the host has not failed.
struct CheckModeStop: Error {
    let message: String
    let location: String
}

/// Carries a function's `return` value up to its call.
struct ReturnSignal: Error {
    let value: Value
}
