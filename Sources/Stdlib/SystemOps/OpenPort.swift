import Interpreter

/// `open-port`: let new connections in on some ports, on whichever firewall the host runs.
/// Never adds a rule that is already there; on iptables, puts new rules above the
/// distribution's catch-all REJECT so they work, and saves them so a reboot keeps them.
enum OpenPort {
    static let spec = OpSpec(
        name: "open-port",
        summary: "Open ports in the host firewall (iptables or firewalld), persistently and without duplicates.",
        params: [
            ParamSpec("proto", .string, default: .string("tcp"), positional: true, choices: ["tcp", "udp", "both"],
                      doc: "Protocol of the ports; `both` opens each port for tcp and udp."),
            ParamSpec("ports", .oneOf([.int, .string, .list(.any)]), positional: true,
                      doc: "A port (16509), a range (\"49152-49261\"), a comma list (\"111,662\"), a port with its own protocol (\"32803/udp\"), or a list of these."),
            ParamSpec("source", .string, default: Value.none, rule: network,
                      doc: "Only from this address or CIDR (10.0.0.0/24); anywhere when left out."),
            ParamSpec("comment", .string, default: Value.none, rule: .singleLine,
                      doc: "iptables only: a `-m comment` on each new rule (firewalld ports carry no comment)."),
        ],
        examples: [
            #"open-port "tcp" 16509"#,
            #"open-port "tcp" "49152-49261""#,
            #"open-port "both" [111, 662, 875, 892, 2049]"#,
            #"open-port "both" [111, 2049, "32803/tcp", "32769/udp"]"#,
            #"open-port "tcp" 2049 source: "192.168.122.0/24" comment: "nfs""#,
        ],
        resultFields: [
            ("backend", "`iptables`, `firewalld`, or `none` (no firewall found)"),
            ("added", "Ports opened by this call, as `PORT/proto` or `LOW-HIGH/proto`"),
            ("already_open", "Requested ports that were open already"),
            ("dead_rules", "Requested ports that only rules below the catch-all REJECT/DROP accepted (they never matched)"),
            ("persisted_with", "How iptables rules were saved: `service iptables save`, the init script, a file path, or empty"),
        ],
        body: .plan { arguments, context in try await plan(arguments, context) })

    /// An address or CIDR network: it is written into iptables arguments and into
    /// firewalld's rich-rule text (`source address="..."`), where a quote would end it.
    static let network = ValueRule { value in
        guard case .string(let source) = value, !source.isEmpty else { return nil }
        let allowed = source.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == "." || $0 == ":" || $0 == "/" }
        return allowed ? nil : OpError("\(Value.quoted(source)) is not an address or network",
                                       hint: "write an IPv4 or IPv6 address, or a network like \"10.0.0.0/24\"")
    }

    /// What was asked for, validated.
    struct Request: Sendable {
        var ranges: [PortRange]
        var source: String?
        var comment: String?
    }

    static func request(from arguments: OpArguments) throws -> Request {
        let protocols = try PortRange.protocols(arguments.string("proto"))
        let ranges = try PortRange.parse(arguments["ports"], protocols: protocols)
        return Request(ranges: ranges, source: arguments.nonEmptyString("source"),
                       comment: arguments.nonEmptyString("comment"))
    }

    static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let request = try request(from: arguments)
        let facts = try await context.facts()
        switch facts.firewall {
        case .firewalld:
            return try await OpenPortFirewalld.plan(request, context)
        case .iptables:
            return try await OpenPortIptables.plan(request, facts: facts, context)
        case .none:
            return .noChange("no firewall is active on this host (neither firewalld nor iptables was found)",
                             details: ["backend": .string("none")])
        }
    }

    static func labels(_ ranges: [PortRange]) -> Value { .list(ranges.map { .string($0.description) }) }
}
