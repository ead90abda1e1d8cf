/// A lexical token. Strings keep their parts (text and `${...}` interpolations) already
/// split, so the parser never re-scans string contents.
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case identifier(String)
        case keyword(Keyword)
        case integer(Int)
        case string([StringSegment])
        case symbol(Symbol)
        case newline
        case endOfFile
    }

    public let kind: Kind
    public let span: Span
    /// True when whitespace or a comment came right before this token (so `f(x)` is a
    /// call while `f (x)` is a command with a parenthesized argument).
    public let precededBySpace: Bool

    public init(kind: Kind, span: Span, precededBySpace: Bool) {
        self.kind = kind
        self.span = span
        self.precededBySpace = precededBySpace
    }
}

/// A piece of a string literal: literal text, or the tokens of an interpolated expression.
public enum StringSegment: Sendable, Hashable {
    case text(String, Span)
    case interpolation([Token], Span)
}

public enum Keyword: String, Sendable, Hashable, CaseIterable {
    case param, `let`, `fn`, `return`, `if`, `else`, `for`, `in`, on, include
    case `true`, `false`, none, and, or, not
}

public enum Symbol: String, Sendable, Hashable, CaseIterable {
    case leftParen = "(", rightParen = ")", leftBrace = "{", rightBrace = "}"
    case leftBracket = "[", rightBracket = "]", comma = ",", colon = ":", semicolon = ";", dot = "."
    case equal = "=", equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<=", greater = ">"
    case greaterEqual = ">=", plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case bang = "!", ampAmp = "&&", pipePipe = "||"
}

extension Token.Kind: CustomStringConvertible {
    /// How the token is named in "expected X, found Y" messages.
    public var description: String {
        switch self {
        case .identifier(let name): return "`\(name)`"
        case .keyword(let keyword): return "`\(keyword.rawValue)`"
        case .integer(let value): return "`\(value)`"
        case .string: return "a string"
        case .symbol(let symbol): return "`\(symbol.rawValue)`"
        case .newline: return "end of line"
        case .endOfFile: return "end of input"
        }
    }
}
