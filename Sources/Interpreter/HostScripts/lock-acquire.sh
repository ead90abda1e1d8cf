# `DIR OWNER STALE PENDINGFILE`: takes the host lock, then (host-facts.sh and
# pending-follow-ups.sh follow it) prints the host's facts (HostLock.acquireScript).
crucible_take() {
  # The lock appears with its owner file in it: made aside, then renamed into place (a
  # rename onto a lock that exists fails), so a run never reads a lock without an owner.
  n=$1/new.$$
  rm -rf -- "$n"; mkdir -- "$n" && printf '%s\n' "$owner" > "$n/owner" || return 1
  mv -T -- "$n" "$d" 2>/dev/null && return 0
  rm -rf -- "$n"; return 1
}
crucible_lock() {
  crucible_lockdir "$1" || return 2
  d=$1/lock owner=$2 stale=$3
  if crucible_take "$1"; then return 0; fi
  # This run already holds it (one machine under two display names, `"local" as "a"` and `"local"`).
  if [ "$(cat "$d/owner" 2>/dev/null)" = "$owner" ]; then return 0; fi
  f="$d/owner"; [ -f "$f" ] || f="$d"
  age=$(( $(date +%s) - $(stat -c %Y "$f" 2>/dev/null || date +%s) ))
  if [ "$age" -gt "$stale" ]; then
    # Take over a dead run's lock: rename it away first, so two runs cannot both take it.
    if mv "$d" "$d.stale.$$" 2>/dev/null; then
      rm -rf "$d.stale.$$"
      if crucible_take "$1"; then return 0; fi
    fi
  fi
  printf 'held %s\n' "$(cat "$d/owner" 2>/dev/null || echo 'another crucible run')"
  return 1
}
crucible_lock "$1" "$2" "$3" || exit $?
shift 3
