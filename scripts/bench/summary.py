#!/usr/bin/env python3
"""Side-by-side summary of sfd-bench results.

usage: summary.py RESULTS-TCG RESULTS-ICOUNT [RESULTS-NATIVE]

Each file holds the benchmark's output; the "key value" lines between
"#BEGIN RESULTS" and "#END RESULTS" are read. A missing native file is
left out.
"""
import math
import os
import sys


def load(path):
    d, inside = {}, False
    if not path or not os.path.exists(path):
        return d
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# profile "):
            d["host_profile"] = line[len("# profile "):]
        elif line.startswith("#BEGIN RESULTS"):
            inside = True
        elif line.startswith("#END RESULTS"):
            inside = False
        elif inside and " " in line:
            k, v = line.split(" ", 1)
            d[k] = v
    return d


def num(d, k):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return math.nan


def fmt(v, nd=1):
    return "-" if math.isnan(v) else f"{v:,.{nd}f}"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tcg, ic = load(sys.argv[1]), load(sys.argv[2])
    nat = load(sys.argv[3] if len(sys.argv) > 3 else None)
    runs = [("TCG", tcg), ("icount", ic)] + ([("native*", nat)] if nat else [])
    w = 11

    def row(label, key, nd=1, only=None):
        cells = "".join(f"{fmt(num(d, key), nd):>{w}}" for _, d in (only or runs))
        print(f"{label:38}{cells}")

    def head(title, only=None):
        print(f"\n{title:38}" + "".join(f"{n:>{w}}" for n, _ in (only or runs)))

    print(f"sfd-bench: profile {tcg.get('host_profile', tcg.get('profile'))} ({tcg.get('profile.insns')} BPF insns), "
          f"N={tcg.get('n')}, guest kernel {tcg.get('kernel')}, {tcg.get('cpus')} guest CPU(s)")
    if nat:
        print(f"* native: the host ({nat.get('kernel')}, {nat.get('cpus')} shared CPUs), no "
              "detached filters there: methods none/A/B only")

    head("one-time cost, us")
    row("build profile (libseccomp), median", "once.build_us.median", 0)
    row("create detached fd, median", "once.create_us.median", 0)
    row("first attach (builds the node), C", "C.apply_us.first", 0)

    head("apply per container, median us")
    row("none: pipe round trip only", "none.apply_us.median")
    row("A  child builds + loads", "A.apply_us.median", 0)
    row("     of which build (child side)", "A.build_us.median", 0)
    row("     of which load (child side)", "A.load_us.median", 0)
    row("B  child loads cached BPF", "B.apply_us.median", 0)
    row("     of which load (child side)", "B.load_us.median", 0)
    row("C  attach by pidfd", "C.apply_us.median", 2)
    row("C2 attach, shared base chain", "C2.apply_us.median", 2)
    row("C3 attach, own base chain each", "C3.apply_us.median", 0)
    head("apply per container, p90 us")
    for m in ("none", "A", "B", "C", "C2", "C3"):
        row(m, f"{m}.apply_us.p90", 2 if m.startswith("C") and m != "C3" else 0)

    head("ratio of median apply times")
    for a, b in (("A", "C"), ("B", "C"), ("A", "B"), ("B", "C3")):
        cells = ""
        for _, d in runs:
            cells += f"{fmt(num(d, a + '.apply_us.median') / num(d, b + '.apply_us.median')):>{w}}"
        print(f"{a + '/' + b:38}{cells}")

    print("\nkernel memory per live container, kB: (method - unfiltered baseline) / N")
    print(f"{'':6}" + "".join(f"{h:>12}" for h in
                             ("Slab", "VmallocUsed", "Percpu", "Avail drop", "apply-only",
                              "nodes")) + "   [icount run]")
    for m in ("A", "B", "C", "C2", "C3"):
        ao = sum(num(ic, f"{m}.apply_only_kb.{k}") for k in ("Slab", "VmallocUsed", "Percpu"))
        fd = f"{ic.get(m + '.fdinfo.seccomp_nodes')}" \
            if m.startswith("C") else "-"
        print(f"{m:6}{fmt(num(ic, m + '.per_container_kb.Slab'), 2):>12}"
              f"{fmt(num(ic, m + '.per_container_kb.VmallocUsed'), 2):>12}"
              f"{fmt(num(ic, m + '.per_container_kb.Percpu'), 2):>12}"
              f"{fmt(-num(ic, m + '.per_container_kb.MemAvailPcp'), 1):>12}"
              f"{fmt(ao, 2):>12}{fd:>12}")
    print("TCG run, Slab+VmallocUsed per container: " + ", ".join(
        f"{m} {fmt(num(tcg, m + '.per_container_kb.Slab') + num(tcg, m + '.per_container_kb.VmallocUsed'), 2)}"
        for m in ("A", "B", "C", "C2", "C3")))
    print("baseline spread (none2 - none) per container, kB: Slab "
          f"{fmt(num(ic, 'baseline_spread_per_container_kb.Slab'), 2)}, MemAvailable+pcp "
          f"{fmt(num(ic, 'baseline_spread_per_container_kb.MemAvailPcp'), 2)} [icount]; Slab "
          f"{fmt(num(tcg, 'baseline_spread_per_container_kb.Slab'), 2)}, MemAvailable+pcp "
          f"{fmt(num(tcg, 'baseline_spread_per_container_kb.MemAvailPcp'), 2)} [TCG]")
    print("(Avail drop: MemAvailable + free pages on the per-CPU lists, drop per container; "
          "it includes user memory.\n apply-only: Slab+VmallocUsed+Percpu change across the "
          "apply step alone, minus the baseline's)")

    vm = runs[:2]   # the host is too noisy for this (see results-native.txt)
    print(f"\n{'syscall cost once filtered, ns/call':38}" +
          "".join(f"{h:>{w}}" for h in ("getpid TCG", "icount", "pers. TCG", "icount")))
    for m, label in (("none", "unfiltered"), ("A", "A"), ("B", "B"), ("C", "C detached"),
                     ("C2", "C2 detached on a base")):
        print(f"{label:38}" + "".join(f"{fmt(num(d, m + k), 0):>{w}}"
                                      for k in (".getpid_ns", ".personality_ns") for _, d in vm))
    print("(getpid: allowed whatever its arguments, answered by seccomp's action cache;\n"
          " personality(0xffffffff): argument-dependent, the BPF program runs)")


if __name__ == "__main__":
    main()
