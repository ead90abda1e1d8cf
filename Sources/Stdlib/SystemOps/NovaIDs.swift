import Interpreter

/// `nova-ids`: the uid and gid of the `nova` user, which must be the same on every node
/// sharing the instances directory over NFS. The recipe compares nodes and reports a
/// mismatch; renumbering a live user is left to the operator.
enum NovaIDs {
    static let spec = OpSpec(
        name: "nova-ids",
        summary: "The `nova` user's uid and gid ({uid, gid}), or none when there is no such user.",
        params: [],
        examples: [#"let ids = nova-ids()"#],
        returns: .oneOf([.record, .none]),
        resultFields: [FieldSpec("uid", .int, doc: "`id -u nova`"), FieldSpec("gid", .int, doc: "`id -g nova`")],
        body: .query { _, context in
            parse(try await HostProbe.run(probe, on: context))
        })

    static let probe = Probe(Shell.all([ShellQuote.command(["id", "-u", "nova"]), ShellQuote.command(["id", "-g", "nova"])]),
                             reads: [.user("nova"), .contents("/etc/passwd"), .contents("/etc/group")])

    static func parse(_ result: CommandResult) -> Value {
        let numbers = result.stdoutText.split(whereSeparator: \.isNewline).compactMap { Int(String($0).trimmed) }
        guard result.succeeded, numbers.count == 2 else { return .none }
        return .record(["uid": .int(numbers[0]), "gid": .int(numbers[1])])
    }
}
