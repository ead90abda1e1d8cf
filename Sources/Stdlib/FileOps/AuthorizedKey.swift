import Interpreter
import OrderedCollections

/// `authorized-key KEY user: ...`: an SSH public key in a user's authorized_keys, once.
enum AuthorizedKey {
    static let key = Param.string(
        "key", positional: true, rule: oneKeyLine,
        doc: "The public key line (`ssh-ed25519 AAAA... comment`, options in front allowed). A line "
            + "holding the same key (type and base64 blob), with other options or another comment, is "
            + "updated in place rather than added again.")
    static let user = Param.optionalString(
        "user", .oneOf([.string, .none]),
        doc: "Whose key file: `~USER/.ssh/authorized_keys`, home directory from `getent passwd`. "
            + "A missing ~/.ssh is created with mode 0700 and a missing file with 0600, both owned by "
            + "the user and their login group.")
    static let path = Param.optionalString(
        "path", .oneOf([.string, .none]),
        doc: "An explicit key file instead of `user` (sshd's AuthorizedKeysFile elsewhere); a missing "
            + "directory is created 0700 and the file 0600, owned by whoever runs crucible.")
    static let state = Param.string("state", default: "present", choices: ["present", "absent"],
                                    doc: "`absent` removes every line holding the key.")

    static let spec = OpSpec(
        name: "authorized-key",
        summary: "Let an SSH public key log in: add it to authorized_keys once (never duplicated).",
        params: [key.spec, user.spec, path.spec, state.spec, FileEditing.backup.spec],
        examples: [
            #"authorized-key controller_key user: "root""#,
            #"authorized-key "ssh-ed25519 AAAAC3Nza... nova@ctl" user: "nova""#,
        ],
        resultFields: [FieldSpec("path", .string, doc: "The authorized_keys file.")],
        body: .plan(plan)
    )

    /// The key may end with the newline of the `.pub` file it came from; a line break
    /// inside it would write a second line.
    static let oneKeyLine = ValueRule { value in
        guard case .string(let key) = value else { return nil }
        return ValueRule.singleLine.problem(.string(key.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let key = arguments[Self.key].trimmingCharacters(in: .whitespacesAndNewlines)
        guard AuthorizedKeys.identity(of: key) != nil, !key.containsLineBreak else {
            throw OpError("authorized-key: this is not a public key line", hint: "expected `ssh-ed25519 AAAA... comment`")
        }
        let target = try await keyFile(arguments, context)
        let before = try await FileEditing.readBytes(target.path, context: context, op: "authorized-key")
        var file = AuthorizedKeys(before ?? [])
        if arguments[Self.state] == "absent" { file.remove(key) } else { file.ensure(key) }
        if before == nil && file.bytes.isEmpty { return .noChange("\(target.path) does not exist", details: ["path": .string(target.path)]) }
        let after = file.bytes
        let details: OrderedDictionary<String, Value> = ["path": .string(target.path)]
        if before == after { return .noChange("the key is already authorized in \(target.path)", details: details) }
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: target.path, arguments, context),
                                   modeIfNew: "0600", owner: target.owner)
        let directoryActions = before == nil ? try await sshDirectoryActions(for: target, context: context) : []
        return OpPlan(actions: directoryActions + [.writeFile(path: target.path, before: before, after: after, options: options)],
                      details: details, effect: .metadata(of: FileEditing.directory(of: target.path)))
    }

    struct KeyFile {
        var path: String
        /// `user:` (the user and their login group) for files under a user's home: the file is
        /// written as theirs, new or not.
        var owner: String?
        /// The way to it, checked when the user's home was looked up.
        var stat: FileStat?
    }

    static func keyFile(_ arguments: OpArguments, _ context: any HostContext) async throws -> KeyFile {
        switch (arguments[Self.user], arguments[Self.path]) {
        case (nil, nil), (.some, .some):
            throw OpError("authorized-key: give either `user` or `path`")
        case (nil, let path?):
            try FileEditing.requireAbsolutePath(path, op: "authorized-key")
            return KeyFile(path: path, owner: nil)
        case (let user?, nil):
            let owner = try ModeOwner.validOwner(user, op: "authorized-key")
            guard let owner, !owner.contains(":") else { throw OpError("authorized-key: `user` is a user name, without a group") }
            return try await userKeyFile(owner, context)
        }
    }

    /// Looks the user up (`getent passwd`) and checks the way to their key file, for a file
    /// that is theirs, in the same probe: a `~/.ssh` or `authorized_keys` that is a symlink
    /// they (or anyone but root) made is refused before anything is read or written.
    static let userKeyFileScript = PathCheck.function + HostScripts.userKeyFile

    static func userKeyFile(_ user: String, _ context: any HostContext) async throws -> KeyFile {
        let result = try await context.probe(Probe(ShellQuote.command(["/bin/sh", "-c", userKeyFileScript, "crucible-user-keys", user]),
                                                   reads: [.user(user), .contents("/etc/passwd")]))
        let passwd = result.stdoutText.split(separator: "\n").first { $0.hasPrefix("passwd=") }
        let fields = passwd?.dropFirst("passwd=".count).split(separator: ":", omittingEmptySubsequences: false) ?? []
        guard result.status != 3, fields.count >= 6, fields[5].hasPrefix("/") else {
            throw OpError("authorized-key: there is no user \(Value.quoted(user)) on this host")
        }
        let home = String(fields[5])
        let stat = try FileStat.checked(PathCheck.parse(result), op: "authorized-key")
        return KeyFile(path: (home == "/" ? "" : home) + "/.ssh/authorized_keys", owner: user + ":", stat: stat)
    }

    /// `mkdir -m 0700` of a missing .ssh directory, in the directory above it, then chown to
    /// the user.
    static func sshDirectoryActions(for target: KeyFile, context: any HostContext) async throws -> [PlannedAction] {
        if let stat = target.stat {
            return FileEditing.parentDirectoryActions(for: target.path, stat, mode: "0700", owner: target.owner)
        }
        return try await FileEditing.parentDirectoryActions(for: target.path, owner: target.owner, context: context,
                                                            mode: "0700", directoryOwner: target.owner)
    }
}
