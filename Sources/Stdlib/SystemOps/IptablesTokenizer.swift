/// Splits one line of `iptables-save` (or one `iptables ...` command line) into words.
///
/// iptables-save writes a value with spaces in double quotes (`--comment "open nfs"`,
/// with `\"` and `\\` escaped inside); single quotes appear in command lines crucible
/// itself built with `ShellQuote`. A quoted word is always a value, never an option, so
/// the tokenizer says which words were quoted.
enum IptablesTokenizer {
    struct Word: Equatable {
        var text: String
        var quoted: Bool
    }

    /// One pass over the line's UTF-8 bytes (a host's rules grow with the nodes it admits).
    static func split(_ line: String) -> [Word] {
        var line = line
        return line.withUTF8 { bytes in
            var words: [Word] = []
            var current: [UInt8] = []
            var quoted = false
            var inWord = false
            var quote: UInt8 = 0
            var escaping = false
            for byte in bytes {
                if escaping {
                    current.append(byte)
                    escaping = false
                    continue
                }
                if quote != 0 {
                    if byte == quote {
                        quote = 0
                    } else if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                        escaping = true
                    } else {
                        current.append(byte)
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    quote = byte
                    quoted = true
                    inWord = true
                case UInt8(ascii: "\\"):
                    escaping = true
                    inWord = true
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    if inWord { words.append(Word(text: String(decoding: current, as: UTF8.self), quoted: quoted)) }
                    current.removeAll(keepingCapacity: true)
                    quoted = false
                    inWord = false
                default:
                    current.append(byte)
                    inWord = true
                }
            }
            if inWord { words.append(Word(text: String(decoding: current, as: UTF8.self), quoted: quoted)) }
            return words
        }
    }
}
