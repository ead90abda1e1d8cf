"""Prints benchmarks/run's table (markdown) from its results.tsv: medians per tool, size and
run, crucible's ratios against each peer, the targets of issue 7, the machine's description.

Usage: python3 report.py RESULTS_TSV REPS LINT_LINES LINT_SECONDS VERSION_SECONDS \
       CRUCIBLE_VERSION ANSIBLE_VERSION PYINFRA_VERSION
"""
import os
import platform
import statistics
import sys
from collections import defaultdict


def main(tsv, reps, lint_lines, lint_seconds, version_seconds, *versions):
    times = defaultdict(list)
    with open(tsv) as f:
        for line in f:
            n, tool, phase, _rep, seconds = line.split()
            times[(int(n), tool, phase)].append(float(seconds))
    median = {key: statistics.median(values) for key, values in times.items()}
    sizes = sorted({n for n, _, _ in median})
    tools = [t for t in ("crucible", "ansible", "pyinfra") if any(k[1] == t for k in median)]

    counts = sorted({len(v) for v in times.values()})
    print(f"Median wall-clock seconds of a whole run ({' or '.join(map(str, counts))} repetitions, "
          "fresh hosts for each).\n")
    peers = [t for t in tools if t != "crucible"]
    header = ["hosts", "run"] + tools + [f"{p} / crucible" for p in peers]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for n in sizes:
        for phase, label in (("first", "first"), ("again", "no change")):
            row = [str(n), label]
            row += [f"{median[(n, t, phase)]:.2f}" if (n, t, phase) in median else "-" for t in tools]
            for p in peers:
                c, o = median.get((n, "crucible", phase)), median.get((n, p, phase))
                row.append(f"{o / c:.1f}x" if c and o else "-")
            print("| " + " | ".join(row) + " |")

    print("\nTargets (issue 7):\n")
    for phase, label in (("first", "first run"), ("again", "no-change run")):
        c = median.get((8, "crucible", phase))
        for peer, target in (("ansible", 30), ("pyinfra", 10)):
            o = median.get((8, peer, phase))
            if c and o:
                verdict = "met" if o / c >= target else "MISSED"
                print(f"- 8 hosts, {label}: crucible {o / c:.1f}x faster than {peer} (target {target}x): {verdict}")
    for phase, label in (("first", "first run"), ("again", "no-change run")):
        one, many = median.get((1, "crucible", phase)), median.get((32, "crucible", phase))
        if one and many:
            verdict = "met" if many / one <= 3 else "MISSED"
            print(f"- crucible, {label}: 32 hosts take {many / one:.2f}x the time of 1 host (target at most 3x): {verdict}")

    print(f"\nLint of a {lint_lines}-line recipe: {float(lint_seconds):.3f} s (median). "
          f"`crucible-sh --version` start-up: {float(version_seconds) * 1000:.1f} ms (median).\n")
    print("Machine: " + machine())
    print("Versions: " + "; ".join(v.strip() for v in versions))


def machine():
    cpus = os.cpu_count()
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    distro = ""
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            fields = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
        distro = fields.get("PRETTY_NAME", "").strip('"')
    return (f"{cpus} CPUs ({model}), {mem_kb / 1048576:.1f} GiB memory, {distro}, "
            f"Linux {platform.release()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main(*sys.argv[1:])
