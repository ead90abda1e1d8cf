# `PID`: stops every process in PID's session, never this script's own (CommandStop.swift).
# After KILL it waits (up to 5 s) until no live process of the session is left, so whoever
# asked for the stop finds them gone; zombies wait for their parent, not for this script.
# shellcheck disable=SC2086 # `set -- $s` splits a /proc/PID/stat line (a state letter and numbers after the name) into fields on purpose
read -r s </proc/"$1"/stat 2>/dev/null || exit 0
s=${s##*) }; set -- $s; sid=$4
read -r m </proc/self/stat; m=${m##*) }; set -- $m
[ "$sid" -gt 1 ] 2>/dev/null && [ "$sid" != "$4" ] || exit 0
for sig in TERM KILL; do
  left=no
  for d in /proc/[0-9]*; do
    read -r s <"$d/stat" 2>/dev/null || continue
    s=${s##*) }; set -- $s
    [ "$4" = "$sid" ] && kill -s $sig "${d#/proc/}" 2>/dev/null && left=yes
  done
  [ $left = yes ] || break
  [ $sig = KILL ] || sleep 1
done
n=0
while [ $n -lt 5 ]; do
  left=no
  for d in /proc/[0-9]*; do
    read -r s <"$d/stat" 2>/dev/null || continue
    s=${s##*) }; set -- $s
    if [ "$4" = "$sid" ] && [ "$1" != Z ]; then left=yes; break; fi
  done
  [ $left = yes ] || break
  sleep 1; n=$((n + 1))
done
