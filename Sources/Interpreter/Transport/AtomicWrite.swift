/// The shell side of an atomic file write, shared by every transport.
///
/// The new bytes arrive on standard input of one exec (one round trip): they go to a temp
/// file in the same directory (so the final `mv` is a rename on one filesystem), which gets
/// the original's mode, owner and SELinux context before it is renamed over the original.
/// The backup is a hard link to the original, made before the rename: the old inode stays
/// reachable, whole, under the backup name. If anything fails, the temp file is removed and
/// the original is untouched. Needs only POSIX sh and coreutils (RHEL 6 included).
public enum AtomicWrite {
    static let script = #"""
set -e
f=$1 backup=$2 newmode=$3 mode=$4 owner=$5
d=$(dirname -- "$f")
t=$(mktemp "$d/.crucible-tmp.XXXXXX")
trap 'rm -f -- "$t"' EXIT HUP INT TERM
cat > "$t"
if [ -e "$f" ]; then
  chmod --reference="$f" -- "$t"
  chown --reference="$f" -- "$t" 2>/dev/null || true
  if command -v chcon >/dev/null 2>&1; then chcon --reference="$f" -- "$t" 2>/dev/null || true; fi
  if [ -n "$backup" ]; then ln -f -- "$f" "$backup" 2>/dev/null || cp -p -- "$f" "$backup"; fi
else
  chmod "$newmode" -- "$t"
  if command -v restorecon >/dev/null 2>&1; then restorecon -- "$t" 2>/dev/null || true; fi
fi
if [ -n "$mode" ]; then chmod "$mode" -- "$t"; fi
if [ -n "$owner" ]; then chown "$owner" -- "$t"; fi
mv -f -- "$t" "$f"
trap - EXIT HUP INT TERM
"""#

    /// The command to run with the file's new bytes on standard input.
    public static func command(path: String, options: WriteOptions) -> String {
        ShellQuote.command([
            "/bin/sh", "-c", script, "crucible-write", path,
            options.backupPath ?? "", options.modeIfNew, options.mode ?? "", options.owner ?? "",
        ])
    }

    /// Reads a file in one exec: exit status 3 (and no output) means it does not exist.
    public static func readCommand(path: String) -> String {
        ShellQuote.command(["/bin/sh", "-c", #"if [ -e "$1" ]; then exec cat -- "$1"; else exit 3; fi"#, "crucible-read", path])
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
        let result = try await run(AtomicWrite.command(path: path, options: options), stdin: contents, timeout: nil)
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot write \(path): \(result.stderrText.trimmed)")
        }
    }
}
