import Foundation

/// The shell side of an atomic file write, shared by every transport and by `ApplyBatch`.
///
/// The new bytes arrive on standard input of one exec (one round trip): they go to a temp
/// file in the same directory (so the final `mv` is a rename on one filesystem), created
/// private (umask 077 and exclusively: noclobber, else `mktemp`), given the original's mode
/// and owner (`cp -p`: one process for both) and SELinux context (only where SELinux is on)
/// before the new bytes go in, then renamed over the original. The shell's builtins do what
/// they can (the directory name, the tests): each process started costs the host more than
/// the bytes do.
///
/// A path that is a symlink is written through: the file it points to is replaced (in its own
/// directory) and the link stays, as a config file managed by symlink expects.
///
/// The backup is a hard link to the original, made before the rename: the old inode stays
/// reachable, whole, under the backup name. If anything fails, the temp file is removed and
/// the original is untouched. When the caller says how many bytes it sends, exactly that many
/// are read (`head -c`, so several files can follow each other on one stdin), and a temp file
/// that got fewer (the connection or the sender died mid-transfer) is removed instead of
/// renamed: a file is never replaced by a truncated copy. A signal (SIGPIPE included: once the
/// client is gone, the first write to stderr gets one) exits through the EXIT trap, so the
/// temp file goes too. Needs only POSIX sh and coreutils (RHEL 6 included).
public enum AtomicWrite {
    /// Traps that remove a half-made temp file, and whether SELinux labels need keeping.
    static let prelude = #"""
pending=
trap '[ -z "$pending" ] || rm -f -- "$pending"' EXIT
trap 'exit 1' HUP INT TERM PIPE
selinux=
if [ -e /sys/fs/selinux/enforce ] || [ -e /selinux/enforce ]; then selinux=1; fi

"""#

    /// `crucible_write PATH BACKUP NEWMODE MODE OWNER SIZE END [STEP]`: returns non-zero,
    /// with the original untouched, on any failure. With END, the SIZE bytes must be followed
    /// on stdin by the line END (read by the shell's `read`: no process, and a transfer cut
    /// short cannot produce it); without it, `wc -c` checks the size.
    static let function = #"""
crucible_write() {
  f=$1 backup=$2 newmode=$3 mode=$4 owner=$5 size=$6 end=$7
  # A symlink stays a symlink: the file it points to is what gets replaced.
  if [ -L "$f" ]; then f=$(readlink -f -- "$f") && [ -n "$f" ] || return 1; fi
  case $f in */*) d=${f%/*} ;; *) d=. ;; esac
  t=$d/.crucible-tmp.$$.${8:-0}
  if (set -C; umask 077; true > "$t") 2>/dev/null; then :
  else t=$(mktemp "$d/.crucible-tmp.XXXXXX") || return 1; fi
  pending=$t
  if [ -e "$f" ]; then
    # Where times cannot be kept (not the file's owner) cp -p fails: mode and owner still matter.
    cp -p -- "$f" "$t" 2>/dev/null || {
      chmod --reference="$f" -- "$t" || return 1
      chown --reference="$f" -- "$t" 2>/dev/null || true
    }
    if [ -n "$selinux" ]; then chcon --reference="$f" -- "$t" 2>/dev/null || true; fi
  else
    chmod "$newmode" -- "$t" || return 1
    if [ -n "$selinux" ]; then restorecon -- "$t" 2>/dev/null || true; fi
  fi
  if [ -n "$size" ] && [ -n "$end" ]; then
    head -c "$size" > "$t" || return 1
    IFS= read -r got || got=
    if [ "$got" != "$end" ]; then
      echo "the input was cut short (no end marker after $size bytes); $f left as it was" >&2
      return 1
    fi
  elif [ -n "$size" ]; then
    head -c "$size" > "$t" || return 1
    got=$(wc -c < "$t") || return 1
    if [ "$got" -ne "$size" ]; then
      echo "received $got of $size bytes (input cut short); $f left as it was" >&2
      return 1
    fi
  else
    cat > "$t" || return 1
  fi
  if [ -n "$mode" ]; then chmod "$mode" -- "$t" || return 1; fi
  if [ -n "$owner" ]; then chown "$owner" -- "$t" || return 1; fi
  if [ -n "$backup" ] && [ -e "$f" ]; then
    ln -f -- "$f" "$backup" 2>/dev/null || cp -p -- "$f" "$backup" || return 1
  fi
  mv -f -- "$t" "$f" || return 1
  pending=
}

"""#

    static let script = prelude + function + #"crucible_write "$@" || exit 1"# + "\n"

    /// The command to run with the file's new bytes on standard input.
    public static func command(path: String, options: WriteOptions) -> String {
        command(path: path, options: options, expectedSize: nil)
    }

    /// The same, refusing to replace the file unless exactly `expectedSize` bytes arrived,
    /// followed by the line `end` when one is given (see `stdin(contents:end:)`).
    public static func command(path: String, options: WriteOptions, expectedSize: Int?, end: String = "") -> String {
        ShellQuote.command([
            "/bin/sh", "-c", script, "crucible-write", path,
            options.backupPath ?? "", options.modeIfNew, options.mode ?? "", options.owner ?? "",
            expectedSize.map(String.init) ?? "", end,
        ])
    }

    /// A fresh end marker: random, so no file's bytes can forge it.
    public static func newEndMarker() -> String { "crucible-end-" + UUID().uuidString }

    /// What goes on stdin for one file: its bytes, then the end marker line.
    public static func stdin(contents: [UInt8], end: String) -> [UInt8] {
        contents + Array((end + "\n").utf8)
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
        let end = AtomicWrite.newEndMarker()
        let result = try await run(AtomicWrite.command(path: path, options: options, expectedSize: contents.count, end: end),
                                   stdin: AtomicWrite.stdin(contents: contents, end: end), timeout: nil)
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot write \(path): \(result.stderrText.trimmed)")
        }
    }
}
