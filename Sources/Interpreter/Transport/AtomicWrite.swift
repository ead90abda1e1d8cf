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
    static let prelude = #"""
pending=
trap '[ -z "$pending" ] || rm -f -- $pending' EXIT
trap 'exit 1' HUP INT TERM PIPE
selinux=
if [ -e /sys/fs/selinux/enforce ] || [ -e /selinux/enforce ]; then selinux=1; fi
crucible_home=$PWD crucible_umask=$(umask)

"""#

    /// `crucible_write PATH BACKUP NEWMODE MODE OWNER SIZE END`: returns non-zero, with the
    /// original untouched, on any failure. BACKUP is the suffix of the backup's name (empty:
    /// none). With END, the SIZE bytes must be followed on stdin by the line END (read by the
    /// shell's `read`: no process, and a transfer cut short cannot produce it); without it,
    /// `wc -c` checks the size.
    static let function = PathCheck.function + #"""
crucible_rwx() {
  case $1 in 0) r= ;; 1) r=x ;; 2) r=w ;; 3) r=wx ;; 4) r=r ;; 5) r=rx ;; 6) r=rw ;; *) r=rwx ;; esac
}
crucible_write() {
  crucible_write_in "$@"; cw=$?
  exec 3>&-
  if [ "$cw" -ne 0 ] && [ -n "$pending" ]; then rm -f -- $pending; pending=; fi
  cd -P -- "$crucible_home" 2>/dev/null || cd /
  return "$cw"
}
crucible_write_in() {
  f=$1 backup=$2 newmode=$3 mode=$4 owner=$5 size=$6 end=$7
  crucible_check "$f" f "$owner" || return 1
  d=${cr%/*} n=${cr##*/}
  d=${d:-/}
  if [ "$cdr" != "$d" ]; then echo "cannot write $f: there is no directory $d" >&2; return 1; fi
  if ! cd -P -- "$d" 2>/dev/null || [ "$PWD" != "$d" ]; then
    echo "refusing to write $f: $d changed while crucible checked it" >&2; return 1
  fi
  if [ -n "$cx" ]; then o=${owner:-$cu:$cg} m=${mode:-$cm}; else o=$owner m=${mode:-$newmode}; fi
  # Made with its final mode when a umask can say it (no execute or special bit), else
  # private, and chmod'ed while still empty.
  mu=077
  case $m in
    ''|*[!0-7]*) ;;
    *) if [ $((0$m & 3657)) -eq 0 ]; then
         crucible_rwx $((0$m >> 6 & 7)); mu=u=$r; crucible_rwx $((0$m >> 3 & 7)); mu=$mu,g=$r
         crucible_rwx $((0$m & 7)); mu=$mu,o=$r m=
       fi ;;
  esac
  umask "$mu"
  t=$(mktemp -u ./.crucible-tmp.XXXXXXXX) && { set -C; command exec 3>"$t"; }
  cw=$?; set +C; umask "$crucible_umask"
  if [ "$cw" -ne 0 ]; then echo "cannot create a temp file in $d" >&2; return 1; fi
  pending=$t
  if [ -n "$o" ]; then
    crucible_ids || return 1
    # Keeping the original's owner is what a user other than root cannot always do: the
    # new file is then theirs, with the original's mode. An owner the op asks for must be set.
    if [ "$o" = "$owner" ]; then chown -- "$o" /proc/self/fd/3 || return 1
    elif [ "$o" != "$crucible_uid:$crucible_gid" ] || [ $((0$cpm & 1024)) -ne 0 ]; then
      chown -- "$o" /proc/self/fd/3 2>/dev/null || [ "$crucible_uid" != 0 ] || return 1
    fi
  fi
  if [ -n "$m" ]; then chmod -- "$m" /proc/self/fd/3 || return 1; fi
  if [ -n "$selinux" ]; then
    if [ -n "$cx" ]; then chcon --reference="$n" -- /proc/self/fd/3 2>/dev/null || true
    else restorecon -- "$t" 2>/dev/null || true; fi
  fi
  if [ -n "$size" ] && [ -n "$end" ]; then
    head -c "$size" >&3 || return 1
    IFS= read -r got || got=
    if [ "$got" != "$end" ]; then
      echo "the input was cut short (no end marker after $size bytes); $f left as it was" >&2
      return 1
    fi
  elif [ -n "$size" ]; then
    head -c "$size" >&3 || return 1
    got=$(wc -c < /proc/self/fd/3) || return 1
    if [ "$got" -ne "$size" ]; then
      echo "received $got of $size bytes (input cut short); $f left as it was" >&2
      return 1
    fi
  else
    cat >&3 || return 1
  fi
  exec 3>&-
  tb=
  if [ -n "$backup" ] && [ -n "$cx" ]; then
    tb=$t~ pending="$t $t~"
    ln -P -- "$n" "$tb" 2>/dev/null || cp -p -- "$n" "$tb" || return 1
  fi
  mv -fT -- "$t" "$n" || return 1
  pending=$tb
  if [ -n "$tb" ] && ! mv -fT -- "$tb" "$n$backup"; then
    echo "$f was written, but its previous version could not be kept as $d/$n$backup" >&2
    return 1
  fi
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
        ShellQuote.command(["/bin/sh", "-c", #"""
if [ -f "$1" ]; then exec cat -- "$1"; fi
if [ -e "$1" ] || [ -L "$1" ]; then echo "$1 is not a regular file" >&2; exit 4; fi
exit 3
"""#, "crucible-read", path])
    }

    // MARK: - Files other programs write

    /// `FILE BACKUP COMMAND...`: COMMAND rewrites FILE (`service iptables save`, which may
    /// write it in place); FILE is copied first to a temp name, which replaces BACKUP only
    /// once COMMAND succeeded, so a failed save leaves the previous backup alone.
    static let keepingBackupScript = #"""
f=$1 b=$2 t=; shift 2
trap '[ -z "$t" ] || rm -f -- "$t"' EXIT
trap 'exit 1' HUP INT TERM PIPE
if [ -f "$f" ] && [ ! -L "$f" ]; then
  d=${f%/*}
  t=$(mktemp "${d:-/}/.crucible-tmp.XXXXXXXX") && cp -p -- "$f" "$t" || exit 1
fi
"$@" || exit $?
if [ -n "$t" ]; then mv -fT -- "$t" "$b" && t=; fi
"""#

    /// Runs `command`, which rewrites `path` itself, keeping the previous version as `backup`.
    public static func keepingBackup(of path: String, as backup: String, running command: [String]) -> String {
        ShellQuote.command(["/bin/sh", "-c", keepingBackupScript, "crucible-save", path, backup] + command)
    }

    /// `FILE BACKUP COMMAND...`: COMMAND's output becomes FILE, through a private temp file
    /// (`mktemp`: mode 0600) renamed over it; with BACKUP, the previous FILE is kept as
    /// BACKUP once the new one is in place.
    static let savingOutputScript = #"""
f=$1 b=$2; shift 2
d=${f%/*}
t=$(mktemp "${d:-/}/.crucible-tmp.XXXXXXXX") || exit 1
trap 'rm -f -- "$t" "$t~"' EXIT
trap 'exit 1' HUP INT TERM PIPE
"$@" > "$t" || exit 1
if [ -n "$b" ] && [ -f "$f" ] && [ ! -L "$f" ]; then ln -P -- "$f" "$t~" 2>/dev/null || cp -p -- "$f" "$t~" || exit 1; fi
mv -fT -- "$t" "$f" || exit 1
if [ -e "$t~" ]; then mv -fT -- "$t~" "$b" || exit 1; fi
"""#

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
