/// Reads rules from `iptables-save` lines (`-A INPUT ...`) and from `iptables` command lines
/// (`iptables -t nat -A PREROUTING ...`, `iptables -I INPUT 5 ...`).
///
/// It understands every spelling RHEL 6's iptables 1.4.7 and today's 1.8 write: `!` before
/// an option or (old style) before its value, long option names, counters in front
/// (`[0:0] -A ...` from `iptables-save -c`), and quoted comments.
public enum IptablesRuleParser {
    private static let criterionFlags: [String: String] = [
        "-p": "-p", "--protocol": "-p",
        "-s": "-s", "--source": "-s", "--src": "-s",
        "-d": "-d", "--destination": "-d", "--dst": "-d",
        "-i": "-i", "--in-interface": "-i",
        "-o": "-o", "--out-interface": "-o",
    ]

    /// A rule from one `iptables-save` line; nil for lines that are not `-A` rules.
    public static func parse(saveLine line: String) -> IptablesRule? {
        var words = IptablesTokenizer.split(line)[...]
        if let first = words.first, first.text.hasPrefix("["), !first.quoted { words = words.dropFirst() }
        guard words.count >= 2, words.first?.text == "-A" || words.first?.text == "--append" else { return nil }
        let chain = words[words.startIndex + 1].text
        return rule(chain: chain, words: Array(words.dropFirst(2)))
    }

    /// A rule from an `iptables` command line; also returns the table (`filter` unless `-t`).
    public static func parse(commandLine line: String) -> (table: String, rule: IptablesRule)? {
        var words = Array(IptablesTokenizer.split(line)[...])
        guard let program = words.first, program.text.hasSuffix("iptables") else { return nil }
        words.removeFirst()
        var table = "filter"
        if words.count >= 2, words[0].text == "-t" || words[0].text == "--table" {
            table = words[1].text
            words.removeFirst(2)
        }
        guard words.count >= 2, ["-A", "-I", "-D", "--append", "--insert", "--delete"].contains(words[0].text) else {
            return nil
        }
        let chain = words[1].text
        var rest = Array(words.dropFirst(2))
        if ["-I", "--insert"].contains(words[0].text), let first = rest.first, Int(first.text) != nil {
            rest.removeFirst()
        }
        guard let rule = rule(chain: chain, words: rest) else { return nil }
        return (table, rule)
    }

    /// Builds the rule from the words after the chain name.
    static func rule(chain: String, words: [IptablesTokenizer.Word]) -> IptablesRule? {
        var rule = IptablesRule(chain: chain, target: nil)
        var negateNext = false
        var afterTarget = false
        var index = 0
        func value(at position: Int) -> String? { position < words.count ? words[position].text : nil }
        while index < words.count {
            let word = words[index]
            if word.text == "!" && !word.quoted {
                negateNext = true
                index += 1
                continue
            }
            if let flag = criterionFlags[word.text] {
                var negated = negateNext
                var valueIndex = index + 1
                if value(at: valueIndex) == "!" { negated = true; valueIndex += 1 }
                guard let text = value(at: valueIndex) else { return nil }
                rule.criteria.append(.init(flag, flag == "-p" ? text.lowercased() : text, negated: negated))
                index = valueIndex + 1
            } else if word.text == "-f" || word.text == "--fragment" {
                rule.criteria.append(.init("-f", "", negated: negateNext))
                index += 1
            } else if word.text == "-m" || word.text == "--match" {
                guard let name = value(at: index + 1) else { return nil }
                rule.matches.append(.init(name, []))
                index += 2
            } else if word.text == "-j" || word.text == "--jump" || word.text == "-g" || word.text == "--goto" {
                guard let target = value(at: index + 1) else { return nil }
                rule.target = target
                afterTarget = true
                index += 2
            } else if word.text == "-c" || word.text == "--set-counters" {
                index += 3
            } else if word.text.hasPrefix("-") && !word.quoted {
                var option = IptablesRule.Option(word.text, [], negated: negateNext)
                index += 1
                if index < words.count, words[index].text == "!", !words[index].quoted {
                    option.negated = true
                    index += 1
                }
                while index < words.count, words[index].quoted || !Self.startsOption(words[index].text) {
                    option.values.append(words[index].text)
                    index += 1
                }
                if afterTarget {
                    rule.targetOptions.append(option)
                } else {
                    if rule.matches.isEmpty { rule.matches.append(.init("", [])) }
                    rule.matches[rule.matches.count - 1].options.append(option)
                }
            } else {
                return nil
            }
            negateNext = false
        }
        return rule
    }

    /// An option starts with `-` followed by a letter (`-5` or `-1:3` would be values).
    private static func startsOption(_ text: String) -> Bool {
        if text == "!" { return true }
        guard text.hasPrefix("-"), let second = text.dropFirst().first else { return false }
        return second.isLetter || second == "-"
    }
}
