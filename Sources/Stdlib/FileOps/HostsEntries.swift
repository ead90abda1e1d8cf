import Interpreter

/// `hosts-entries [{address, names}...]`: several /etc/hosts lines in one read and one
/// write, for a recipe that names every node on every node (N entries, one exec or two).
enum HostsEntries {
    static let entries = Param.list(
        "entries", .list(.record), positional: true, rule: .singleLine,
        doc: "Records `{ address = \"10.0.0.2\", names = [\"c1.example.com\", \"c1\"] }`, each applied as "
            + "`hosts-entry` would, in order.")
    static let path = Param.string("path", default: "/etc/hosts", doc: "The hosts file to edit.")

    static let spec = OpSpec(
        name: "hosts-entries",
        summary: "Several /etc/hosts entries at once (as hosts-entry, one read and at most one write).",
        params: [entries.spec, path.spec, FileEditing.backup.spec],
        examples: [
            "let entries = []\nfor node in nodes {\n  let f = facts(node)\n  entries = entries + [{ address = f.address, names = [f.fqdn, f.hostname] }]\n}\nhosts-entries entries",
        ],
        resultFields: [FieldSpec("path", .string, doc: "The file's path.")],
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "hosts-entries")
        let entries = try arguments[Self.entries].map(entry)
        try refuseSharedNames(entries)
        let before = try await FileEditing.readBytes(path, context: context, op: "hosts-entries")
        var file = HostsFile(before ?? [])
        for (address, names) in entries { file.ensure(address: address, names: names) }
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: path, arguments, context))
        return try await FileEditing.writePlan(path: path, before: before, after: file.bytes, options: options, context: context)
    }

    /// Two addresses with one name would leave the name on whichever comes last: two nodes
    /// with one hostname are a mistake to report, not to paper over.
    static func refuseSharedNames(_ entries: [(String, [String])]) throws {
        var owner: [String: String] = [:]
        for (address, names) in entries {
            for name in names {
                if let other = owner[name.lowercased()], other != address {
                    throw OpError("hosts-entries: `\(name)` is given to both \(other) and \(address)",
                                  hint: "every node needs its own host name (nova and libvirt address nodes by it)")
                }
                owner[name.lowercased()] = address
            }
        }
    }

    /// One entry's address and names, checked as hosts-entry checks them.
    static func entry(_ value: Value) throws -> (String, [String]) {
        guard let record = value.asRecord, case .string(let address)? = record["address"] else {
            throw OpError("hosts-entries: each entry needs `address` (a string) and `names`, got \(value.literal)")
        }
        let names: [String]
        switch record["names"] {
        case .list(let items)?: names = items.map(\.interpolated)
        case .string(let name)?: names = [name]
        default: throw OpError("hosts-entries: the entry for \(address) needs `names`")
        }
        try HostsEntry.validate(address: address, names: names)
        return (address, names)
    }
}
