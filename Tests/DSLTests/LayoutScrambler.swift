@testable import DSL

/// Messes up a recipe's layout without changing its meaning, so the tests can check that
/// the formatter brings it back: every line re-indented (tabs, no indentation, odd widths),
/// spaces between tokens widened, blank lines doubled, blank lines added at both ends and
/// trailing spaces added. String literals and comments are left byte for byte, and so is
/// the presence or absence of a space (which the language reads in `f(x)` vs `f (x)`).
struct LayoutScrambler {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed | 1
    }

    /// A small deterministic generator, so a failure can be replayed.
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }

    mutating func scramble(_ text: String) -> String {
        let file = SourceFile(name: "scramble", text: text)
        var lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        var protected: [Range<Int>] = lexer.comments.map { $0.span.start..<$0.span.end }
        for token in tokens {
            if case .string = token.kind { protected.append(token.span.start..<token.span.end) }
        }
        let isProtected = { (offset: Int) in protected.contains { $0.contains(offset) } }
        let bytes = file.bytes
        var out: [UInt8] = Array("\n\n".utf8)
        var index = 0
        var atLineStart = true
        while index < bytes.count {
            let byte = bytes[index]
            if isProtected(index) {
                out.append(byte)
                atLineStart = false
                index += 1
                continue
            }
            if atLineStart {
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "\n") {
                    // A blank line: sometimes doubled.
                    out += Array(String(repeating: "\n", count: 1 + next(2)).utf8)
                    index += 1
                    continue
                }
                out += Array(indentation().utf8)
                atLineStart = false
                continue
            }
            if byte == UInt8(ascii: " ") {
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
                out += Array(String(repeating: " ", count: 1 + next(3)).utf8)
                continue
            }
            if byte == UInt8(ascii: "\n") {
                if out.last != UInt8(ascii: "\\"), next(3) == 0 { out += Array("  ".utf8) }
                out.append(byte)
                atLineStart = true
                index += 1
                continue
            }
            out.append(byte)
            index += 1
        }
        out += Array("\n\n\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    mutating func indentation() -> String {
        switch next(4) {
        case 0: return ""
        case 1: return "\t"
        case 2: return String(repeating: " ", count: 1 + next(9))
        default: return "\t  "
        }
    }
}
