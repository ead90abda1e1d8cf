# `BOUNDARY NPROBES PROBE... FILE...`: many reads in one exec, each answer framed by BOUNDARY
# (ReadBatch.swift).
b=$1 np=$2; shift 2
frame_open() { printf '%s\n' "$b"; printf '%s\n' "$b" >&2; }
frame_close() { printf '\n%s %s\n' "$b" "$1"; printf '\n%s %s\n' "$b" "$1" >&2; }
while [ "$np" -gt 0 ]; do
  frame_open; (eval "$1") </dev/null; frame_close $?
  shift; np=$((np - 1))
done
n=$# e=
while [ "$n" -gt 0 ]; do
  a=$1; shift; n=$((n - 1))
  if [ -f "$a" ] && [ -r "$a" ]; then e="${e}1"; set -- "$@" "$a"
  elif [ ! -e "$a" ]; then e="${e}m"
  else e="${e}s"; fi
done
frame_open; printf '%s' "$e"; frame_close 0
if [ $# -gt 0 ]; then
  frame_open; wc -c -- "$@"; frame_close $?
  frame_open; cat -- "$@"; frame_close $?
else
  frame_open; frame_close 0; frame_open; frame_close 0
fi
