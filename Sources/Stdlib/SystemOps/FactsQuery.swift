import Interpreter

/// `facts`: everything crucible knows about the host, as a record (`facts().fqdn`).
enum FactsQuery {
    static let spec = OpSpec(
        name: "facts",
        summary: "The host's facts: distribution, version, init system, firewall, SELinux, names, NFS choices.",
        params: [],
        examples: [#"let f = facts()"#, #"if facts().selinux != "disabled" { restorecon("/etc/hosts") }"#],
        resultFields: HostFacts.fieldNames.map { ($0, "See `crucible-sh ops facts`.") },
        body: .query { _, context in try await context.facts().value })
}
