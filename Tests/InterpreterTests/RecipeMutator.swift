import TestSupport

/// Turns valid recipes into hostile ones for the fuzz test: byte flips, token deletions
/// and duplications, splices of other recipes, and deep nesting inserted anywhere.
struct RecipeMutator {
    let corpus: [[UInt8]]
    var random: SeededGenerator

    /// A corpus recipe with one to four mutations applied.
    mutating func next() -> [UInt8] {
        var bytes = corpus.randomElement(using: &random)!
        for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&bytes) }
        return bytes
    }

    mutating func mutate(_ bytes: inout [UInt8]) {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: flipByte(&bytes)
        case 1: deleteToken(&bytes)
        case 2: duplicateToken(&bytes)
        case 3: splice(&bytes)
        case 4: nest(&bytes)
        default: insertInteresting(&bytes)
        }
    }

    mutating func position(in bytes: [UInt8]) -> Int { Int.random(in: 0...bytes.count, using: &random) }

    mutating func flipByte(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let index = Int.random(in: 0..<bytes.count, using: &random)
        // Mostly one flipped bit; sometimes any byte (invalid UTF-8 included).
        if Bool.random(using: &random) { bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random) } else { bytes[index] = UInt8.random(in: 0...255, using: &random) }
    }

    /// The token around a random offset: a run of identifier characters, or one other byte.
    mutating func tokenRange(in bytes: [UInt8]) -> Range<Int>? {
        guard !bytes.isEmpty else { return nil }
        let index = Int.random(in: 0..<bytes.count, using: &random)
        guard Self.isWordByte(bytes[index]) else { return index..<(index + 1) }
        var start = index, end = index + 1
        while start > 0 && Self.isWordByte(bytes[start - 1]) { start -= 1 }
        while end < bytes.count && Self.isWordByte(bytes[end]) { end += 1 }
        return start..<end
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
    }

    mutating func deleteToken(_ bytes: inout [UInt8]) {
        guard let range = tokenRange(in: bytes) else { return }
        bytes.removeSubrange(range)
    }

    mutating func duplicateToken(_ bytes: inout [UInt8]) {
        guard let range = tokenRange(in: bytes) else { return }
        let copies = Int.random(in: 1...3, using: &random)
        bytes.insert(contentsOf: Array(repeating: Array(bytes[range]), count: copies).joined(), at: range.upperBound)
    }

    /// A random slice of another recipe, inserted at a random offset.
    mutating func splice(_ bytes: inout [UInt8]) {
        let donor = corpus.randomElement(using: &random)!
        guard !donor.isEmpty else { return }
        let start = Int.random(in: 0..<donor.count, using: &random)
        let end = min(donor.count, start + Int.random(in: 1...400, using: &random))
        bytes.insert(contentsOf: donor[start..<end], at: position(in: bytes))
    }

    static let openers: [String] = ["[", "(", "{", "not ", "-", "${", "\"${", "if true {", "for x in [1] {", "on controller {", "f("]

    /// Deep nesting: an opener repeated up to 400 times, sometimes closed again.
    mutating func nest(_ bytes: inout [UInt8]) {
        let opener = Self.openers.randomElement(using: &random)!
        let count = Int.random(in: 1...400, using: &random)
        let at = position(in: bytes)
        var insert = Array(String(repeating: opener, count: count).utf8) + Array("1".utf8)
        if Bool.random(using: &random) {
            let closer = opener.hasSuffix("[") ? "]" : opener.hasSuffix("(") ? ")" : opener.hasSuffix("{") ? "}" : ""
            insert += Array(String(repeating: closer, count: count).utf8)
        }
        bytes.insert(contentsOf: insert, at: at)
    }

    static let interesting: [String] = [
        "\"", "\"\"\"", "${", "}", "\\", "\\u{", "\\u{110000}", "\u{0}", "\r\n", "\t", "#", "\n\n", "9999999999999999999999",
        "-9223372036854775808", "..", "::", "=>", "==", "!=", "<=", ">=", "+=", ";", ",", ":", ".", "@", "$", "`", "'",
        "param", "let", "fn", "return", "for", "in", "if", "else", "on", "as", "none", "true", "false", "\u{FEFF}", "é", "🙂",
    ]

    mutating func insertInteresting(_ bytes: inout [UInt8]) {
        bytes.insert(contentsOf: Array(Self.interesting.randomElement(using: &random)!.utf8), at: position(in: bytes))
    }
}
