import Interpreter

/// `ensure-line PATH LINE`: one line present (or absent) in a text file, every other byte kept.
enum EnsureLine {
    static let path = Param.string("path", positional: true, doc: "Absolute path of the file.")
    static let line = Param.optionalString(
        "line", .oneOf([.string, .none]), positional: true, rule: lineOrBlock,
        doc: "The line, written exactly as given, without its newline. A block of lines is a value "
            + "whose every line ends with a newline, as a `\"\"\"` string's do: exactly those lines are "
            + "written, one after another, and the block is present when they appear so. Any other line "
            + "break (a `\\r`, or a `\\n` in a value that does not end with one, as an interpolated "
            + "value can bring) is refused: it would add a line nobody asked for (a client list with a "
            + "newline once exported `/`). Required for `state: \"present\"`.")
    static let match = Param.optionalString(
        "match", .oneOf([.string, .none]),
        doc: "Regular expression for the line to replace: the LAST matching line becomes `line` "
            + "(the first with `first_match`). When no line matches, `line` is added as if `match` "
            + "were not given. With `state: \"absent\"`, every matching line is removed. Syntax: "
            + "ICU (extended POSIX with Perl additions: `^ $ . * + ? | () [] {n,m} \\s \\d \\b`, "
            + "`(?i)`); it is matched against each line without its newline and may match anywhere "
            + "in it, so anchor with `^`/`$`. In a recipe string a backslash is doubled (`\\\\s`), or use "
            + "`[ \\t]`; `regex-escape(text)` quotes a literal part.")
    static let firstMatch = Param.bool("first_match", default: false,
                                       doc: "Use the first line matching `match` or `after` instead of the last.")
    static let after = Param.optionalString(
        "after", .oneOf([.string, .none]),
        doc: "Regular expression: a new line goes right after the last line matching it (the "
            + "first with `first_match`); at the end of the file when nothing matches.")
    static let before = Param.optionalString(
        "before", .oneOf([.string, .none]),
        doc: "Regular expression: a new line goes right before the first line matching it; at the "
            + "end of the file when nothing matches. `before: \"^\"` puts it at the top.")
    static let state = Param.string(
        "state", default: "present", choices: ["present", "absent"],
        doc: "`present` adds or replaces; `absent` removes every line equal to `line` and every line "
            + "matching `match` (give either or both).")
    static let create = Param.bool(
        "create", default: false,
        doc: "Create the file (mode 0644, parent directories included) when it does not exist; "
            + "otherwise a missing file is an error for `present` and nothing to do for `absent`.")

    static let spec = OpSpec(
        name: "ensure-line",
        summary: "Make sure a line is in a file (or is not), leaving the rest of the file alone.",
        params: [path.spec, line.spec, match.spec, firstMatch.spec, after.spec, before.spec, state.spec, create.spec,
                 FileEditing.backup.spec],
        examples: [
            #"ensure-line "/etc/exports" "/var/lib/nova/instances *(rw,sync,fsid=0,no_root_squash)" match: "^/var/lib/nova/instances[ \t]""#,
            #"ensure-line "/etc/ssh/sshd_config" "PermitRootLogin without-password" match: "^#?PermitRootLogin[ \t]""#,
            #"ensure-line "/etc/sudoers.d/nova" "nova ALL=(root) NOPASSWD: /usr/bin/nova-rootwrap" create: true"#,
            #"ensure-line "/etc/motd" state: "absent" match: "^Welcome""#,
        ],
        resultFields: [FieldSpec("path", .string, doc: "The file's path.")],
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "ensure-line")
        let present = arguments[Self.state] == "present"
        let line = arguments[Self.line]
        if present && line == nil {
            throw OpError("ensure-line: `line` is required with state \"present\"")
        }
        if !present && line == nil && arguments[Self.match] == nil {
            throw OpError("ensure-line: state \"absent\" needs `line` or `match`")
        }
        let placement = try LineFile.Placement(
            match: pattern(arguments, Self.match), after: pattern(arguments, Self.after),
            before: pattern(arguments, Self.before), firstMatch: arguments[Self.firstMatch])
        let before = try await FileEditing.readBytes(path, context: context, op: "ensure-line")
        if before == nil {
            if !present { return .noChange("\(path) does not exist", details: ["path": .string(path)]) }
            if !arguments[Self.create] {
                throw OpError("ensure-line: \(path) does not exist", hint: "pass `create: true` to create it")
            }
        }
        var file = LineFile(before ?? [])
        if present { file.ensurePresent(line ?? "", placement: placement) } else { file.ensureAbsent(line, match: placement.match) }
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: path, arguments, context))
        return try await FileEditing.writePlan(path: path, before: before, after: file.bytes, options: options, context: context)
    }

    /// One line, or a block: lines that each end with `\n` (a `"""` string), not all empty.
    /// A `\r`, or a `\n` that does not end the value, is refused as `.singleLine` refuses it.
    static let lineOrBlock = ValueRule { value in
        guard case .string(let text) = value, text.utf8.last == UInt8(ascii: "\n"),
              !text.utf8.contains(UInt8(ascii: "\r")), text.utf8.contains(where: { $0 != UInt8(ascii: "\n") })
        else { return ValueRule.singleLine.problem(value) }
        return nil
    }

    static func pattern(_ arguments: OpArguments, _ param: Param<String?>) throws -> LinePattern? {
        guard let source = arguments[param] else { return nil }
        do { return try LinePattern(source) } catch {
            throw OpError("ensure-line: `\(param.name)`: \(error)")
        }
    }
}
