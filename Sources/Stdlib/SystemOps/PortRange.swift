import Interpreter

/// A port or an inclusive range of ports of one protocol: `16509/tcp`, `49152-49261/tcp`.
public struct PortRange: Sendable, Hashable, CustomStringConvertible {
    public var low: Int
    public var high: Int
    public var proto: String

    public init(_ low: Int, _ high: Int? = nil, proto: String) {
        self.low = low
        self.high = high ?? low
        self.proto = proto
    }

    public var isSinglePort: Bool { low == high }

    /// `49152-49261/tcp`: the spelling firewalld uses and results show.
    public var description: String { "\(portText(separator: "-"))/\(proto)" }

    /// `22` or `49152:49261`, as iptables' `--dport` takes it.
    public var iptablesPort: String { portText(separator: ":") }

    private func portText(separator: String) -> String {
        isSinglePort ? String(low) : "\(low)\(separator)\(high)"
    }

    public func covers(_ port: Int) -> Bool { (low...high).contains(port) }

    /// The protocols a `proto` argument names: `both` is tcp and udp.
    public static func protocols(_ proto: String) throws -> [String] {
        switch proto.lowercased() {
        case "tcp": return ["tcp"]
        case "udp": return ["udp"]
        case "both": return ["tcp", "udp"]
        default: throw OpError("unknown protocol `\(proto)`", hint: "use \"tcp\", \"udp\" or \"both\"")
        }
    }

    /// The ports of an `open-port` argument: an int, a string (`"2049"`, `"49152-49261"`,
    /// `"111,662"`), or a list of those; every one for each of `protocols`. A string may name
    /// its own protocol (`"32803/tcp"`, `"111/both"`): then it is opened for that one only,
    /// after the others, so one call can cover a service's mixed ports (one read of the
    /// firewall, one change).
    public static func parse(_ value: Value, protocols: [String]) throws -> [PortRange] {
        var spans: [(low: Int, high: Int, protocols: [String]?)] = []
        try collect(value, into: &spans)
        guard !spans.isEmpty else { throw OpError("no ports given") }
        var result: [PortRange] = []
        func add(_ range: PortRange) { if !result.contains(range) { result.append(range) } }
        for proto in protocols {
            for span in spans where span.protocols == nil { add(PortRange(span.low, span.high, proto: proto)) }
        }
        for span in spans {
            for proto in span.protocols ?? [] { add(PortRange(span.low, span.high, proto: proto)) }
        }
        return result
    }

    private static func collect(_ value: Value, into spans: inout [(low: Int, high: Int, protocols: [String]?)]) throws {
        switch value {
        case .int(let port):
            let (low, high) = try checked(port, port, text: String(port))
            spans.append((low, high, nil))
        case .string(let text):
            for piece in text.split(separator: ",") {
                var ports = String(piece).trimmed
                var protocols: [String]?
                if let slash = ports.firstIndex(of: "/") {
                    protocols = try Self.protocols(String(ports[ports.index(after: slash)...]).trimmed)
                    ports = String(ports[..<slash]).trimmed
                }
                let (low, high) = try range(ports)
                spans.append((low, high, protocols))
            }
        case .list(let items):
            for item in items { try collect(item, into: &spans) }
        default:
            throw OpError("ports must be an int, a string such as \"49152-49261\" or \"32803/udp\", or a list of them; got \(value.literal)")
        }
    }

    private static func range(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: text.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let low = Int(parts[0]), let high = Int(parts.last!) else {
            throw OpError("`\(text)` is not a port or a port range", hint: "write 2049 or \"49152-49261\"")
        }
        return try checked(low, high, text: text)
    }

    private static func checked(_ low: Int, _ high: Int, text: String) throws -> (Int, Int) {
        guard (1...65535).contains(low), (1...65535).contains(high) else {
            throw OpError("port `\(text)` is outside 1-65535")
        }
        guard low <= high else { throw OpError("port range `\(text)` ends before it starts") }
        return (low, high)
    }
}
