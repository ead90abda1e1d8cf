/// What the INPUT chain of a filter table lets in, read rule by rule the way the kernel
/// reads it: top to bottom, stopping at the first catch-all REJECT or DROP.
///
/// A rule below the catch-all never sees a packet, so it does not count as opening a port
/// (the original tool appended its rules there and they never worked); open-port inserts a
/// working rule above the catch-all instead, and reports the dead ones.
public struct IptablesInputChain: Sendable {
    public private(set) var rules: [IptablesRule]
    /// What the rules above and below the catch-all accept, by protocol and source, read
    /// once: a host that opens a port for each of N nodes asks N times, against about N
    /// rules, and each question must not read every rule again.
    private let effective: AcceptIndex
    private let dead: AcceptIndex

    public init(_ ruleset: IptablesRuleset, chain: String = "INPUT") {
        rules = ruleset.rules(in: chain)
        let catchAll = rules.firstIndex(where: Self.isCatchAll) ?? rules.count
        effective = AcceptIndex(rules[..<catchAll])
        dead = AcceptIndex(catchAll < rules.count ? rules[(catchAll + 1)...] : [])
    }

    /// 1-based position of the first catch-all REJECT/DROP rule, nil when there is none.
    public var catchAllPosition: Int? {
        rules.firstIndex(where: Self.isCatchAll).map { $0 + 1 }
    }

    /// Where `iptables -I INPUT N` puts a new rule so that it works: at the catch-all's
    /// place (pushing it down); nil when there is no catch-all and rules are appended.
    public var insertPosition: Int? { catchAllPosition }

    /// Rules the kernel reaches for a new connection: those above the catch-all.
    public var effectiveRules: ArraySlice<IptablesRule> {
        rules[..<((catchAllPosition ?? rules.count + 1) - 1)]
    }

    /// Rules below the catch-all, which never match anything.
    public var deadRules: ArraySlice<IptablesRule> {
        guard let position = catchAllPosition else { return [] }
        return rules[position...]
    }

    /// True when rules the kernel reaches already accept new connections to every port of
    /// `range` (from `source`, or from anywhere when `source` is nil).
    public func accepts(_ range: PortRange, from source: String?) -> Bool {
        effective.covers(range, from: source) ?? Self.covered(range, by: effectiveRules, source: source)
    }

    /// True when only rules below the catch-all would accept `range`: the old tool's bug.
    public func acceptsOnlyBelowCatchAll(_ range: PortRange, from source: String?) -> Bool {
        !accepts(range, from: source) && (dead.covers(range, from: source) ?? Self.covered(range, by: deadRules, source: source))
    }

    static func covered(_ range: PortRange, by rules: ArraySlice<IptablesRule>, source: String?) -> Bool {
        var spans: [ClosedRange<Int>] = []
        for rule in rules {
            guard let ports = IptablesAcceptRule.ports(acceptedBy: rule, proto: range.proto, source: source) else {
                continue
            }
            if ports.isEmpty { return true }
            spans += ports
        }
        return Self.union(spans, covers: range.low...range.high)
    }

    /// A REJECT or DROP rule with no condition at all (a comment is not a condition).
    static func isCatchAll(_ rule: IptablesRule) -> Bool {
        guard rule.target == "REJECT" || rule.target == "DROP" else { return false }
        return rule.criteria.isEmpty && rule.matches.allSatisfy { $0.name == "comment" }
    }

    static func union(_ spans: [ClosedRange<Int>], covers wanted: ClosedRange<Int>) -> Bool {
        var next = wanted.lowerBound
        for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if span.lowerBound > next { break }
            next = max(next, span.upperBound + 1)
            if next > wanted.upperBound { return true }
        }
        return next > wanted.upperBound
    }
}

/// The ports a run of rules accepts new connections on, by protocol (tcp, udp) and by the
/// rule's source (`""`: from anywhere), for `IptablesInputChain`.
struct AcceptIndex: Sendable {
    static let protocols = ["tcp", "udp"]
    private var spans: [String: [String: [ClosedRange<Int>]]] = [:]
    /// Sources from which every port of the protocol is accepted.
    private var everyPort: [String: Set<String>] = [:]

    init(_ rules: ArraySlice<IptablesRule>) {
        for rule in rules {
            let sources = rule.criteria.filter { $0.flag == "-s" }
            guard sources.count <= 1 else { continue }
            let ruleSource = sources.first?.value
            let key = ruleSource.map(IptablesAcceptRule.normalized).map { $0 == "0.0.0.0/0" ? "" : $0 } ?? ""
            for proto in Self.protocols {
                guard let ports = IptablesAcceptRule.ports(acceptedBy: rule, proto: proto, source: ruleSource) else { continue }
                if ports.isEmpty { everyPort[proto, default: []].insert(key) } else { spans[proto, default: [:]][key, default: []] += ports }
            }
        }
    }

    /// Whether the rules accept every port of `range` from `source` (or from anywhere); nil
    /// for a protocol the index does not cover.
    func covers(_ range: PortRange, from source: String?) -> Bool? {
        guard Self.protocols.contains(range.proto) else { return nil }
        let keys = [""] + (source.map { [IptablesAcceptRule.normalized($0)] } ?? [])
        if keys.contains(where: { everyPort[range.proto]?.contains($0) == true }) { return true }
        let candidates = keys.flatMap { spans[range.proto]?[$0] ?? [] }
        return IptablesInputChain.union(candidates, covers: range.low...range.high)
    }
}

/// Reads one rule as "accepts new connections to these ports", or says it does not.
enum IptablesAcceptRule {
    /// Matches that do not narrow which new connections a rule accepts.
    private static let harmlessMatches: Set<String> = ["", "tcp", "udp", "multiport", "state", "conntrack", "comment"]

    /// The destination ports `rule` accepts new `proto` connections on from `source`: nil
    /// when it does not accept them at all (or only under conditions crucible cannot
    /// see through), an empty list when it accepts every port.
    static func ports(acceptedBy rule: IptablesRule, proto: String, source: String?) -> [ClosedRange<Int>]? {
        guard rule.target == "ACCEPT" else { return nil }
        for criterion in rule.criteria {
            if criterion.negated { return nil }
            switch criterion.flag {
            case "-p": if criterion.value != proto && criterion.value != "all" { return nil }
            case "-s": if !sourceAllows(criterion.value, requested: source) { return nil }
            default: return nil
            }
        }
        var ports: [ClosedRange<Int>] = []
        for match in rule.matches {
            guard harmlessMatches.contains(match.name) else { return nil }
            for option in match.options {
                if option.negated { return nil }
                switch option.name {
                case "--state", "--ctstate":
                    if !option.value.split(separator: ",").contains("NEW") { return nil }
                case "--dport", "--destination-port":
                    guard let span = span(option.value) else { return nil }
                    ports.append(span)
                case "--dports", "--destination-ports", "--ports":
                    for piece in option.value.split(separator: ",") {
                        guard let span = span(String(piece)) else { return nil }
                        ports.append(span)
                    }
                case "--comment", "--syn":
                    continue
                default:
                    return nil
                }
            }
        }
        if ports.isEmpty {
            // No port condition: every port of the rule's protocol, or of all protocols.
            return rule.protocolName == nil || rule.protocolName == proto || rule.protocolName == "all" ? [] : nil
        }
        return rule.protocolName == proto ? ports : nil
    }

    private static func span(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let low = Int(parts.first ?? ""), let high = Int(parts.last ?? ""), low <= high else { return nil }
        return low...high
    }

    /// A rule limited to source X counts for a request from X (not for "anywhere").
    private static func sourceAllows(_ ruleSource: String, requested: String?) -> Bool {
        let rule = normalized(ruleSource)
        if rule == "0.0.0.0/0" { return true }
        guard let requested else { return false }
        return rule == normalized(requested)
    }

    static func normalized(_ address: String) -> String {
        address.hasSuffix("/32") ? String(address.dropLast(3)) : address
    }
}
