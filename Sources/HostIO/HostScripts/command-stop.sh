# `PID`: stops every process in PID's session, never this script's own (CommandStop.swift).
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
