import Interpreter
import OrderedCollections

/// `authorized-key KEY user: ...`: an SSH public key in a user's authorized_keys, once.
enum AuthorizedKey {
    static let spec = OpSpec(
        name: "authorized-key",
        summary: "Let an SSH public key log in: add it to authorized_keys once (never duplicated).",
        params: [
            ParamSpec("key", .string, positional: true,
                      doc: "The public key line (`ssh-ed25519 AAAA... comment`, options in front allowed). A line "
                        + "holding the same key (type and base64 blob), with other options or another comment, is "
                        + "updated in place rather than added again."),
            ParamSpec("user", .oneOf([.string, .none]), default: Value.none,
                      doc: "Whose key file: `~USER/.ssh/authorized_keys`, home directory from `getent passwd`. "
                        + "A missing ~/.ssh is created with mode 0700 and a missing file with 0600, both owned by "
                        + "the user and their login group."),
            ParamSpec("path", .oneOf([.string, .none]), default: Value.none,
                      doc: "An explicit key file instead of `user` (sshd's AuthorizedKeysFile elsewhere); a missing "
                        + "directory is created 0700 and the file 0600, owned by whoever runs crucible."),
            ParamSpec("state", .string, default: .string("present"), choices: ["present", "absent"],
                      doc: "`absent` removes every line holding the key."),
            FileEditing.backupParam,
        ],
        examples: [
            #"authorized-key controller_key user: "root""#,
            #"authorized-key "ssh-ed25519 AAAAC3Nza... nova@ctl" user: "nova""#,
        ],
        resultFields: [("path", "The authorized_keys file.")],
        body: .plan(plan)
    )

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let key = arguments.string("key").trimmingCharacters(in: .whitespacesAndNewlines)
        guard AuthorizedKeys.identity(of: key) != nil, !key.containsLineBreak else {
            throw OpError("authorized-key: this is not a public key line", hint: "expected `ssh-ed25519 AAAA... comment`")
        }
        let target = try await keyFile(arguments, context)
        let before = try await FileEditing.readBytes(target.path, context: context, op: "authorized-key")
        var file = AuthorizedKeys(before ?? [])
        if arguments.string("state") == "absent" { file.remove(key) } else { file.ensure(key) }
        if before == nil && file.bytes.isEmpty { return .noChange("\(target.path) does not exist", details: ["path": .string(target.path)]) }
        let after = file.bytes
        let details: OrderedDictionary<String, Value> = ["path": .string(target.path)]
        if before == after { return .noChange("the key is already authorized in \(target.path)", details: details) }
        let options = try await FileEditing.backupBesideTarget(
            WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: target.path, arguments, context),
                         modeIfNew: "0600", owner: before == nil ? target.owner : nil), path: target.path, context: context)
        let directoryActions = before == nil ? try await sshDirectoryActions(for: target, context: context) : []
        return OpPlan(actions: directoryActions + [.writeFile(path: target.path, before: before, after: after, options: options)],
                      details: details, effect: .metadata(of: FileEditing.directory(of: target.path)))
    }

    struct KeyFile {
        var path: String
        /// `user:` (the user and their login group) for files under a user's home.
        var owner: String?
    }

    static func keyFile(_ arguments: OpArguments, _ context: any HostContext) async throws -> KeyFile {
        switch (arguments.optionalString("user"), arguments.optionalString("path")) {
        case (nil, nil), (.some, .some):
            throw OpError("authorized-key: give either `user` or `path`")
        case (nil, let path?):
            try FileEditing.requireAbsolutePath(path, op: "authorized-key")
            return KeyFile(path: path, owner: nil)
        case (let user?, nil):
            let owner = try ModeOwner.validOwner(user, op: "authorized-key")
            guard let owner, !owner.contains(":") else { throw OpError("authorized-key: `user` is a user name, without a group") }
            let home = try await homeDirectory(of: owner, context)
            return KeyFile(path: (home == "/" ? "" : home) + "/.ssh/authorized_keys", owner: owner + ":")
        }
    }

    static func homeDirectory(of user: String, _ context: any HostContext) async throws -> String {
        let result = try await context.probe(ShellQuote.command(["getent", "passwd", user]))
        let fields = result.stdoutText.trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard result.succeeded, fields.count >= 6, fields[5].hasPrefix("/") else {
            throw OpError("authorized-key: there is no user \(Value.quoted(user)) on this host")
        }
        return String(fields[5])
    }

    /// `mkdir -m 0700` (and chown to the user) for a missing .ssh directory.
    static func sshDirectoryActions(for target: KeyFile, context: any HostContext) async throws -> [PlannedAction] {
        let directory = FileEditing.directory(of: target.path)
        var actions = try await FileEditing.parentDirectoryActions(for: target.path, context: context, mode: "0700")
        if !actions.isEmpty, let owner = target.owner {
            actions.append(.run(command: ShellQuote.command(["chown", owner, "--", directory]), summary: "chown \(owner) \(directory)"))
        }
        return actions
    }
}
