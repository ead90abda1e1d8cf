# `DIR OWNER [PREFIX]`: releases the host lock, first dropping PREFIX's lines from the
# follow-ups journal (HostLock.releaseScript).
D=$1 owner=$2 prefix=${3:-}
read -r holder < "$D/lock/owner" 2>/dev/null || holder=
[ "$holder" = "$owner" ] || exit 0
crucible_lockdir "$D" || exit 1
pf=$D/pending
if [ -n "$prefix" ] && [ -f "$pf" ]; then
  kept=
  while IFS= read -r k || [ -n "$k" ]; do
    case $k in "$prefix"*) ;; *) kept="$kept$k
" ;; esac
  done < "$pf"
  if [ -z "$kept" ]; then rm -f -- "$pf"
  else t=$(mktemp "$D/pending.XXXXXXXX") && printf '%s' "$kept" > "$t" && mv -f -- "$t" "$pf"; fi
fi
rm -rf -- "$D/lock"
