import Interpreter

/// `file PATH content: ...`: a whole file's bytes, mode and owner.
enum FileOp {
    static let path = Param.string("path", positional: true, doc: "Absolute path of the file. Its directory is created when missing.")
    static let content = Param.string("content", doc: "The file's entire content, written byte for byte (add the final newline yourself).")
    static let mode = Param.optionalString("mode", .oneOf([.string, .none]), rule: .octalMode,
                                           doc: "Octal mode (`\"0644\"`). Without it an existing file keeps its mode and a new one gets 0644.")
    static let owner = Param.optionalString("owner", .oneOf([.string, .none]),
                                            doc: "`user` or `user:group`. Without it an existing file keeps its owner.")

    static let spec = OpSpec(
        name: "file",
        summary: "Make a file hold exactly the given content (and mode/owner when given).",
        params: [path.spec, content.spec, mode.spec, owner.spec, FileEditing.backup.spec],
        examples: [
            #"file "/etc/modprobe.d/lockd.conf" content: "options lockd nlm_tcpport=32803 nlm_udpport=32769\n""#,
            #"file "/etc/sudoers.d/nova" content: sudoers mode: "0440" owner: "root:root""#,
        ],
        resultFields: [FieldSpec("path", .string, doc: "The file's path.")],
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "file")
        let mode = try ModeOwner.validMode(arguments[Self.mode], op: "file")
        let owner = try ModeOwner.validOwner(arguments[Self.owner], op: "file")
        let content = Array(arguments[Self.content].utf8)
        let before = try await FileEditing.readBytes(path, context: context, op: "file")
        let backup = before == nil ? nil : FileEditing.backupPath(for: path, arguments, context)
        if before != content {
            let options = WriteOptions(backupPath: backup, modeIfNew: mode ?? "0644", mode: mode, owner: owner)
            return try await FileEditing.writePlan(path: path, before: before, after: content, options: options, context: context)
        }
        guard mode != nil || owner != nil else {
            return .noChange("\(path) already has this content", details: ["path": .string(path)])
        }
        let stat = try await FileStat.read(path, kind: .file, owner: owner, op: "file", context: context)
        let fixups = ModeOwner.fixups(path: path, stat: stat, mode: mode, owner: owner)
        if fixups.isEmpty { return .noChange("\(path) already has this content, mode and owner", details: ["path": .string(path)]) }
        return OpPlan(actions: fixups, details: ["path": .string(path)], effect: .metadata(of: path))
    }
}
