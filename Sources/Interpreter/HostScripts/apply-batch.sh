# `NONCE PENDINGFILE STEP...`: the loop of ApplyBatch, after atomic-write-prelude.sh,
# path-check.sh, atomic-write.sh and (when a step has a timeout) command-timeout.sh.
b=$1 pf=$2; shift 2; i=0
# shellcheck disable=SC2162 # /proc/uptime is two numbers: no backslash for -r to keep
crucible_now() { read t _ 2>/dev/null </proc/uptime || t=-; }
crucible_now; printf '%s start %s\n' "$b" "$t"
while [ $# -gt 0 ]; do
  if [ "$1" = m ]; then
    printf '%s\n' "$2" >> "$pf" 2>/dev/null || :
    shift 2; continue
  fi
  printf '%s %s\n' "$b" "$i" >&2
  case $1 in
    w) crucible_write "$2" "$3" "$4" "$5" "$6" "$7" "$8"; s=$?; shift 8 ;;
    c) (eval "$2") </dev/null; s=$?; shift 2 ;;
    h) cmd=$(head -c "$2"); (eval "$cmd") </dev/null; s=$?; shift 2 ;;
    t) crucible_timed "$2" "$3"; s=$?; shift 3 ;;
    T) cmd=$(head -c "$3"); crucible_timed "$2" "$cmd"; s=$?; shift 3 ;;
    *) s=99; shift $# ;;
  esac
  crucible_now
  if [ "$s" -ne 0 ]; then printf '\n%s %s failed %s %s\n' "$b" "$i" "$s" "$t"; exit 0; fi
  printf '\n%s %s ok %s\n' "$b" "$i" "$t"
  i=$((i + 1))
done
