# `crucible_write PATH BACKUP NEWMODE MODE OWNER SIZE END`: one file written atomically
# (see AtomicWrite.swift). Follows path-check.sh and atomic-write-prelude.sh in every script.
# shellcheck disable=SC2154 # cr, cdr, cpm, crucible_uid, crucible_gid come from path-check.sh; crucible_home, crucible_umask from atomic-write-prelude.sh
crucible_rwx() {
  case $1 in 0) r= ;; 1) r=x ;; 2) r=w ;; 3) r=wx ;; 4) r=r ;; 5) r=rx ;; 6) r=rw ;; *) r=rwx ;; esac
}
crucible_write() {
  crucible_write_in "$@"; cw=$?
  exec 3>&-
  # shellcheck disable=SC2086 # $pending is one or two mktemp names ("$t $t~"), blank-free: split on purpose
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

