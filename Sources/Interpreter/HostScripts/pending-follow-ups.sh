# Prints `pending=KEY` for each line of the follow-ups journal named by $1, if there is one
# (HostFacts.gatherCommand, lock-acquire.sh).
if [ -n "${1:-}" ] && [ -f "$1" ]; then
  while IFS= read -r k || [ -n "$k" ]; do printf 'pending=%s\n' "$k"; done < "$1"
fi

