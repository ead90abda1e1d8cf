import Interpreter

/// `open-port`: let new connections in on some ports, on whichever firewall the host runs.
/// Never adds a rule that is already there; on iptables, puts new rules above the
/// distribution's catch-all REJECT so they work, and saves them so a reboot keeps them.
enum OpenPort {
    static let proto = Param.string("proto", default: "tcp", positional: true, choices: ["tcp", "udp", "both"],
                                    doc: "Protocol of the ports; `both` opens each port for tcp and udp.")
    static let ports = Param.value(
        "ports", .oneOf([.int, .string, .list(.any)]), positional: true,
        doc: "A port (16509), a range (\"49152-49261\"), a comma list (\"111,662\"), a port with its own protocol (\"32803/udp\"), or a list of these.")
    /// Read as given: a list, even an empty one, is not the same as leaving it out.
    static let source = Param.value(
        "source", .oneOf([.string, .list(.string)]), default: Value.none, rule: network,
        doc: "Only from this address or CIDR (10.0.0.0/24), or from each of a list of them (one rule per source and port); anywhere when left out.")
    static let comment = Param.nonEmptyString("comment", rule: .singleLine,
                                              doc: "iptables only: a `-m comment` on each new rule (firewalld ports carry no comment).")

    static let spec = OpSpec(
        name: "open-port",
        summary: "Open ports in the host firewall (iptables or firewalld), persistently and without duplicates.",
        params: [proto.spec, ports.spec, source.spec, comment.spec],
        examples: [
            #"open-port "tcp" 16509"#,
            #"open-port "tcp" "49152-49261""#,
            #"open-port "both" [111, 662, 875, 892, 2049]"#,
            #"open-port "both" [111, 2049, "32803/tcp", "32769/udp"]"#,
            #"open-port "tcp" 2049 source: "192.168.122.0/24" comment: "nfs""#,
            #"open-port "tcp" [16509, "49152-49215"] source: ["10.0.0.2", "10.0.0.3"]"#,
        ],
        resultFields: [
            FieldSpec("backend", oneOf: ["iptables", "firewalld", "none"], doc: "`iptables`, `firewalld`, or `none` (no firewall found)"),
            FieldSpec("added", .list(.string), doc: "Ports opened by this call, as `PORT/proto` or `LOW-HIGH/proto`"),
            FieldSpec("already_open", .list(.string), doc: "Requested ports that were open already"),
            FieldSpec("dead_rules", .list(.string), doc: "Requested ports that only rules below the catch-all REJECT/DROP accepted (they never matched)"),
            FieldSpec("persisted_with", .string, doc: "How iptables rules were saved: `service iptables save`, the init script, a file path, or empty"),
        ],
        body: .plan { arguments, context in try await plan(arguments, context) }).mayChange { _ in IptablesPersistence.savedFiles.map { CommandEffect.edit(of: $0.1) }.reduce(.changes(.packetFilter, .firewalld)) { $0.union($1) } }

    /// An address or CIDR network: it is written into iptables arguments and into
    /// firewalld's rich-rule text (`source address="..."`), where a quote would end it.
    static let network = ValueRule { value in
        let sources: [String]
        switch value {
        case .string(let source): sources = [source]
        case .list(let items): sources = items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        default: return nil
        }
        guard let source = sources.first(where: { !$0.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == "." || $0 == ":" || $0 == "/" } })
        else { return nil }
        return OpError("\(Value.quoted(source)) is not an address or network",
                       hint: "write an IPv4 or IPv6 address, or a network like \"10.0.0.0/24\"")
    }

    /// One port range, from one source (nil: from anywhere).
    struct Opening: Sendable, CustomStringConvertible {
        var range: PortRange
        var source: String?
        var description: String { source.map { "\(range) from \($0)" } ?? range.description }
    }

    /// What was asked for, validated: every range from every source.
    struct Request: Sendable {
        var openings: [Opening]
        var comment: String?

        init(ranges: [PortRange], sources: [String?] = [nil], comment: String? = nil) {
            openings = sources.flatMap { source in ranges.map { Opening(range: $0, source: source) } }
            self.comment = comment
        }

        init(ranges: [PortRange], source: String?, comment: String? = nil) {
            self.init(ranges: ranges, sources: [source], comment: comment)
        }
    }

    static func request(from arguments: OpArguments) throws -> Request {
        let protocols = try PortRange.protocols(arguments[Self.proto])
        let ranges = try PortRange.parse(arguments[Self.ports], protocols: protocols)
        var sources: [String?] = [nil]
        switch arguments[Self.source] {
        case .list(let items):
            sources = items.map(\.interpolated).filter { !$0.isEmpty }
            guard !sources.isEmpty else {
                throw OpError("`source` is an empty list, which would open the ports to no one",
                              hint: "leave `source` out to open them to everyone")
            }
        case .none:
            break
        case let single:
            if !single.interpolated.isEmpty { sources = [single.interpolated] }
        }
        return Request(ranges: ranges, sources: sources, comment: arguments[Self.comment])
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

    static func labels(_ openings: [Opening]) -> Value { .list(openings.map { .string($0.description) }) }
}
