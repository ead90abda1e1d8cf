import Foundation

/// Turns an `iptables -L CHAIN --line-numbers` listing (the form the captures hold) into
/// `iptables-save` rule lines, so the captures can feed the real parser.
///
/// A listing without `-v` does not show interfaces: the stock ruleset's `-i lo -j ACCEPT`
/// reads `ACCEPT all -- anywhere anywhere`, which looks like "accept everything". That is
/// why open-port reads `iptables-save` and never a listing; here such a row is taken for
/// the loopback rule it is in every stock ruleset (the `-S` capture shows it).
enum IptablesListingReader {
    /// /etc/services names that appear in the captures.
    static let services = ["ssh": "22", "radan-http": "8088"]

    struct Row {
        var number: Int
        var saveLine: String
        var target: String
    }

    static func rows(_ listing: String, chain: String = "INPUT") -> [Row] {
        var rows: [Row] = []
        var inChain = false
        for line in listing.split(whereSeparator: \.isNewline).map(String.init) {
            if line.hasPrefix("Chain ") { inChain = line.hasPrefix("Chain \(chain) "); continue }
            let words = line.split(separator: " ").map(String.init)
            guard inChain, words.count >= 6, let number = Int(words[0]) else { continue }
            rows.append(Row(number: number, saveLine: saveLine(chain: chain, words: words), target: words[1]))
        }
        return rows
    }

    private static func saveLine(chain: String, words: [String]) -> String {
        let (target, proto, source, destination) = (words[1], words[2], words[4], words[5])
        var extra = Array(words.dropFirst(6))
        var parts = ["-A", chain]
        if proto != "all" { parts += ["-p", proto] }
        if source != "anywhere" { parts += ["-s", source] }
        if destination != "anywhere" { parts += ["-d", destination] }
        if target == "ACCEPT" && proto == "all" && source == "anywhere" && destination == "anywhere" && extra.isEmpty {
            parts += ["-i", "lo"]
        }
        var targetOptions: [String] = []
        while !extra.isEmpty {
            let word = extra.removeFirst()
            switch word {
            case "state":
                parts += ["-m", "state", "--state", extra.removeFirst()]
            case "tcp", "udp":
                parts += ["-m", word]
            case "reject-with":
                targetOptions += ["--reject-with", extra.removeFirst()]
            default:
                if word.hasPrefix("dpt:") {
                    let name = String(word.dropFirst(4))
                    parts += ["--dport", services[name] ?? name]
                }
            }
        }
        return (parts + ["-j", target] + targetOptions).joined(separator: " ")
    }
}
