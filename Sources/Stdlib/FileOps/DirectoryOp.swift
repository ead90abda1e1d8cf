import Interpreter

/// `directory PATH`: a directory with a mode and owner.
enum DirectoryOp {
    static let spec = OpSpec(
        name: "directory",
        summary: "Make a directory exist (parents included), with the given mode and owner.",
        params: [
            ParamSpec("path", .string, positional: true, doc: "Absolute path of the directory."),
            ParamSpec("mode", .oneOf([.string, .none]), default: Value.none,
                      doc: "Octal mode (`\"0755\"`); without it an existing directory keeps its mode and a new one gets the umask's."),
            ParamSpec("owner", .oneOf([.string, .none]), default: Value.none,
                      doc: "`user` or `user:group` (`\"nova:nova\"`); without it the owner is left alone."),
        ],
        examples: [
            #"directory "/var/lib/nova/instances" mode: "0755" owner: "nova:nova""#,
        ],
        resultFields: [FieldSpec("path", .string, doc: "The directory's path.")],
        body: .plan(plan)
    )

    /// Reads the directory's state with one `stat` and plans `mkdir -p`, `chmod` and `chown`
    /// only for what differs.
    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments.string("path")
        try FileEditing.requireAbsolutePath(path, op: "directory")
        let mode = try ModeOwner.validMode(arguments.optionalString("mode"), op: "directory")
        let owner = try ModeOwner.validOwner(arguments.optionalString("owner"), op: "directory")
        guard let stat = try await FileStat.read(path, context: context) else {
            var actions: [PlannedAction] = [.run(command: ShellQuote.command(["mkdir", "-p", "--", path]), summary: "create directory \(path)")]
            if let mode { actions.append(.run(command: ShellQuote.command(["chmod", mode, "--", path]), summary: "chmod \(mode) \(path)")) }
            if let owner { actions.append(.run(command: ShellQuote.command(["chown", owner, "--", path]), summary: "chown \(owner) \(path)")) }
            return OpPlan(actions: actions, details: ["path": .string(path)], effect: .metadata(of: path))
        }
        guard stat.isDirectory else { throw OpError("directory: \(path) exists and is not a directory") }
        let fixups = ModeOwner.fixups(path: path, stat: stat, mode: mode, owner: owner)
        if fixups.isEmpty { return .noChange("\(path) is already as wanted", details: ["path": .string(path)]) }
        return OpPlan(actions: fixups, details: ["path": .string(path)], effect: .metadata(of: path))
    }
}
