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
    public static let function = #"""
crucible_ids() {
  [ -n "${crucible_uid:-}" ] && return 0
  crucible_uid=$(LC_ALL=C id) || return 1
  crucible_gid=${crucible_uid#* gid=} crucible_uid=${crucible_uid#uid=}
  crucible_gid=${crucible_gid%%[( ]*} crucible_uid=${crucible_uid%%[( ]*}
}
crucible_type() {
  case $1 in
    16384) echo a directory ;; 32768) echo a regular file ;; 40960) echo a symlink ;; 4096) echo a FIFO ;;
    8192) echo a character device ;; 24576) echo a block device ;; 49152) echo a socket ;; *) echo "of an unknown type" ;;
  esac
}
crucible_check() {
  cp_=$1 ck=$2 co=$3 cr= crest=$1 chops=0 cx= cu= cg= cm= cun= cgn=
  case $ck in d) cwhat=change ;; *) cwhat=write ;; esac
  case $crest in /*) ;; *) crest=$PWD/$crest ;; esac
  while [ -n "$crest" ]; do
    cc=${crest%%/*}
    case $crest in */*) crest=${crest#*/} ;; *) crest= ;; esac
    case $cc in ''|.) continue ;; ..) cr=${cr%/*}; continue ;; esac
    if [ -L "$cr/$cc" ]; then
      chops=$((chops + 1))
      if [ "$chops" -gt 40 ]; then echo "refusing to $cwhat $cp_: too many symlinks on the way" >&2; return 1; fi
      cl=$(stat -c '%u %U' -- "$cr/$cc") && ct=$(readlink -- "$cr/$cc") || return 1
      if [ "${cl%% *}" != 0 ]; then
        crucible_ids || return 1
        if [ "${cl%% *}" != "$crucible_uid" ]; then
          echo "refusing to follow $cr/$cc: a symlink owned by ${cl#* } (uid ${cl%% *}), pointing to $ct; crucible follows only symlinks owned by root" >&2
          return 1
        fi
      fi
      case $ct in /*) cr= ;; esac
      crest=$ct${crest:+/$crest}
    else
      cr=$cr/$cc
    fi
  done
  cr=${cr:-/}
  set -- /
  crest=${cr#/} cc=
  while [ -n "$crest" ]; do
    cc=$cc/${crest%%/*}
    case $crest in */*) crest=${crest#*/} ;; *) crest= ;; esac
    set -- "$@" "$cc"
  done
  cn=$#
  cs=$(stat -c '%u %g %a %h %f %U %G' -- "$@" 2>/dev/null)
  set -- $cs
  ci=0 crest=${cr#/} cc= cdr= cdu= cpu=0 cpm=755
  while [ $# -ge 7 ]; do
    ci=$((ci + 1))
    if [ "$ci" -gt 1 ]; then
      cc=$cc/${crest%%/*}
      case $crest in */*) crest=${crest#*/} ;; *) crest= ;; esac
    fi
    cname=${cc:-/} cty=$((0x$5 & 61440))
    if [ "$ci" -eq "$cn" ]; then
      case $ck$cty in
        f32768|d16384) ;;
        *) [ "$cname" = "$cp_" ] && cname=it || cname="it leads to $cname, which"
           echo "refusing to $cwhat $cp_: $cname is $(crucible_type "$cty"), not $(crucible_type "$([ "$ck" = d ] && echo 16384 || echo 32768)")" >&2; return 1 ;;
      esac
      cx=1 cu=$1 cg=$2 cm=$3 chl=$4 cun=$6 cgn=$7
      [ "$ck" = f ] || cdr=$cname
      break
    fi
    if [ "$cty" -eq 40960 ]; then
      echo "refusing to $cwhat $cp_: $cname became a symlink while crucible checked it" >&2; return 1
    elif [ "$cty" -ne 16384 ]; then
      echo "refusing to $cwhat $cp_: $cname is $(crucible_type "$cty"), not a directory" >&2; return 1
    fi
    if [ $((0$3 & 18)) -ne 0 ] && [ $((0$3 & 512)) -eq 0 ]; then
      echo "refusing to $cwhat $cp_: $cname is writable by users other than its owner (mode $3) and not sticky, so anyone could replace what crucible checked" >&2; return 1
    fi
    if [ "$1" != 0 ]; then
      if [ -z "$cdu" ]; then cdu=$1 cdn=$6 cdp=$cname
      elif [ "$cdu" != "$1" ]; then
        echo "refusing to $cwhat $cp_: $cdp belongs to $cdn (uid $cdu) and $cname to $6 (uid $1); at most one user besides root may own the way to it" >&2; return 1
      fi
    fi
    cdr=$cname cpu=$1 cpm=$3
    shift 7
  done
  [ -n "$cdr" ] || { echo "refusing to $cwhat $cp_: cannot read $cr" >&2; return 1; }
  ctu=
  case ${co%%:*} in
    '') if [ -n "$cx" ]; then ctu=$cu; fi ;;
    *[!0-9]*) if [ -n "$cdu$cx" ]; then ctu=$(id -u -- "${co%%:*}" 2>/dev/null) || { echo "refusing to $cwhat $cp_: there is no user ${co%%:*}" >&2; return 1; }; fi ;;
    *) ctu=${co%%:*} ;;
  esac
  if [ -z "$ctu" ] && [ -n "$cdu" ]; then crucible_ids || return 1; ctu=$crucible_uid; fi
  if [ -n "$cdu" ] && [ "$cdu" != "$ctu" ]; then
    echo "refusing to $cwhat $cp_: $cdp belongs to $cdn (uid $cdu), who is neither root nor the owner of $cp_, and could replace what crucible checked" >&2; return 1
  fi
  if [ "$ck" = f ] && [ -n "$cx" ] && [ "$chl" -gt 1 ] && [ "$cu" != "$ctu" ] && { [ "$cpu" != 0 ] || [ $((0$cpm & 18)) -ne 0 ]; }; then
    echo "refusing to $cwhat $cp_: it has $chl hard links, belongs to $cun (uid $cu), not to its new owner, and sits in a directory others can change: one may have been planted there" >&2; return 1
  fi
}
crucible_report() {
  printf 'path=%s\nexisting=%s\n' "$cr" "$cdr"
  [ -z "$cx" ] || printf 'mode=%s\nowner=%s:%s\nids=%s:%s\n' "$cm" "$cun" "$cgn" "$cu" "$cg"
}

"""#

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
            steps.append(ShellQuote.command(["[", "-f", name, "]"]) + " && " + ShellQuote.command(["[", "!", "-L", name, "]"]))
        }
        if let owner { steps.append(ShellQuote.command(["chown", "-h", "--", owner, target])) }
        if let mode { steps.append(ShellQuote.command(["chmod", "--", mode, target])) }
        let path = name.map { (current == "/" ? "" : current) + "/" + $0 } ?? current
        let refusal = "refusing to change \(path): it, or a directory on the way, could not be made or changed after crucible checked it (a symlink?)"
        return steps.joined(separator: " && ") + " || { echo " + ShellQuote.quote(refusal) + " >&2; exit 1; }"
    }
}
