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

    static func split(_ line: String) -> [Word] {
        var words: [Word] = []
        var current = ""
        var quoted = false
        var inWord = false
        var quote: Character?
        var escaping = false
        for char in line {
            if escaping {
                current.append(char)
                escaping = false
                continue
            }
            if let open = quote {
                if char == open {
                    quote = nil
                } else if char == "\\" && open == "\"" {
                    escaping = true
                } else {
                    current.append(char)
                }
                continue
            }
            switch char {
            case "\"", "'":
                quote = char
                quoted = true
                inWord = true
            case "\\":
                escaping = true
                inWord = true
            case " ", "\t", "\n", "\r":
                if inWord { words.append(Word(text: current, quoted: quoted)) }
                current = ""
                quoted = false
                inWord = false
            default:
                current.append(char)
                inWord = true
            }
        }
        if inWord { words.append(Word(text: current, quoted: quoted)) }
        return words
    }
}
