/// The shell side of an atomic file write, shared by every transport.
///
/// The new bytes arrive on standard input of one exec (one round trip): they go to a temp
/// file in the same directory (so the final `mv` is a rename on one filesystem), created
/// private (umask 077, exclusively: noclobber, else `mktemp`), given the original's mode and
/// owner (`cp -p`, one process for both) and SELinux context (only where SELinux is on)
/// before the new bytes go in, then renamed over the original. Every step that the shell
/// can do itself (dirname, tests) is a builtin: each process started costs the host more
/// than the bytes do.
/// The backup is a hard link to the original, made before the rename: the old inode stays
/// reachable, whole, under the backup name. If anything fails, the temp file is removed and
/// the original is untouched. When the caller says how many bytes it sends, a temp file that
/// got fewer (the connection or the sender died mid-transfer, and the remote `cat` saw an
/// early end of input) is removed instead of renamed: a file is never replaced by a
/// truncated copy. A signal (SIGPIPE included: once the client is gone, the first write to
/// stderr gets one) exits through the EXIT trap, so the temp file goes too. Needs only POSIX
/// sh and coreutils (RHEL 6 included).
public enum AtomicWrite {
    static let script = #"""
set -e
umask 077
f=$1 backup=$2 newmode=$3 mode=$4 owner=$5 size=${6:-}
case $f in */*) d=${f%/*} ;; *) d=. ;; esac
made=
trap '[ -z "$made" ] || rm -f -- "$t"' EXIT
trap 'exit 1' HUP INT TERM PIPE
t=$d/.crucible-tmp.$$
if (set -C; true > "$t") 2>/dev/null; then made=1; else t=$(mktemp "$d/.crucible-tmp.XXXXXX"); made=1; fi
selinux=
if [ -e /sys/fs/selinux/enforce ] || [ -e /selinux/enforce ]; then selinux=1; fi
if [ -e "$f" ]; then
  # Where times cannot be kept (not the file's owner), cp -p fails: mode and owner still matter.
  cp -p -- "$f" "$t" 2>/dev/null || { chmod --reference="$f" -- "$t"; chown --reference="$f" -- "$t" 2>/dev/null || true; }
  if [ -n "$selinux" ]; then chcon --reference="$f" -- "$t" 2>/dev/null || true; fi
else
  chmod "$newmode" -- "$t"
  if [ -n "$selinux" ]; then restorecon -- "$t" 2>/dev/null || true; fi
fi
cat > "$t"
if [ -n "$size" ]; then
  got=$(wc -c < "$t")
  if [ "$got" -ne "$size" ]; then
    echo "received $got of $size bytes (input cut short); $f left as it was" >&2
    exit 1
  fi
fi
if [ -n "$mode" ]; then chmod "$mode" -- "$t"; fi
if [ -n "$owner" ]; then chown "$owner" -- "$t"; fi
if [ -n "$backup" ] && [ -e "$f" ]; then ln -f -- "$f" "$backup" 2>/dev/null || cp -p -- "$f" "$backup"; fi
mv -f -- "$t" "$f"
made=
trap - EXIT HUP INT TERM PIPE
"""#

    /// The command to run with the file's new bytes on standard input.
    public static func command(path: String, options: WriteOptions) -> String {
        command(path: path, options: options, expectedSize: nil)
    }

    /// The same, refusing to replace the file unless exactly `expectedSize` bytes arrived.
    public static func command(path: String, options: WriteOptions, expectedSize: Int?) -> String {
        ShellQuote.command([
            "/bin/sh", "-c", script, "crucible-write", path,
            options.backupPath ?? "", options.modeIfNew, options.mode ?? "", options.owner ?? "",
            expectedSize.map(String.init) ?? "",
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
        let result = try await run(AtomicWrite.command(path: path, options: options, expectedSize: contents.count), stdin: contents, timeout: nil)
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot write \(path): \(result.stderrText.trimmed)")
        }
    }
}
