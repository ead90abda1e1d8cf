import Interpreter
import OrderedCollections

/// `edit-ini PATH { key = value ... }`: settings of an INI or `KEY=value` file, in place.
enum EditIni {
    static let path = Param.string("path", positional: true, doc: "Absolute path of the file.")
    static let settings = Param.record(
        "settings", default: [:], rule: .all(settingsKeys, .singleLine),
        doc: "The block `{ key = value ... }`. A value is written exactly as given: strings as they "
            + "are (`auth_tcp = \"\\\"none\\\"\"` writes `auth_tcp = \"none\"`), ints and bools as their "
            + "literal (`1`, `true`). `none` removes the key. A list writes one line per value (a "
            + "multi-valued key; lines already there in another order count as equal). Keys are "
            + "case-sensitive and may hold blanks inside (`\"passdb backend\" = \"tdbsam\"`). A value "
            + "with a blank at either end is refused (quote it).\n\nWhere a value goes: an active line "
            + "for the key is rewritten in place with its own spacing and inline comment (a `#` after a "
            + "blank, outside quotes: `listen_tcp = 1  # for migration`; a line already holding the value "
            + "is left alone); else, when the section has a commented-out stock default "
            + "(`#listen_tcp = 1`, `#MOUNTD_PORT=892`, `# Domain = local.domain.edu`), the active line "
            + "is added right after that comment (the diff is one added line, the stock default stays "
            + "visible, and removing the key restores the stock file); else after the section's last "
            + "setting (right after the header when it has none; at the end of a section-less file). "
            + "New lines copy the spacing around `=` of the nearest setting in the file and the "
            + "indentation of the section's settings (tab-indented smb.conf). When a section "
            + "appears twice, the key is kept in one place only: its first line is edited and its "
            + "other lines are removed, since a later copy would override it.")
    static let bare = Param.strings(
        "bare", default: [], rule: bareKeys,
        doc: "Keys written without a value (`skip-name-resolve`, MySQL-style flags). A line `key = "
            + "value` for such a key becomes the bare `key`.")
    static let section = Param.optionalString(
        "section", .oneOf([.string, .none]), rule: sectionName,
        doc: "The `[section]` to edit; `none` means the lines before the first header (all of a "
            + "section-less file like /etc/sysconfig/nfs or libvirtd.conf). A missing section is added "
            + "at the end of the file.")
    static let state = Param.string(
        "state", default: "present", choices: ["present", "absent"],
        doc: "`absent` removes every key named in `settings`, whatever its value; with no settings "
            + "and a `section`, it removes the whole section.")
    static let create = Param.bool(
        "create", default: false,
        doc: "Create the file when it does not exist. Off by default: a missing libvirtd.conf "
            + "usually means the package is not installed, and a one-line file would hide that.")

    static let spec = OpSpec(
        name: "edit-ini",
        summary: "Set (or remove) keys of an INI file or a section-less KEY=value file, keeping every other byte.",
        params: [path.spec, settings.spec, bare.spec, section.spec, state.spec, create.spec, FileEditing.backup.spec],
        examples: [
            #"edit-ini "/etc/libvirt/libvirtd.conf" { listen_tls = 0  listen_tcp = 1  auth_tcp = "\"none\"" }"#,
            #"edit-ini "/etc/sysconfig/libvirtd" { LIBVIRTD_ARGS = "\"--listen\"" }"#,
            #"edit-ini "/etc/idmapd.conf" section: "General" { Domain = nfs_domain }"#,
            #"edit-ini "/etc/nova/nova.conf" section: "libvirt" { live_migration_flag = "VIR_MIGRATE_UNDEFINE_SOURCE,VIR_MIGRATE_PEER2PEER,VIR_MIGRATE_LIVE" }"#,
            #"edit-ini "/etc/sysconfig/nfs" { MOUNTD_PORT = 892  STATD_PORT = 662 }"#,
            #"edit-ini "/etc/nova/nova.conf" section: "DEFAULT" { state_path = none }"#,
        ],
        resultFields: [
            FieldSpec("path", .string, doc: "The file's path."),
            FieldSpec("keys", .list(.string), doc: "The keys whose lines changed, in the order given."),
        ],
        blockParam: settings.name,
        body: .plan(plan)
    ).mayChange { .edit(of: $0[path]) }

    @Sendable static func plan(_ arguments: OpArguments, _ context: any HostContext) async throws -> OpPlan {
        let path = arguments[Self.path]
        try FileEditing.requireAbsolutePath(path, op: "edit-ini")
        let section = arguments[Self.section]
        let settings = arguments[Self.settings]
        let removing = arguments[Self.state] == "absent"
        let before = try await FileEditing.readBytes(path, context: context, op: "edit-ini")
        if before == nil {
            if removing { return .noChange("\(path) does not exist", details: ["path": .string(path)]) }
            if !arguments[Self.create] {
                throw OpError("edit-ini: \(path) does not exist", hint: "is the package that owns it installed? pass `create: true` to create it")
            }
        }
        var document = IniDocument(before ?? [])
        var changedKeys: [Value] = []
        let bareKeys = arguments[Self.bare]
        if removing && settings.isEmpty && bareKeys.isEmpty {
            guard let section else { throw OpError("edit-ini: state \"absent\" needs settings or a `section` to remove") }
            document.removeSection(section)
        }
        for (key, value) in settings {
            let changed: Bool
            if removing {
                changed = document.remove(key, in: section)
            } else if let values = try values(of: value, key: key) {
                changed = document.set(key, to: values, in: section)
            } else {
                changed = document.remove(key, in: section)
            }
            if changed { changedKeys.append(.string(key)) }
        }
        for key in bareKeys {
            let changed = removing ? document.remove(key, in: section) : document.setBare(key, in: section)
            if changed { changedKeys.append(.string(key)) }
        }
        let options = WriteOptions(backupPath: before == nil ? nil : FileEditing.backupPath(for: path, arguments, context))
        return try await FileEditing.writePlan(path: path, before: before, after: document.bytes, options: options,
                                               context: context, details: ["path": .string(path), "keys": .list(changedKeys)])
    }

    /// The text lines of a setting's value; nil for `none` (remove the key).
    static func values(of value: Value, key: String) throws -> [String]? {
        switch value {
        case .none: return nil
        case .string, .int, .bool: return [try text(of: value, key: key)]
        case .list(let items): return try items.map { try text(of: $0, key: key) }
        default: throw OpError("edit-ini: `\(key)` must be a string, int, bool, list or none, got \(value.type)")
        }
    }

    private static func text(of value: Value, key: String) throws -> String {
        switch value {
        case .string(let text):
            guard !text.containsLineBreak else {
                throw OpError("edit-ini: the value of `\(key)` contains a line break")
            }
            let blank: (Character?) -> Bool = { $0 == " " || $0 == "\t" }
            if blank(text.first) || blank(text.last) {
                throw OpError("edit-ini: the value of `\(key)` \(blank(text.first) ? "starts" : "ends") with a blank, which a reader of the file drops",
                              hint: "trim it, or quote the value (`\(key) = \"\\\"\(text)\\\"\"`) if the blank matters")
            }
            return text
        case .int, .bool: return value.interpolated
        default: throw OpError("edit-ini: `\(key)` must be a string, int or bool, got \(value.type)")
        }
    }

    // MARK: - Rules

    /// A key reads back as the same key: blanks only inside it (`passdb backend`), no `=`,
    /// `[` or line break, and no comment sign in front.
    static func keyProblem(_ key: String) -> OpError? {
        let breaks = key.unicodeScalars.contains { $0 == "=" || $0 == "\n" || $0 == "\r" || $0 == "[" }
        let blank: (Character?) -> Bool = { $0 == " " || $0 == "\t" }
        guard key.isEmpty || breaks || blank(key.first) || blank(key.last) || key.hasPrefix("#") || key.hasPrefix(";")
        else { return nil }
        return OpError("\(Value.quoted(key)) is not a key that can be written",
                       hint: "a key has no `=`, `[` or line breaks, no blank at either end, and does not start with `#` or `;`")
    }

    static let settingsKeys = ValueRule { value in
        value.asRecord?.keys.lazy.compactMap(keyProblem).first
    }

    static let bareKeys = ValueRule { value in
        value.asList?.lazy.compactMap { $0.asString.flatMap(keyProblem) }.first
    }

    /// A section name that reads back as the same `[name]` header.
    static let sectionName = ValueRule { value in
        guard case .string(let name) = value else { return nil }
        guard name.containsLineBreak || name.contains("]") || name.trimmingBlanks.isEmpty else { return nil }
        return OpError("\(Value.quoted(name)) is not a section name that can be written",
                       hint: "a section name is the text between `[` and `]` of a header: not empty, without `]` or line breaks")
    }

    /// The key rule again at run time, for keys computed by the recipe.
    private static func validate(key: String) throws {
        if let problem = keyProblem(key) { throw OpError("edit-ini: \(problem.message)", hint: problem.hint) }
    }
}
