# `DIR OWNER SECONDS`: refreshes the lock every SECONDS until stdin ends; follows the
# definition of crucible_refresh (lock-refresh.sh) in HostLock.keeperScript.
( trap 'kill $s 2>/dev/null; exit 0' TERM
  while crucible_refresh "$1" "$2"; do sleep "$3" & s=$!; wait $s; done ) </dev/null >/dev/null 2>&1 &
k=$!
cat >/dev/null
kill $k 2>/dev/null
wait $k
exit 0
