# Sourced by the lint benchmarks (lint-10k.sh, lint-shapes.sh): finds the crucible-sh binary
# (CRUCIBLE_SH, else the release build, else the debug one) and times commands. Expects
# `root` (the repository) and `runs` to be set.

binary="${CRUCIBLE_SH:-}"
if [[ -z "$binary" ]]; then
    for candidate in "$root/.build/release/crucible-sh" "$root/.build/debug/crucible-sh"; do
        if [[ -x "$candidate" ]]; then binary="$candidate"; break; fi
    done
fi
if [[ -z "$binary" || ! -x "$binary" ]]; then
    echo "no crucible-sh binary: run 'swift build -c release' (or set CRUCIBLE_SH)" >&2
    exit 2
fi

# Median in milliseconds of `runs` timings of a command.
median_ms() {
    local -a times=()
    local i start end
    "$@" > /dev/null 2>&1 || true   # warm-up
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" > /dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=( $(( (end - start) / 1000 )) )
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.1f\n", m / 1000 }'
}
