import Interpreter
import OrderedCollections

/// What every file-editing op shares: the backup rule, path checks, reading the file and
/// the write plan with its parent directory. (Mode and owner: `FileStat`, `ModeOwner`.)
enum FileEditing {
    /// The suffix of backups: `FILE.crucible~` sits next to the file it saves.
    static let backupSuffix = ".crucible~"

    static let backup = Param.optionalBool(
        "backup", .oneOf([.bool, .none]),
        doc: "Keep the previous version as `FILE.crucible~` (a hard link to the old file, made just "
            + "before the new one is renamed into place). `none` follows the run's setting, which is on "
            + "unless `--no-backup` is given; `false` turns it off for this call.")

    static func backupPath(for path: String, _ arguments: OpArguments, _ context: any HostContext) -> String? {
        let wanted = arguments[Self.backup] ?? context.backupsByDefault
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
            actions += try await parentDirectoryActions(for: path, owner: options.owner, context: context)
        }
        actions.append(.writeFile(path: path, before: before, after: after, options: options))
        actions += try await privateBackupActions(options, path: path, before: before, after: after, context: context)
        // The only commands here make the file's directory (and keep a backup private).
        return OpPlan(actions: actions, details: details, effect: .metadata(of: directory(of: path)))
    }

    /// A backup of a file that holds a secret (in its old bytes or its new ones) is made
    /// readable by its owner only: the backup keeps the old file's mode, often 0644.
    static func privateBackupActions(_ options: WriteOptions, path: String, before: [UInt8]?, after: [UInt8],
                                     context: any HostContext) async throws -> [PlannedAction] {
        guard options.backupPath != nil, let secrets = context.secrets,
              secrets.appears(in: before) || secrets.appears(in: after),
              let backup = try await backupLocation(options, path: path, context: context) else { return [] }
        return [.run(command: ShellQuote.command(["chmod", "0600", "--", backup]), summary: "keep the backup \(backup) private")]
    }

    /// Makes a new file's directory when it does not exist: one probe checks the way to the
    /// file (`FileStat`, for a file that will belong to `owner`), one command makes the
    /// directories missing, one component at a time, the last with `mode` and `directoryOwner`.
    static func parentDirectoryActions(for path: String, owner: String?, context: any HostContext,
                                       mode: String? = nil, directoryOwner: String? = nil) async throws -> [PlannedAction] {
        let stat = try await FileStat.read(path, kind: .file, owner: owner, op: nil, context: context)
        return parentDirectoryActions(for: path, stat, mode: mode, owner: directoryOwner)
    }

    /// The command that makes what is missing of a new file's directory (none when it exists).
    static func parentDirectoryActions(for path: String, _ stat: FileStat, mode: String? = nil, owner: String? = nil) -> [PlannedAction] {
        let missing = Array(stat.missing.dropLast())
        if missing.isEmpty { return [] }
        return [.run(command: PathCheck.changeCommand(in: stat.existingDirectory, create: missing, createMode: mode, owner: owner),
                     summary: "create directory \(directory(of: path))")]
    }

    /// Where the write puts the backup: beside the file written, which for a symlink is the
    /// file the link points to (`TARGET.crucible~`, not beside the link: the write script does
    /// that). Crucible needs the place itself only to act on the backup afterwards; one probe.
    static func backupLocation(_ options: WriteOptions, path: String, context: any HostContext) async throws -> String? {
        guard let backup = options.backupPath else { return nil }
        guard backup.hasPrefix(path) else { return backup }
        let target = try await context.probe(Probe(ShellQuote.command(["/bin/sh", "-c", HostScripts.symlinkTarget, "crucible-link", path]),
                                                   reads: HostState.pathAndDirectories(path)))
            .stdoutText.trimmed
        return target.hasPrefix("/") ? target + backup.dropFirst(path.count) : backup
    }

    /// The file's bytes through the host's transport; nil when it does not exist. A path
    /// that is a directory is an error in crucible's words, not the reading command's.
    static func readBytes(_ path: String, context: any HostContext, op: String) async throws -> [UInt8]? {
        do {
            return try await context.readFile(path)
        } catch let error as TransportError {
            guard case .io = error, (try? await context.probe(Probe(ShellQuote.command(["test", "-d", path]), reads: [.path(path)])))?.succeeded == true else { throw error }
            throw OpError("\(op): \(path) is a directory, not a file", hint: "give the path of the file to edit")
        }
    }
}
