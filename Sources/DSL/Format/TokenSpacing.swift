/// Whether one space goes between two tokens written on the same line.
///
/// Spaces are canonical (around binary operators and `=`, after `,` and `:`, none inside
/// `( )` and `[ ]`) except where the language gives them meaning: `f(x)` is a call and
/// `xs[0]` an index, while `f (x)` and `f [0]` pass arguments to a command; those keep the
/// space or its absence as written.
enum TokenSpacing {
    static func needsSpace(after previous: Token, before token: Token, binaryOperators: Set<Int>) -> Bool {
        switch token.kind {
        case .symbol(.comma), .symbol(.semicolon), .symbol(.rightParen), .symbol(.rightBracket),
             .symbol(.dot), .symbol(.colon):
            return false
        case .symbol(.rightBrace):
            return previous.kind != .symbol(.leftBrace)
        default:
            break
        }
        switch previous.kind {
        case .symbol(.leftParen), .symbol(.leftBracket), .symbol(.dot), .symbol(.bang):
            return false
        case .symbol(.minus) where !binaryOperators.contains(previous.span.start):
            return false
        default:
            break
        }
        if token.kind == .symbol(.leftParen) || token.kind == .symbol(.leftBracket), endsTerm(previous) {
            return token.precededBySpace
        }
        return true
    }

    /// Tokens after which `(` or `[` without a space continues the same term.
    static func endsTerm(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .string, .integer, .symbol(.rightParen), .symbol(.rightBracket),
             .keyword(.true), .keyword(.false), .keyword(.none):
            return true
        default:
            return false
        }
    }
}
