#!/bin/sh
# Lint time of a 10,000-line recipe: the bundled live-migration recipe's params, then its
# host blocks repeated until the file has at least 10,000 lines (every block's names are
# local to it, so the copies do not clash). Prints the median of REPS runs, in seconds.
# Usage: benchmarks/lint-10k.sh CRUCIBLE_SH [WORK_DIR]
set -eu
bin=$1
work=${2:-/tmp/crucible-bench}
reps=${REPS:-5}
here=$(cd "$(dirname "$0")" && pwd)
recipe=$here/../recipes/live-migration.crucible
out=$work/lint-10k.crucible
mkdir -p "$work"

# Params and the top-level lets, then the host blocks (from the first `on nodes`).
sed -n '1,/^# --- Optional: packstack/p' "$recipe" | sed '$d' >"$out"
body=$(sed -n '/^# --- Every node: host names/,$p' "$recipe")
while [ "$(wc -l <"$out")" -lt 10000 ]; do printf '%s\n' "$body" >>"$out"; done

"$bin" lint "$out" >/dev/null || { echo "lint-10k: the generated recipe does not lint clean" >&2; exit 1; }
i=0
while [ $i -lt "$reps" ]; do
    start=$(date +%s%N)
    "$bin" lint "$out" >/dev/null
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
    i=$((i + 1))
done | sort -n | awk -v lines="$(wc -l <"$out")" '{ t[NR] = $1 } END { printf "%d %.4f\n", lines, t[int((NR + 1) / 2)] / 1e6 }'
