# `crucible_timed SECONDS COMMAND` (CommandTimeout.swift). GRACE and MARKER are replaced by
# CommandTimeout.grace and .marker before the script is used.
crucible_timed() {
  if ! command -v timeout >/dev/null 2>&1; then
    printf '%s\n' "crucible: cannot limit this command to $1 s: this host has no \`timeout\` command (GNU coreutils 7.0 or later)" >&2
    return 125
  fi
  read -r crucible_u0 _ </proc/uptime 2>/dev/null || crucible_u0=0
  # shellcheck disable=SC2016 # the inner shell expands $(cat) and $c, not this one
  printf '%s' "$2" | timeout -s TERM "$1" /bin/sh -c 'c=$(cat); eval "$c" </dev/null' &
  crucible_t=$!
  ( trap 'kill "$crucible_w" 2>/dev/null; exit 0' TERM
    sleep $(($1 + GRACE)) & crucible_w=$!
    wait "$crucible_w"
    trap '' TERM
    kill -s KILL -- "-$crucible_t" 2>/dev/null
    exit 3 ) </dev/null >/dev/null 2>&1 &
  crucible_k=$!
  wait "$crucible_t"; crucible_s=$?
  kill "$crucible_k" 2>/dev/null; wait "$crucible_k"; crucible_ks=$?
  read -r crucible_u1 _ </proc/uptime 2>/dev/null || crucible_u1=0
  crucible_late=no
  case $crucible_s in 124|143) [ $((${crucible_u1%.*} - ${crucible_u0%.*})) -ge $(($1 - 1)) ] && crucible_late=yes ;; esac
  if [ "$crucible_ks" = 3 ] || [ "$crucible_late" = yes ]; then
    kill -s KILL -- "-$crucible_t" 2>/dev/null
    printf '%s\n' "MARKER$1 s: its process group was stopped (TERM, then KILL after GRACE s)" >&2
    return 124
  fi
  return $crucible_s
}

