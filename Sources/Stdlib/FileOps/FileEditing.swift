import Interpreter
import OrderedCollections

/// What every file-editing op shares: the backup rule, the write plan, parent directories,
/// and reading a path's mode and owner.
enum FileEditing {
    /// The suffix of backups: `FILE.crucible~` sits next to the file it saves.
    static let backupSuffix = ".crucible~"

    static let backupParam = ParamSpec(
        "backup", .oneOf([.bool, .none]), default: Value.none,
        doc: "Keep the previous version as `FILE.crucible~` (a hard link to the old file, made just "
            + "before the new one is renamed into place). `none` follows the run's setting, which is on "
            + "unless `--no-backup` is given; `false` turns it off for this call.")

    static func backupPath(for path: String, _ arguments: OpArguments, _ context: any HostContext) -> String? {
        let wanted = arguments["backup"].asBool ?? context.backupsByDefault
        return wanted ? path + backupSuffix : nil
    }

    /// Rejects relative paths and paths with a newline: ops run in the remote user's home
    /// directory, where a relative path would silently mean something else.
    static func requireAbsolutePath(_ path: String, op: String, param: String = "path") throws {
        guard path.hasPrefix("/") else {
            throw OpError("\(op): `\(param)` must be an absolute path, got \(Value.quoted(path))",
                          hint: "write it from the root, e.g. \"/etc/\(path)\"")
        }
        guard !path.containsLineBreak else { throw OpError("\(op): `\(param)` contains a line break") }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// The plan for replacing a file's bytes: nothing when they are equal; else the write,
    /// preceded by `mkdir -p` of the parent when a new file's directory is missing.
    static func writePlan(path: String, before: [UInt8]?, after: [UInt8], options: WriteOptions,
                          context: any HostContext, details: OrderedDictionary<String, Value> = [:]) async throws -> OpPlan {
        var details = details
        if details["path"] == nil { details["path"] = .string(path) }
        if let before, before == after {
            return .noChange("\(path) is already as wanted", details: details)
        }
        var actions: [PlannedAction] = []
        if before == nil {
            actions += try await parentDirectoryActions(for: path, context: context)
        }
        actions.append(.writeFile(path: path, before: before, after: after, options: options))
        return OpPlan(actions: actions, details: details)
    }

    /// `mkdir -p` of the file's directory when it does not exist (one exec to find out).
    static func parentDirectoryActions(for path: String, context: any HostContext, mode: String? = nil) async throws -> [PlannedAction] {
        let parent = directory(of: path)
        let probe = try await context.transport.run(ShellQuote.command(["test", "-d", parent]))
        if probe.succeeded { return [] }
        var words = ["mkdir", "-p"]
        if let mode { words += ["-m", mode] }
        words += ["--", parent]
        return [.run(command: ShellQuote.command(words), summary: "create directory \(parent)")]
    }

    static func readText(_ path: String, context: any HostContext) async throws -> [UInt8]? {
        try await context.transport.readFile(path)
    }
}

/// A path's type, mode and owner, read with one `stat`.
struct FileStat: Equatable {
    /// Octal permission bits as stat prints them (`755`, `1777`).
    var mode: String
    /// `user:group` by name and by number.
    var owner: String
    var numericOwner: String
    var isDirectory: Bool

    /// Nil when the path does not exist.
    static func read(_ path: String, context: any HostContext) async throws -> FileStat? {
        let script = #"[ -e "$1" ] || [ -L "$1" ] || exit 3; exec stat -L -c '%a %U:%G %u:%g %F' -- "$1""#
        let result = try await context.transport.run(ShellQuote.command(["/bin/sh", "-c", script, "crucible-stat", path]))
        if result.status == 3 { return nil }
        guard result.succeeded else {
            throw OpError("cannot read the mode and owner of \(path): \(result.stderrText.trimmed)")
        }
        let fields = result.stdoutText.trimmed.split(separator: " ", maxSplits: 3).map(String.init)
        guard fields.count == 4 else { throw OpError("unexpected stat output for \(path): \(result.stdoutText.trimmed)") }
        return FileStat(mode: fields[0], owner: fields[1], numericOwner: fields[2], isDirectory: fields[3] == "directory")
    }

    /// Whether the permission bits equal an octal mode given by a recipe (`"0755"`, `"755"`).
    func modeMatches(_ wanted: String) -> Bool {
        Int(mode, radix: 8) == Int(wanted, radix: 8)
    }

    /// Whether the owner equals `user` or `user:group` (names or numbers).
    func ownerMatches(_ wanted: String) -> Bool {
        for current in [owner, numericOwner] {
            if wanted.contains(":") {
                if current == wanted { return true }
            } else if current.split(separator: ":").first.map(String.init) == wanted {
                return true
            }
        }
        return false
    }
}

/// Checks of `mode` and `owner` parameters, shared by file, directory and authorized-key.
enum ModeOwner {
    static func validMode(_ mode: String?, op: String) throws -> String? {
        guard let mode else { return nil }
        guard !mode.isEmpty, mode.count <= 4, Int(mode, radix: 8) != nil else {
            throw OpError("\(op): mode \(Value.quoted(mode)) is not an octal mode", hint: "write it like \"0644\"")
        }
        return mode
    }

    static func validOwner(_ owner: String?, op: String) throws -> String? {
        guard let owner else { return nil }
        let allowed = owner.allSatisfy { $0.isLetter || $0.isNumber || "_-.:$".contains($0) }
        guard !owner.isEmpty, allowed, !owner.hasPrefix("-"), owner.filter({ $0 == ":" }).count <= 1 else {
            throw OpError("\(op): owner \(Value.quoted(owner)) is not `user` or `user:group`")
        }
        return owner
    }

    /// chmod/chown commands for what differs between `stat` and the wanted mode and owner.
    static func fixups(path: String, stat: FileStat, mode: String?, owner: String?) -> [PlannedAction] {
        var actions: [PlannedAction] = []
        if let mode, !stat.modeMatches(mode) {
            actions.append(.run(command: ShellQuote.command(["chmod", mode, "--", path]), summary: "chmod \(mode) \(path)"))
        }
        if let owner, !stat.ownerMatches(owner) {
            actions.append(.run(command: ShellQuote.command(["chown", owner, "--", path]), summary: "chown \(owner) \(path)"))
        }
        return actions
    }
}

extension String {
    /// Whether the text holds a `\n` or `\r`. Checked on Unicode scalars: as a Character,
    /// `"\r\n"` is neither `"\n"` nor `"\r"`, so `contains("\n")` misses it.
    var containsLineBreak: Bool {
        unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
    }
}
