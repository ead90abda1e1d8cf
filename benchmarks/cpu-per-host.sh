#!/bin/bash
# crucible's own CPU per host: the bundled live-migration recipe (recipes/live-migration.crucible)
# on N sandbox hosts (RHEL 7 fixture hosts, docs/sandbox.md; h01 the controller, the others
# compute nodes), each given the full 3,805-line Juno nova.conf
# (Tests/Fixtures/upstream/nova/rdo-juno-2014.2.1/nova.conf.sample) as /etc/nova/nova.conf.
# For each N in SIZES (default "16 64"), REPS times (default 3, fresh hosts each time): the first
# run, then the no-change run, each one crucible-sh process under /usr/bin/time. Reported: the
# process's user+sys CPU divided by N (median of the repetitions), the extra CPU per extra host
# between the smallest and the largest N, and the peak RSS (median).
#
# `--no-verify`: the verify step needs what the sandbox lacks (a real NFS share: a file nova makes
# on one node must show up on the others), and a failed verify leaves follow-ups that make the
# next run report changes; VERIFY=1 runs it too.
#
# Needs root. Environment: RECIPE (an absolute path to a recipe file instead of the bundled
# one: `git show REV:recipes/live-migration.crucible > FILE` measures another revision's), SIZES,
# REPS, WORK (default /tmp/crucible-cpu-bench), CRUCIBLE_SH (a release crucible-sh; default: built
# here with `swift build -c release`), VERIFY, RUN_TIMEOUT (seconds per run, default 600).
# Output: a table on stdout; WORK/results.tsv (N, run, repetition, user s, sys s, max RSS KiB,
# exit status) and WORK/logs/.
#
# A run whose recipe fails on some host (the bundled recipe and the sandbox stubs change on
# main at the same time; the sandbox has no real NFS, so the verify step's check that a file
# made on one node shows up on the others fails) still counts: the exit status is in the TSV
# and the table says so. The logs say which ops ran.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
sizes=${SIZES:-"16 64"}
reps=${REPS:-3}
work=${WORK:-/tmp/crucible-cpu-bench}
nova_conf=$repo/Tests/Fixtures/upstream/nova/rdo-juno-2014.2.1/nova.conf.sample

if [ "$(id -u)" != 0 ]; then
    echo "benchmarks/cpu-per-host.sh: run as root (the sandbox hosts live in network namespaces)" >&2
    exit 1
fi
mkdir -p "$work/logs"
rm -f "$work/results.tsv"

if [ -z "${CRUCIBLE_SH:-}" ]; then
    echo "== building crucible-sh (release)" >&2
    swift build -c release --product crucible-sh 2>&1 | tail -n 1 >&2
    CRUCIBLE_SH=$(swift build -c release --show-bin-path)/crucible-sh
fi

# One timed run: appends "N run rep user sys maxrss status" to results.tsv.
timed_run() {
    local n=$1 run=$2 rep=$3 dir=$4 computes=$5 log=$work/logs/$n-$3-$2.log status
    (cd "$dir" && timeout "${RUN_TIMEOUT:-600}" /usr/bin/time -f 'TIME %U %S %M' -o "$work/time.out" \
        "$CRUCIBLE_SH" run "${RECIPE:-live-migration}" --set controller=h01 --set "computes=$computes" \
        --ssh-config "$dir/ssh_config" $([ "${VERIFY:-0}" = 1 ] || echo --no-verify) >"$log" 2>&1)
    status=$?
    read -r _ user sys rss < <(grep '^TIME ' "$work/time.out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$run" "$rep" "$user" "$sys" "$rss" "$status" >>"$work/results.tsv"
    echo "   N=$n #$rep $run: user ${user}s sys ${sys}s max RSS ${rss} KiB, exit $status" >&2
}

for n in $sizes; do
    name=cpubench_$n dir=$work/sb-$n
    computes=$(seq -f 'h%02g' 2 "$n" | paste -sd, -)
    for rep in $(seq 1 "$reps"); do
        # shellcheck disable=SC2046
        if ! scripts/sandbox up "$name" "$dir" $(seq -f 'h%02g=rhel7' 1 "$n") >"$work/logs/sandbox-$n.log" 2>&1; then
            echo "benchmarks/cpu-per-host.sh: scripts/sandbox up failed (see $work/logs/sandbox-$n.log)" >&2
            exit 1
        fi
        for host in $(seq -f 'h%02g' 1 "$n"); do
            cp "$nova_conf" "$dir/$host/etc/nova/nova.conf"
            # Commands the recipe runs that this sandbox's stubs may lack (nfsidmap -c after an
            # idmapd.conf change, virsh in the verify step): succeed, so every op of the recipe
            # runs on every host. Already there: left alone.
            for cmd in nfsidmap virsh; do
                [ -e "$dir/$host/stubs/$cmd" ] || printf '#!/bin/sh\nexit 0\n' >"$dir/$host/stubs/$cmd"
                chmod 755 "$dir/$host/stubs/$cmd"
            done
        done
        timed_run "$n" first "$rep" "$dir" "$computes"
        timed_run "$n" again "$rep" "$dir" "$computes"
        scripts/sandbox down "$name" "$dir" >/dev/null 2>&1
    done
done

python3 - "$work/results.tsv" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
sizes = sorted({int(r[0]) for r in rows})
def cell(n, run, f):
    return statistics.median(f(r) for r in rows if int(r[0]) == n and r[1] == run)
cpu = lambda r: float(r[3]) + float(r[4])
print("| hosts | run | crucible CPU (user+sys) s | per host ms | peak RSS MiB | exit status |")
print("|---|---|---|---|---|---|")
for n in sizes:
    for run, label in (("first", "first"), ("again", "no change")):
        total = cell(n, run, cpu)
        statuses = sorted({r[6] for r in rows if int(r[0]) == n and r[1] == run})
        print(f"| {n} | {label} | {total:.3f} | {total / n * 1000:.2f} | {cell(n, run, lambda r: int(r[5])) / 1024:.1f} | {','.join(statuses)} |")
if len(sizes) > 1:
    low, high = sizes[0], sizes[-1]
    for run, label in (("first", "first"), ("again", "no change")):
        extra = (cell(high, run, cpu) - cell(low, run, cpu)) / (high - low) * 1000
        print(f"\n{label}: each host from {low} to {high} adds {extra:.2f} ms of crucible CPU", end="")
    print()
PY
