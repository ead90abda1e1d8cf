# `FILE BACKUP COMMAND...`: COMMAND's output replaces FILE atomically, the previous FILE kept
# as BACKUP when given (AtomicWrite.savingOutput).
f=$1 b=$2; shift 2
d=${f%/*}
t=$(mktemp "${d:-/}/.crucible-tmp.XXXXXXXX") || exit 1
trap 'rm -f -- "$t" "$t~"' EXIT
trap 'exit 1' HUP INT TERM PIPE
"$@" > "$t" || exit 1
if [ -n "$b" ] && [ -f "$f" ] && [ ! -L "$f" ]; then ln -P -- "$f" "$t~" 2>/dev/null || cp -p -- "$f" "$t~" || exit 1; fi
mv -fT -- "$t" "$f" || exit 1
if [ -e "$t~" ]; then mv -fT -- "$t~" "$b" || exit 1; fi
