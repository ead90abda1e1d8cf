import Interpreter

/// `facts`: everything crucible knows about the host, as a record (`facts().fqdn`).
enum FactsQuery {
    static let spec = OpSpec(
        name: "facts",
        summary: "The host's facts: distribution, version, init system, firewall, SELinux, names, NFS choices.",
        params: [
            ParamSpec("of", .host, default: Value.none, positional: true,
                      doc: "Another host of the run whose facts to read (over its own connection); `none` for this host."),
        ],
        examples: [#"let f = facts()"#, #"for node in nodes { hosts-entry node.address [facts(node).fqdn, facts(node).hostname] }"#, #"if facts().selinux != "disabled" { restorecon("/etc/hosts") }"#],
        resultFields: HostFacts.fieldNames.map { ($0, "See `crucible-sh ops facts`.") },
        body: .query { arguments, context in
            if let other = arguments["of"].asHost { return try await context.facts(of: other).value }
            return try await context.facts().value
        })
}
