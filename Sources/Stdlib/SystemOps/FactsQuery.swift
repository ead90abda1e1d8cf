import Interpreter

/// `facts`: everything crucible knows about a host, as a record (`facts().fqdn`). Given
/// another host of the run (`facts(node)`), its facts, read over that host's own
/// connection: the /etc/hosts entries of every node need every node's names.
enum FactsQuery {
    static let host = Param.value(
        "host", .host, default: Value.none, positional: true,
        doc: "Another host of this run; left out: the host the block runs on. When that other host is unreachable the result is `none` (this host goes on).")

    static let spec = OpSpec(
        name: "facts",
        summary: "A host's facts: distribution, version, init system, firewall, SELinux, names, NFS choices.",
        params: [host.spec],
        examples: [#"let f = facts()"#, #"if facts().selinux != "disabled" { restorecon "/etc/hosts" }"#,
                   #"let names = [facts(node).fqdn, facts(node).hostname]"#],
        resultFields: HostFacts.fields.map(\.spec),
        body: .query { arguments, context in
            do {
                return try await facts(arguments, context).value
            } catch let error as TransportError where error.isFatalForHost && arguments[host] != .none {
                // Another host being down is that host's failure, reported on it; here it
                // only means its facts are unknown.
                return .none
            }
        })

    static func facts(_ arguments: OpArguments, _ context: any HostContext) async throws -> HostFacts {
        switch arguments[Self.host] {
        case .host(let other):
            return try await context.facts(of: other)
        case .string(let text):
            do { return try await context.facts(of: try HostTarget.parse(text)) } catch let error as HostTarget.ParseError {
                throw OpError("`\(text)` is not a host: \(error)")
            }
        default:
            return try await context.facts()
        }
    }
}
