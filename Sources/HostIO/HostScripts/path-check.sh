# `crucible_check PATH KIND OWNER` and `crucible_report`: the symlink and ownership rules every
# change of a path goes through (PathCheck.swift, docs/security.md). Included first by the
# scripts that call them; its results are globals they read (cr, cdr, cx, cu, cg, cm, ...).
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
  # shellcheck disable=SC1007 # `cr= crest=$1`: empty assignments among others on one line, as meant
  cp_=$1 ck=$2 co=$3 cr= crest=$1 chops=0 cx= cu= cg= cm= cun= cgn=
  # shellcheck disable=SC2209 # `cwhat=write` is the word "write" (a message says "refusing to write"), not the command
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
  # shellcheck disable=SC2086 # stat printed 7 words per path, all blank-free: split into $1..$7 on purpose
  set -- $cs
  # shellcheck disable=SC1007 # `cc= cdr= cdu=`: empty assignments, as meant
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

