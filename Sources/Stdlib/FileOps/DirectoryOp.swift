import Interpreter

/// `directory PATH`: a directory with a mode and owner.
enum DirectoryOp {
    static let path = Param.string("path", positional: true, doc: "Absolute path of the directory.")
    static let mode = Param.optionalString("mode", .oneOf([.string, .none]), rule: .octalMode,
                                           doc: "Octal mode (`\"0755\"`); without it an existing directory keeps its mode and a new one gets the umask's.")
    static let owner = Param.optionalString("owner", .oneOf([.string, .none]),
                                            doc: "`user` or `user:group` (`\"nova:nova\"`); without it the owner is left alone.")

    static let spec = OpSpec(
        name: "directory",
        summary: "Make a directory exist (parents included), with the given mode and owner.",
        params: [path.spec, mode.spec, owner.spec],
        examples: [
            #"directory "/var/lib/nova/instances" mode: "0755" owner: "nova:nova""#,
        ],
        resultFields: [FieldSpec("path", .string, doc: "The directory's path.")],
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    /// Checks and reads the directory with one probe (`FileStat`: a symlink another user made
    /// is refused, not followed), and plans one command for what differs: making it (each
    /// missing component in turn, in the directory above it), then its owner and mode.
    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "directory")
        let mode = try ModeOwner.validMode(arguments[Self.mode], op: "directory")
        let owner = try ModeOwner.validOwner(arguments[Self.owner], op: "directory")
        let stat = try await FileStat.read(path, kind: .directory, owner: owner, op: "directory", context: context)
        guard stat.exists else {
            let command = PathCheck.changeCommand(in: stat.existingDirectory, create: stat.missing, createMode: mode, owner: owner)
            let summary = "create directory \(path)" + (mode.map { " mode \($0)" } ?? "") + (owner.map { " owner \($0)" } ?? "")
            return OpPlan(actions: [.run(command: command, summary: summary)], details: ["path": .string(path)], effect: .metadata(of: path))
        }
        let fixups = ModeOwner.fixups(path: path, stat: stat, mode: mode, owner: owner)
        if fixups.isEmpty { return .noChange("\(path) is already as wanted", details: ["path": .string(path)]) }
        return OpPlan(actions: fixups, details: ["path": .string(path)], effect: .metadata(of: path))
    }
}
