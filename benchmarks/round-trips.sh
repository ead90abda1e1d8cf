#!/bin/bash
# Round trips per host: how many SSH exec channels (one per command crucible sends) and
# connections each host costs for the bundled live-migration recipe, first run and no-change
# run, for one or more crucible-sh binaries side by side (issue #17: the run-engine redesign
# must not add round trips). Counts come from the `--json` report's per-host `stats`; they are
# exact (no timing), so one repetition is enough.
#
# Usage (root): benchmarks/round-trips.sh LABEL=/path/to/crucible-sh [LABEL=/path ...]
# Hosts: a rhel7 controller and rhel6 + fedora21 compute nodes (scripts/sandbox), fresh for each
# binary. Output: one table row per binary, run and host on stdout.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ] || [ $# -eq 0 ]; then
    echo "usage (as root): benchmarks/round-trips.sh LABEL=CRUCIBLE_SH..." >&2
    exit 2
fi
work=${WORK:-/tmp/crucible-round-trips}
mkdir -p "$work"
printf '%-12s %-10s %-5s %6s %11s %12s\n' binary run host execs connections bytes_written
for pair in "$@"; do
    label=${pair%%=*} binary=${pair#*=}
    dir=$work/$label
    rm -rf "$dir"
    scripts/sandbox up "rt_$label" "$dir" ctl=rhel7 c1=rhel6 c2=fedora21 >/dev/null || exit 1
    for run in first no-change; do
        "$binary" run live-migration --set controller=ctl --set computes=c1,c2 \
            --ssh-config "$dir/ssh_config" --no-verify --json >"$dir/$run.json" 2>"$dir/$run.log"
        python3 - "$label" "$run" "$dir/$run.json" <<'EOF'
import json, sys
label, run, path = sys.argv[1:4]
report = json.load(open(path))
for host in report.get("hosts", []):
    stats = host.get("stats", {})
    print(f"{label:<12} {run:<10} {host['host']:<5} {stats.get('execChannels', 0):>6} "
          f"{stats.get('connections', 0):>11} {stats.get('bytesWritten', 0):>12}")
EOF
    done
    scripts/sandbox down "rt_$label" "$dir" >/dev/null
done
