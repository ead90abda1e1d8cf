#!/bin/bash
# Where crucible's own CPU goes in the no-change run of the bundled recipe
# (recipes/live-migration.crucible) on N sandbox hosts set up as benchmarks/cpu-per-host.sh sets
# them up (RHEL 7, h01 the controller, the Juno nova.conf on every host). For each N in SIZES
# (default "16 64"): fresh hosts, the first run (plain, to bring them to the recipe's state), then
# the no-change run under `perf record -g` (cpu-clock samples at 4 kHz: this machine's VM has no
# hardware counters) and `/usr/bin/time`.
#
# Output: per N, the run's CPU (user+sys, the process and its `ssh -G` children, as
# cpu-per-host.sh counts it) and, from the samples, the part of it crucible-sh's own threads
# used and the part its `ssh -G` children used, in ms per host; WORK/perf.N.data for
#   perf report -i WORK/perf.N.data --no-children --sort dso,sym     (where the samples fell)
#   perf report -i WORK/perf.N.data --children --sort sym            (call-graph totals)
# and WORK/logs/. valgrind's callgrind would count instructions repeatably, but valgrind 3.19
# (Debian 12) dies at libdispatch's first signal wait in crucible-sh.
#
# Needs root and perf. Environment: SIZES, WORK (default /tmp/crucible-cpu-profile), CRUCIBLE_SH
# (default: built here with `swift build -c release`), BUILTIN_SSH_CONFIG=1 (crucible-sh runs with
# a PATH without `ssh`, so its built-in ssh_config reader resolves the hosts, as on a machine
# without the OpenSSH client).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
sizes=${SIZES:-"16 64"}
work=${WORK:-/tmp/crucible-cpu-profile}
nova_conf=$repo/Tests/Fixtures/upstream/nova/rdo-juno-2014.2.1/nova.conf.sample

if [ "$(id -u)" != 0 ]; then
    echo "benchmarks/cpu-profile.sh: run as root (the sandbox hosts live in network namespaces)" >&2
    exit 1
fi
command -v perf >/dev/null || { echo "benchmarks/cpu-profile.sh: needs perf" >&2; exit 1; }
mkdir -p "$work/logs"

if [ -z "${CRUCIBLE_SH:-}" ]; then
    echo "== building crucible-sh (release)" >&2
    swift build -c release --product crucible-sh 2>&1 | tail -n 1 >&2
    CRUCIBLE_SH=$(swift build -c release --show-bin-path)/crucible-sh
fi

echo "| hosts | no-change run: CPU (user+sys) | per host | perf: crucible-sh per host | perf: its ssh -G per host | exit status |"
echo "|---|---|---|---|---|---|"
for n in $sizes; do
    name=cpuprof_$n dir=$work/sb-$n
    computes=$(seq -f 'h%02g' 2 "$n" | paste -sd, -)
    # shellcheck disable=SC2046
    if ! scripts/sandbox up "$name" "$dir" $(seq -f 'h%02g=rhel7' 1 "$n") >"$work/logs/sandbox-$n.log" 2>&1; then
        echo "benchmarks/cpu-profile.sh: scripts/sandbox up failed (see $work/logs/sandbox-$n.log)" >&2
        exit 1
    fi
    for host in $(seq -f 'h%02g' 1 "$n"); do
        cp "$nova_conf" "$dir/$host/etc/nova/nova.conf"
        for cmd in nfsidmap virsh; do   # as in cpu-per-host.sh: stand-ins where the stubs lack them
            [ -e "$dir/$host/stubs/$cmd" ] || printf '#!/bin/sh\nexit 0\n' >"$dir/$host/stubs/$cmd"
            chmod 755 "$dir/$host/stubs/$cmd"
        done
    done
    args=(run live-migration --set controller=h01 --set "computes=$computes" --ssh-config "$dir/ssh_config" --no-verify)
    (cd "$dir" && "$CRUCIBLE_SH" "${args[@]}" >"$work/logs/$n-first.log" 2>&1)
    path=$PATH
    [ "${BUILTIN_SSH_CONFIG:-0}" = 1 ] && path=/nonexistent
    (cd "$dir" && perf record -q -F 4000 -g -o "$work/perf.$n.data" -- \
        /usr/bin/time -f 'TIME %U %S' -o "$work/time.$n.out" env PATH="$path" "$CRUCIBLE_SH" "${args[@]}" \
        >"$work/logs/$n-again.log" 2>&1)
    status=$?
    read -r _ user sys < <(grep '^TIME ' "$work/time.$n.out")
    # The sampled CPU (ns) and each command's share: `ssh` is the `ssh -G` children, `time` is
    # /usr/bin/time, every other name is a thread of crucible-sh (libdispatch names its threads).
    report=$(perf report -i "$work/perf.$n.data" --stdio --sort comm -g none 2>/dev/null)
    total=$(awk '/^# Event count/ {print $NF}' <<<"$report")
    share() { awk -v c="$1" '!/^#/ && NF >= 3 && $3 == c {sub("%", "", $1); s += $1} END {print s + 0}' <<<"$report"; }
    awk -v n="$n" -v u="$user" -v s="$sys" -v t="$total" -v g="$(share ssh)" -v w="$(share time)" -v st="$status" \
        'BEGIN { printf "| %d | %.2f s | %.1f ms | %.1f ms | %.1f ms | %s |\n", n, u + s, (u + s) / n * 1000,
                 t * (100 - g - w) / 100 / n / 1e6, t * g / 100 / n / 1e6, st }'
    scripts/sandbox down "$name" "$dir" >/dev/null 2>&1
done
