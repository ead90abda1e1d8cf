/// The binary operators of one precedence level, lowest first, and which token spells
/// which operator. A `switch` over the token kind, not a dictionary: the parser asks at
/// every operand of every expression, and building a table per call (then hashing the
/// next token, a whole string literal's segments included) was about an eighth of a lint.
enum OperatorLevel {
    case or, and, comparison, additive, multiplicative

    func binaryOperator(_ kind: Token.Kind) -> BinaryOperator? {
        switch (self, kind) {
        case (.or, .keyword(.or)), (.or, .symbol(.pipePipe)): return .or
        case (.and, .keyword(.and)), (.and, .symbol(.ampAmp)): return .and
        case (.comparison, .symbol(.equalEqual)): return .equal
        case (.comparison, .symbol(.bangEqual)): return .notEqual
        case (.comparison, .symbol(.less)): return .less
        case (.comparison, .symbol(.lessEqual)): return .lessEqual
        case (.comparison, .symbol(.greater)): return .greater
        case (.comparison, .symbol(.greaterEqual)): return .greaterEqual
        case (.comparison, .keyword(.in)): return .in
        case (.additive, .symbol(.plus)): return .add
        case (.additive, .symbol(.minus)): return .subtract
        case (.multiplicative, .symbol(.star)): return .multiply
        case (.multiplicative, .symbol(.slash)): return .divide
        case (.multiplicative, .symbol(.percent)): return .remainder
        default: return nil
        }
    }
}
