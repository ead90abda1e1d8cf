import Foundation

/// The one place that turns values into shell words. Every value that reaches a remote
/// shell goes through here; nothing else builds command strings from values.
public enum ShellQuote {
    /// Quotes one word for POSIX sh: single quotes, with embedded `'` written as `'\''`.
    /// Words made only of safe characters are left bare to keep logs readable.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy(isSafe) { return word }
        // Over bytes, not Foundation's search-and-replace: every exec quotes a script.
        var quoted: [UInt8] = [UInt8(ascii: "'")]
        quoted.reserveCapacity(word.utf8.count + 8)
        for byte in word.utf8 {
            if byte == UInt8(ascii: "'") { quoted += Array("'\\''".utf8) } else { quoted.append(byte) }
        }
        quoted.append(UInt8(ascii: "'"))
        return String(decoding: quoted, as: UTF8.self)
    }

    /// A command line from a program and its arguments, each quoted.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    public static func command(_ words: String...) -> String { command(words) }

    private static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case "-", "_", ".", "/", ":", ",", "=", "@", "+", "%": return true
        default: return false
        }
    }
}

extension String {
    /// Replaces every occurrence of `target`.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement)
    }
}
