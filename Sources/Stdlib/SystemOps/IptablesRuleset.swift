import Foundation

/// The rules of one table as `iptables-save -t TABLE` prints them: chain policies and the
/// rules of every chain in order. Rule positions (`iptables -I INPUT N`) are 1-based
/// indexes into `rules(in:)`.
public struct IptablesRuleset: Sendable, Equatable {
    public var table: String
    /// Built-in chains have a policy (ACCEPT, DROP); user chains have none (`-`).
    public var policies: [String: String]
    public var rules: [IptablesRule]
    /// Lines that looked like rules but could not be read: open-port refuses to guess then.
    public var unreadable: [String]

    public init(table: String = "filter", policies: [String: String] = [:], rules: [IptablesRule] = [],
                unreadable: [String] = []) {
        self.table = table
        self.policies = policies
        self.rules = rules
        self.unreadable = unreadable
    }

    public func rules(in chain: String) -> [IptablesRule] { rules.filter { $0.chain == chain } }

    /// Reads the `*TABLE` section for `table` of `iptables-save` output. Output of `iptables -S`
    /// (`-P INPUT ACCEPT`, `-A ...` lines, no table header) is read as that table too.
    public static func parse(_ text: String, table: String = "filter") -> IptablesRuleset {
        var ruleset = IptablesRuleset(table: table)
        let lines = text.split(whereSeparator: \.isNewline)
        var currentTable: String? = lines.contains { $0.hasPrefix("*") } ? nil : table
        for rawLine in lines {
            // Blanks only (no Foundation per line: a host whose firewall admits each of N
            // nodes has rules in proportion to N).
            let line = rawLine.trimmingBlanks
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("*") {
                currentTable = String(line.dropFirst())
                continue
            }
            if line == "COMMIT" {
                currentTable = nil
                continue
            }
            guard currentTable == table else { continue }
            if line.hasPrefix(":") {
                let words = line.dropFirst().split(separator: " ")
                if words.count >= 2 { ruleset.policies[String(words[0])] = String(words[1]) }
            } else if line.hasPrefix("-P ") {
                let words = line.split(separator: " ")
                if words.count >= 3 { ruleset.policies[String(words[1])] = String(words[2]) }
            } else if line.hasPrefix("-N ") {
                let words = line.split(separator: " ")
                if words.count >= 2 { ruleset.policies[String(words[1])] = "-" }
            } else if let rule = IptablesRuleParser.parse(saveLine: line) {
                ruleset.rules.append(rule)
            } else if line.hasPrefix("-A") || line.hasPrefix("[") {
                ruleset.unreadable.append(line)
            }
        }
        return ruleset
    }
}
