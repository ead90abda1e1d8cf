import Foundation

/// Root never follows what a less-privileged user planted: the shell side of the rules every
/// op that changes a path's bytes, mode or owner goes through (see docs/security.md).
///
/// `crucible_check PATH KIND OWNER` resolves PATH the way the kernel would, one component at
/// a time, following a symlink only when root (or the user crucible runs as) owns it: a link
/// another user made is refused, naming it, its owner and where it leads. Then one `stat` of
/// every directory from `/` to the resolved path (OpenSSH's StrictModes rule): each must be
/// owned by root or by the path's owner (OWNER when given, else the owner it has, else the
/// user crucible runs as) and not writable by its group or by anyone unless sticky (`/tmp`).
/// The path itself must be what KIND says (`f`: a regular file, `d`: a directory) when it
/// exists: a FIFO, device or socket is refused. A file with several hard links, not the
/// owner's, in a directory someone other than root can change, is refused too (one may have
/// been planted there, pointing at a file that is not theirs). Builtins do the walk; the only
/// processes are that one `stat`, and `readlink` and `stat` per symlink met. Needs POSIX sh
/// and coreutils (RHEL 6's 8.4 included).
///
/// On success it sets `cr` (the resolved path), `cdr` (the deepest directory of it that
/// exists), `cx` (1 when the path exists) and, when it does, `cu cg cm` (its uid, gid and
/// octal mode) and `cun cgn` (its user and group names). On refusal it prints why on stderr
/// and returns 1.
///
/// What it checks stays true while crucible works: only root and the path's owner can change
/// those directories, and the write and the commands below pin the directory they work in
/// (`cd -P`, then `$PWD` must be the resolved path), so a link put in between is noticed, not
/// followed.
public enum PathCheck {
    /// What the path must be when it exists.
    public enum Kind: String, Sendable {
        case file = "f"
        case directory = "d"
    }

    /// The shell functions `crucible_check` and `crucible_report` (and their helpers), for scripts to include.
    public static let function = HostScripts.pathCheck

    /// What `crucible_check` found, printed by `crucible_report`.
    public struct Report: Equatable, Sendable {
        /// The path with every symlink resolved.
        public var path: String
        /// The deepest directory of `path` that exists: `path` itself for an existing
        /// directory, its parent for an existing file.
        public var existingDirectory: String
        /// When the path exists: its permission bits as stat prints them (`755`, `1777`), and
        /// its owner as `user:group`, by name and by number.
        public var mode: String?
        public var owner: String?
        public var numericOwner: String?

        public var exists: Bool { mode != nil }

        /// The components of `path` below `existingDirectory`: what must be made for it to
        /// exist (none when it does).
        public var missing: [String] {
            let base = existingDirectory == "/" ? "" : existingDirectory
            guard !exists else { return [] }
            guard path.hasPrefix(base + "/") else { return [] }
            return path.dropFirst(base.count + 1).split(separator: "/").map(String.init)
        }

        /// The directory the path is in, and its name there.
        public var parent: String { PathCheck.parent(of: path) }
        public var name: String { String(path.split(separator: "/").last ?? "") }
    }

    /// What a probe came back with.
    public enum Outcome: Equatable, Sendable {
        case checked(Report)
        /// `crucible_check` refused the path; the message says why.
        case refused(String)
        case failed(String)
    }

    /// The exit status of a probe that refused its path.
    public static let refusedStatus: Int32 = 4

    /// One exec that checks `path` and prints what it found (`parse` reads it). The
    /// directories above `path` follow as words the script ignores: a change to any of them
    /// (`directory` making one) forgets a cached answer, as `CachingTransport` forgets the
    /// probes that name what changed.
    /// The probe: it reads the path and every directory above it.
    public static func probe(_ path: String, kind: Kind, owner: String?) -> Probe {
        Probe(probeCommand(path, kind: kind, owner: owner), reads: HostState.pathAndDirectories(path))
    }

    public static func probeCommand(_ path: String, kind: Kind, owner: String?) -> String {
        var above: [String] = []
        var current = parent(of: path)
        while current.hasPrefix("/") && current != "/" {
            above.insert(current, at: 0)
            current = parent(of: current)
        }
        return ShellQuote.command(["/bin/sh", "-c", function + #"crucible_check "$1" "$2" "$3" || exit 4; crucible_report"#,
                                   "crucible-check", path, kind.rawValue, owner ?? ""] + above)
    }

    /// The report in a probe's output (`key=value` lines; other lines are left alone).
    public static func parse(_ result: CommandResult) -> Outcome {
        if result.status == refusedStatus { return .refused(result.stderrText.trimmed) }
        var fields: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard result.succeeded, let path = fields["path"], let existing = fields["existing"] else {
            return .failed(result.stderrText.trimmed.isEmpty ? "unexpected output: \(result.stdoutText.trimmed)" : result.stderrText.trimmed)
        }
        return .checked(Report(path: path, existingDirectory: existing, mode: fields["mode"], owner: fields["owner"],
                               numericOwner: fields["ids"]))
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    // MARK: - Commands that change a checked path

    /// A command that works in `directory` (a path a probe resolved): it goes there with
    /// `cd -P` and goes on only if `$PWD` is still that path; it makes `create` one component
    /// at a time the same way (the last with mode `createMode`; a directory already there
    /// counts only when it is the running user's, made by an earlier step); then it sets
    /// `owner` (`chown -h`) and `mode` of the file `name` there, which must still be a regular
    /// file, or, without a name, of the directory itself, pinned as `.`. Nothing is followed.
    /// Plain `&&` steps, so check mode shows what it does.
    public static func changeCommand(in directory: String, create: [String] = [], createMode: String? = nil,
                                     name: String? = nil, mode: String? = nil, owner: String? = nil) -> String {
        var current = directory
        var steps = [ShellQuote.command(["cd", "-P", "--", current]), #"[ "$PWD" = "# + ShellQuote.quote(current) + " ]"]
        for (index, component) in create.enumerated() {
            current = (current == "/" ? "" : current) + "/" + component
            let modeWords = index == create.count - 1 ? createMode.map { ["-m", $0] } ?? [] : []
            steps.append("{ " + ShellQuote.command(["mkdir"] + modeWords + ["--", component]) + " 2>/dev/null || "
                         + ShellQuote.command(["[", "-O", component, "]"]) + "; }")
            steps.append(ShellQuote.command(["cd", "-P", "--", component]))
            steps.append(#"[ "$PWD" = "# + ShellQuote.quote(current) + " ]")
        }
        let target = name ?? "."
        if let name {
            steps.append(Shell.all([ShellQuote.command(["[", "-f", name, "]"]), ShellQuote.command(["[", "!", "-L", name, "]"])]))
        }
        if let owner { steps.append(ShellQuote.command(["chown", "-h", "--", owner, target])) }
        if let mode { steps.append(ShellQuote.command(["chmod", "--", mode, target])) }
        let path = name.map { (current == "/" ? "" : current) + "/" + $0 } ?? current
        let refusal = "refusing to change \(path): it, or a directory on the way, could not be made or changed after crucible checked it (a symlink?)"
        return Shell.orFail(Shell.all(steps), refusal)
    }
}
