# `FILE BACKUP COMMAND...`: COMMAND rewrites FILE itself; the previous FILE becomes BACKUP
# once COMMAND succeeded (AtomicWrite.keepingBackup).
f=$1 b=$2 t=; shift 2
trap '[ -z "$t" ] || rm -f -- "$t"' EXIT
trap 'exit 1' HUP INT TERM PIPE
if [ -f "$f" ] && [ ! -L "$f" ]; then
  d=${f%/*}
  t=$(mktemp "${d:-/}/.crucible-tmp.XXXXXXXX") && cp -p -- "$f" "$t" || exit 1
fi
"$@" || exit $?
if [ -n "$t" ]; then mv -fT -- "$t" "$b" && t=; fi
