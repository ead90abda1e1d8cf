import Foundation

/// The shell side of an atomic file write, shared by every transport and by `ApplyBatch`.
///
/// The new bytes arrive on standard input of one exec (one round trip). The path is first
/// checked and resolved by `PathCheck` (a symlink is followed only when root owns it; every
/// directory on the way belongs to root or the file's owner; the file, when it exists, is a
/// regular file: a FIFO, device or socket is refused). The script then works inside the
/// file's directory, pinned with `cd -P` (so a symlink swapped in after the check is noticed,
/// not followed): the temp file gets an unpredictable name from `mktemp -u` in that directory
/// and is created by the shell itself, exclusively (noclobber: `O_EXCL`), on a descriptor
/// the rest of the write goes through (`/proc/self/fd/3`), so nothing planted
/// under that name can be written to. It is created with its final mode (the op's, else the
/// original's) through the umask, or private (0600) and `chmod`ed when the mode has an
/// execute or special bit a umask cannot give; it gets the final owner and SELinux context
/// (only where SELinux is on) while still empty: a file whose mode is tightened is never
/// readable with the new bytes in it. Then the bytes, then the rename over the original. The
/// shell's builtins do what they can: each process started costs the host more than the
/// bytes do.
///
/// A path that is a symlink (root's) is written through: the file it points to is replaced,
/// in its own directory, and the link stays, as a config file managed by symlink expects.
///
/// The backup: the original is hard-linked to a second temp name before the rename, and only
/// once the new bytes are in place does that link replace `FILE.crucible~` (beside the file
/// written): a write that fails leaves the previous backup as it was. If anything fails, the
/// temp files are removed and the original is untouched. When the caller says how many bytes
/// it sends, exactly that many are read (`head -c`, so several files can follow each other on
/// one stdin), and a temp file that got fewer (the connection or the sender died
/// mid-transfer) is removed instead of renamed: a file is never replaced by a truncated copy.
/// A signal (SIGPIPE included: once the client is gone, the first write to stderr gets one)
/// exits through the EXIT trap, so the temp files go too. Needs only POSIX sh and coreutils
/// (RHEL 6 included).
public enum AtomicWrite {
    /// Traps that remove a half-made temp file, whether SELinux labels need keeping, and the
    /// directory and umask to go back to after a write.
    package static let prelude = HostScripts.atomicWritePrelude

    /// `crucible_write PATH BACKUP NEWMODE MODE OWNER SIZE END`: returns non-zero, with the
    /// original untouched, on any failure. BACKUP is the suffix of the backup's name (empty:
    /// none). With END, the SIZE bytes must be followed on stdin by the line END (read by the
    /// shell's `read`: no process, and a transfer cut short cannot produce it); without it,
    /// `wc -c` checks the size.
    package static let function = PathCheck.function + HostScripts.atomicWrite

    package static let script = prelude + function + #"crucible_write "$@" || exit 1"# + "\n"

    /// The command to run with the file's new bytes on standard input.
    public static func command(path: String, options: WriteOptions) -> String {
        command(path: path, options: options, expectedSize: nil)
    }

    /// The same, refusing to replace the file unless exactly `expectedSize` bytes arrived,
    /// followed by the line `end` when one is given (see `stdin(contents:end:)`).
    public static func command(path: String, options: WriteOptions, expectedSize: Int?, end: String = "") -> String {
        ShellQuote.command([
            "/bin/sh", "-c", script, "crucible-write", path,
            options.backupSuffix(for: path), options.modeIfNew, options.mode ?? "", options.owner ?? "",
            expectedSize.map(String.init) ?? "", end,
        ])
    }

    /// A fresh end marker: random, so no file's bytes can forge it.
    public static func newEndMarker() -> String { "crucible-end-" + UUID().uuidString }

    /// What goes on stdin for one file: its bytes, then the end marker line.
    public static func stdin(contents: [UInt8], end: String) -> [UInt8] {
        contents + Array((end + "\n").utf8)
    }

    /// Reads a file in one exec: exit status 3 (and no output) means it does not exist. Only
    /// a regular file is read: a FIFO would hang the read, a device could be endless.
    public static func readCommand(path: String) -> String {
        ShellQuote.command(["/bin/sh", "-c", HostScripts.readFile, "crucible-read", path])
    }

    // MARK: - Files other programs write

    /// `FILE BACKUP COMMAND...`: COMMAND rewrites FILE (`service iptables save`, which may
    /// write it in place); FILE is copied first to a temp name, which replaces BACKUP only
    /// once COMMAND succeeded, so a failed save leaves the previous backup alone.
    static let keepingBackupScript = HostScripts.keepBackup

    /// Runs `command`, which rewrites `path` itself, keeping the previous version as `backup`.
    public static func keepingBackup(of path: String, as backup: String, running command: [String]) -> String {
        ShellQuote.command(["/bin/sh", "-c", keepingBackupScript, "crucible-save", path, backup] + command)
    }

    /// `FILE BACKUP COMMAND...`: COMMAND's output becomes FILE, through a private temp file
    /// (`mktemp`: mode 0600) renamed over it; with BACKUP, the previous FILE is kept as
    /// BACKUP once the new one is in place.
    static let savingOutputScript = HostScripts.saveOutput

    /// Writes what `command` prints to `path` atomically, keeping the previous version as
    /// `backup` when given.
    public static func savingOutput(of command: [String], to path: String, backup: String?) -> String {
        ShellQuote.command(["/bin/sh", "-c", savingOutputScript, "crucible-save", path, backup ?? ""] + command)
    }

    public static let missingFileStatus: Int32 = 3
}

extension Transport {
    /// Reads a file with one exec of `AtomicWrite.readCommand`: nil when it does not exist.
    public func readFileByExec(_ path: String) async throws -> [UInt8]? {
        let result = try await run(AtomicWrite.readCommand(path: path))
        if result.status == AtomicWrite.missingFileStatus && result.stdout.isEmpty { return nil }
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot read \(path): \(result.stderrText.trimmed)")
        }
        return result.stdout
    }

    /// Replaces a file with one exec of the atomic-write script, the bytes on its stdin
    /// (keeps mode, owner and SELinux context, makes the backup, works through sudo).
    public func writeFileByExec(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        let end = AtomicWrite.newEndMarker()
        let result = try await run(AtomicWrite.command(path: path, options: options, expectedSize: contents.count, end: end),
                                   stdin: AtomicWrite.stdin(contents: contents, end: end), timeout: nil)
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot write \(path): \(result.stderrText.trimmed)")
        }
    }
}
