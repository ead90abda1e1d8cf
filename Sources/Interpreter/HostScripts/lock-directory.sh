# `crucible_lockdir DIR`: makes the private lock directory if need be and checks it; included
# first by lock-acquire.sh and lock-release.sh (HostLock.swift).
crucible_lockdir() {
  # No directory, and none could be made: this user may not write where the lock goes.
  err=$(mkdir -m 0700 -- "$1" 2>&1) || [ -d "$1" ] ||
    { printf 'denied %s\t%s\n' "$(id -un 2>/dev/null || id -u)" "$err"; return 1; }
  # shellcheck disable=SC2046 # stat prints 4 blank-free words: split into $2..$5 on purpose
  set -- "$1" $(stat -c '%u %a %f %U' -- "$1" 2>/dev/null)
  if [ $# -lt 5 ]; then echo "cannot make the lock directory $1" >&2; return 1; fi
  if [ $((0x$4 & 61440)) -ne 16384 ]; then
    echo "refusing to use $1 for crucible's lock: it is not a directory (a symlink?), and could lead anywhere" >&2; return 1
  fi
  if [ "$2" != 0 ] && [ ! -O "$1" ]; then
    echo "refusing to use $1 for crucible's lock: it belongs to $5 (uid $2), not to root or this user" >&2; return 1
  fi
  if [ "$3" != 700 ]; then
    echo "refusing to use $1 for crucible's lock: its mode is $3, not 700" >&2; return 1
  fi
}

