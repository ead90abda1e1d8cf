import Interpreter

/// `hosts-entry ADDRESS NAMES`: one /etc/hosts line per address.
enum HostsEntry {
    static let address = Param.string("address", positional: true, rule: .singleLine, doc: "IPv4 or IPv6 address, written as the line's first field.")
    static let names = Param.strings(
        "names", .oneOf([.list(.string), .string]), positional: true, rule: .singleLine,
        doc: "The names for the address (`[\"ctl.example.com\", \"ctl\"]`): missing ones are added to "
            + "the address's line after the names it has (other aliases stay; spacing and `# comment` "
            + "kept), later lines for the same address are folded into it, and a missing address is "
            + "appended. A name listed on ANOTHER address's line is taken off that line (the line goes "
            + "when no name is left), except on loopback lines (127.0.0.0/8, ::1), which are never "
            + "rewritten. A loopback address, or a `localhost*` name for another address, is refused.")
    static let path = Param.string("path", default: "/etc/hosts", doc: "The hosts file to edit.")

    static let spec = OpSpec(
        name: "hosts-entry",
        summary: "Make an address resolve to the given names in /etc/hosts: one line per address, never duplicated.",
        params: [address.spec, names.spec, path.spec, FileEditing.backup.spec],
        examples: [
            #"hosts-entry "192.168.122.10" ["ctl.example.com", "ctl"]"#,
            "for node in nodes {\n  let f = facts(node)\n  hosts-entry f.address [f.fqdn, f.hostname]\n}",
        ],
        resultFields: [FieldSpec("path", .string, doc: "The file's path.")],
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "hosts-entry")
        let address = arguments[Self.address]
        let names = arguments[Self.names]
        try validate(address: address, names: names)
        let before = try await FileEditing.readBytes(path, context: context, op: "hosts-entry")
        var file = HostsFile(before ?? [])
        file.ensure(address: address, names: names)
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: path, arguments, context))
        return try await FileEditing.writePlan(path: path, before: before, after: file.bytes, options: options, context: context)
    }

    static func validate(address: String, names: [String]) throws {
        guard !address.isEmpty, !address.contains(where: \.isWhitespace), !address.contains("#") else {
            throw OpError("hosts-entry: \(Value.quoted(address)) is not an address")
        }
        guard !names.isEmpty else { throw OpError("hosts-entry: give at least one name for \(address)") }
        for name in names where name.isEmpty || name.contains(where: \.isWhitespace) || name.contains("#") {
            throw OpError("hosts-entry: \(Value.quoted(name)) is not a host name")
        }
        if let refusal = HostsFile.refusal(address: address, names: names) {
            throw OpError("hosts-entry: \(refusal)")
        }
    }
}
