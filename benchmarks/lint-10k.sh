#!/usr/bin/env bash
# Times `crucible-sh lint` on a generated 10,000-line recipe (params, lets, functions, ifs,
# on-blocks with ops and `{ }` blocks), as a whole process, and prints the median of several
# runs. Also times `crucible-sh --version` (process start-up alone), so the difference is
# lexing, parsing and checking. The target: well under 100 ms for the lint.
#
#   benchmarks/lint-10k.sh                 # release build if present, else debug
#   CRUCIBLE_SH=path/to/crucible-sh RUNS=20 benchmarks/lint-10k.sh
#   KEEP_RECIPE=/tmp/big.crucible benchmarks/lint-10k.sh   # keep the recipe (to profile)
#
# Uses hyperfine when installed, else a loop timed with `date +%s%N`. Not a test: it asserts
# nothing, it reports.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-15}"
lines_wanted=10000

source "$root/benchmarks/lint-common.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
recipe="$work/lint-10k.crucible"

# One unit of a realistic recipe; N makes its names unique.
unit() {
    local n=$1
    cat <<UNIT
# Settings of service group $n.
param port_$n: int = $((8000 + n))
param name_$n = "node-$n"
param enabled_$n: bool = true
let conf_$n = "/etc/app/$n.conf"
let peers_$n = ["10.0.$((n % 250)).1", "10.0.$((n % 250)).2", "10.0.$((n % 250)).3"]
let limits_$n = { soft = 1024, hard = 4096 }

# The label of group $n for one kind of service.
fn label_$n(kind, suffix = "x") {
  if kind == "a" {
    return "\${name_$n}-\${kind}-\${suffix}"
  } else if kind == "b" and enabled_$n {
    return upper(name_$n)
  }
  return join([name_$n, kind], "-")
}

on "local" {
  let r_$n = ensure-line conf_$n "port = \${port_$n}" create: true
  if r_$n.changed or not enabled_$n {
    service "app-$n" state: "restarted" enabled: true
  }
  edit-ini "/etc/app/$n.ini" section: "main" {
    port = port_$n
    name = label_$n("a")
    peers = join(peers_$n, ",")
    nofile = limits_$n.soft * 2
  }
  for p in peers_$n {
    hosts-entry p ["peer-\${replace(p, ".", "-")}", "p$n"] path: "/etc/hosts"
  }
  file "/etc/app/$n.motd" content: """
    group $n
    port \${port_$n}
    """
}

UNIT
}

n=0
: > "$recipe"
while (( $(wc -l < "$recipe") + 45 <= lines_wanted )); do
    n=$((n + 1))
    unit "$n" >> "$recipe"
done
while (( $(wc -l < "$recipe") < lines_wanted )); do echo "# padding" >> "$recipe"; done
echo "recipe: $(wc -l < "$recipe") lines, $n groups; binary: $binary"
if [[ -n "${KEEP_RECIPE:-}" ]]; then cp "$recipe" "$KEEP_RECIPE"; fi

if ! "$binary" lint "$recipe" > "$work/lint.out" 2>&1; then
    echo "the generated recipe does not lint clean:" >&2
    head -20 "$work/lint.out" >&2
    exit 1
fi


if command -v hyperfine > /dev/null; then
    hyperfine --warmup 2 --runs "$runs" --export-json "$work/h.json" --style basic \
        "$binary --version" "$binary lint $recipe" > "$work/hyperfine.out" 2>&1
    python3 - "$work/h.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
startup, lint = (r["median"] * 1000 for r in results)
print(f"start-up (--version): median {startup:.1f} ms")
print(f"lint 10k lines:       median {lint:.1f} ms  (lex+parse+check ~ {lint - startup:.1f} ms)")
PY
else
    startup=$(median_ms "$binary" --version)
    lint=$(median_ms "$binary" lint "$recipe")
    echo "start-up (--version): median $startup ms"
    echo "lint 10k lines:       median $lint ms"
fi
