#!/usr/bin/env python3
"""Side-by-side summary of sfd-bench results.

usage: summary.py RESULTS-TCG RESULTS-ICOUNT [RESULTS-NATIVE]
                  [--scenarios SCEN-TCG SCEN-ICOUNT] [--plot-data FILE]

Each file holds a benchmark's output (sfd-bench, sfd-scenarios); the
"key value" lines between "#BEGIN RESULTS" and "#END RESULTS" are read.
A missing native file is left out.  --plot-data writes the data blocks
scripts/bench/plot.gp draws.
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
    args, scen, plot = [], None, None
    argv = sys.argv[1:]
    while argv:
        a = argv.pop(0)
        if a == "--scenarios":
            if len(argv) < 2:
                sys.exit(__doc__)
            scen = (load(argv.pop(0)), load(argv.pop(0)))
        elif a == "--plot-data":
            if not argv:
                sys.exit(__doc__)
            plot = argv.pop(0)
        else:
            args.append(a)
    if len(args) < 2 and not scen:
        sys.exit(__doc__)
    if len(args) >= 2 and os.path.exists(args[0]):
        rounds(args)
    if scen:
        scenarios(*scen)
        if plot:
            plot_data(plot, *scen)


def rounds(args):
    tcg, ic = load(args[0]), load(args[1])
    nat = load(args[2] if len(args) > 2 else None)
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


def scenarios(tcg, ic):
    runs = [("TCG", tcg), ("icount", ic)]
    w = 12

    def row(label, key, nd=1, scale=1.0):
        print(f"{label:44}" + "".join(f"{fmt(num(d, key) * scale, nd):>{w}}" for _, d in runs))

    def spread(label, key, nd=1, scale=1.0):
        cells = ""
        for _, d in runs:
            lo, hi = num(d, key + ".p10") * scale, num(d, key + ".p90") * scale
            cells += f"{fmt(num(d, key + '.median') * scale, nd):>{w}}" + \
                f"{'[' + fmt(lo, nd) + '..' + fmt(hi, nd) + ']':>22}"
        print(f"{label:44}{cells}")

    def head(title):
        print(f"\n{title:44}" + "".join(f"{n:>{w}}{'p10..p90':>22}" for n, _ in runs))

    print(f"\nsfd-scenarios: guest kernel {tcg.get('kernel')}, profile {tcg.get('profile.insns')} insns")
    head(f"churn (N={tcg.get('churn.n')}, one at a time), apply us")
    for m, label in (("A", "A  child builds + loads"), ("B", "B  child loads cached BPF"),
                     ("C", "C  attach, node built each time")):
        spread(label, f"churn.{m}.apply_us", 2 if m == "C" else 0)
    cells = "".join(f"{fmt(num(d, 'churn.C.apply_us.median') * 1e3 / num(d, 'hotpath.unfiltered.allowed_ns'), 1):>{w}}"
                    for _, d in runs)
    print(f"{'C / unfiltered getpid(), x':44}{cells}")

    head(f"spawn (N={tcg.get('spawn.n')}): fork+filter+exec+wait, us")
    for m, label in (("none", "none"), ("A", "A  build + load"), ("B", "B  load cached"),
                     ("C", "C  attach self (by hand)"), ("helper_none", "sfd_spawn(), no filter"),
                     ("helper_C", "sfd_spawn(), attach by pidfd")):
        spread(label, f"spawn.{m}.us", 0)
    print(f"\n{'spawns per second (1 / median)':44}" + "".join(f"{n:>{w}}" for n, _ in runs))
    for m in ("none", "A", "B", "C", "helper_none", "helper_C"):
        row(m, f"spawn.{m}.per_s", 0)
    for m in ("C", "helper_C"):
        row(f"{m} time / none time", f"spawn.{m}.vs_none", 3)
    cells = "".join(f"{fmt(num(d, 'spawn.helper_C.us.median') / num(d, 'spawn.helper_none.us.median'), 3):>{w}}"
                    for _, d in runs)
    print(f"{'helper_C time / helper_none time':44}{cells}")

    head("notification round trips per second")
    for t in (1, 4):
        spread(f"detached fd, {t} task(s)", f"notify.detached.t{t}.per_s", 0)
        spread(f"NEW_LISTENER fd, {t} task(s)", f"notify.listener.t{t}.per_s", 0)
        spread(f"detached, zygote tree, {t} task(s)", f"notify.detached_zygote.t{t}.per_s", 0)
        row(f"detached / NEW_LISTENER, {t} task(s)", f"notify.t{t}.detached_vs_listener", 3)
        row(f"detached (zygote) / NEW_LISTENER, {t}", f"notify.t{t}.detached_zygote_vs_listener", 3)

    print(f"\n{'hot path, ns per call':44}" + "".join(
        f"{h:>{w}}" for h in ("allow TCG", "icount", "args TCG", "icount", "deny TCG", "icount")))
    print(f"(profile: {tcg.get('hotpath.tree.insns')} insns as libsfd and runc build it, binary tree; "
          f"{tcg.get('hotpath.linear.insns')} insns linear)")
    for m, label in (("unfiltered", "unfiltered"), ("B", "B  loaded, tree (runc's program)"),
                     ("C", "C  attached, tree"), ("linear_B", "linear, loaded"),
                     ("linear_C", "linear, attached")):
        print(f"{label:44}" + "".join(f"{fmt(num(d, f'hotpath.{m}.{k}_ns'), 0):>{w}}"
                                      for k in ("allowed", "argcheck", "denied") for _, d in runs))

    print(f"\n{'1,000 containers (scale), kernel memory kB':44}" + "".join(f"{n:>{w}}" for n, _ in runs))
    for m in ("B", "C"):
        for k in ("Slab", "VmallocUsed", "Percpu", "jit_packs", "bpf_progs", "kernel_total",
                  "kernel_per_container", "apply_total", "apply_per_container",
                  "apply_jit_packs", "apply_bpf_progs"):
            row(f"{m} {k}", f"scale.{m}.mem_kb.{k}", 2 if k.endswith("per_container") else 0)
        row(f"{m} fdinfo nodes", f"scale.{m}.fdinfo_nodes", 0)
    row("baseline noise (none2 - none) kernel_total", "scale.none2.mem_kb.kernel_total", 0)
    row("baseline noise (none2 - none) apply_total", "scale.none2.mem_kb.apply_total", 0)
    cells = ""
    for _, d in runs:
        c = max(num(d, "scale.C.mem_kb.apply_total"), abs(num(d, "scale.none2.mem_kb.apply_total")), 4)
        cells += f"{fmt(num(d, 'scale.B.mem_kb.apply_total') / c, 0):>{w}}"
    print(f"{'B / C apply memory (C at least |noise|, 4 kB)':44}{cells}")
    print(f"\n{'JIT limit (unprivileged containers)':44}" + "".join(f"{n:>{w}}" for n, _ in runs))
    row("net.core.bpf_jit_limit default, bytes", "scale.jit_limit_default", 0)
    row("set to, bytes", "scale.jit_limit_set", 0)
    row("personality ns: JITed reference", "scale.ref.jit_personality_ns", 0)
    row("personality ns: interpreted reference", "scale.ref.interp_personality_ns", 0)
    row("BPF_JIT_ALWAYS_ON (no interpreter)", "scale.jit_always_on", 0)
    for m in ("B", "C"):
        row(f"{m}: seccomp() failures", f"scale.limit.{m}.load_failures", 0)
        row(f"{m}: first failure (0-based)", f"scale.limit.{m}.first_failure_index", 0)
        row(f"{m}: its errno (524 = ENOTSUPP)", f"scale.limit.{m}.first_failure_errno", 0)
        row(f"{m}: attach failures", f"scale.limit.{m}.attach_failures", 0)
        row(f"{m}: containers left interpreted", f"scale.limit.{m}.interpreted", 0)
        row(f"{m}: first interpreted (0-based)", f"scale.limit.{m}.first_interpreted_index", 0)
    row("B at the default limit: interpreted", "scale.B.interpreted", 0)


def plot_data(path, tcg, ic):
    """Blocks for plot.gp: label, TCG value, icount value."""
    blocks = [
        ("apply per container, us (churn)", [
            ("A", "churn.A.apply_us.median"), ("B", "churn.B.apply_us.median"),
            ("C", "churn.C.apply_us.median"), ("getpid", None)]),
        ("spawns per second", [(m, f"spawn.{m}.per_s") for m in
                               ("none", "A", "B", "C", "helper_none", "helper_C")]),
        ("notification round trips per second", [
            ("detached,1", "notify.detached.t1.per_s.median"),
            ("listener,1", "notify.listener.t1.per_s.median"),
            ("detached,4", "notify.detached.t4.per_s.median"),
            ("listener,4", "notify.listener.t4.per_s.median")]),
        ("kernel memory of 1,000 containers, kB", [
            ("B", "scale.B.mem_kb.apply_total"), ("C", "scale.C.mem_kb.apply_total"),
            ("|noise|", "scale.none2.mem_kb.apply_total")]),
    ]
    with open(path, "w") as f:
        for title, items in blocks:
            f.write(f"# {title}\n")
            for label, key in items:
                if key is None:    # a null syscall, in us
                    vals = [num(d, "hotpath.unfiltered.allowed_ns") / 1e3 for d in (tcg, ic)]
                elif label == "|noise|":
                    vals = [abs(num(d, key)) for d in (tcg, ic)]
                else:
                    vals = [num(d, key) for d in (tcg, ic)]
                vals = [max(v, 0.01) if not math.isnan(v) else 0.01 for v in vals]
                f.write(f'"{label}" {vals[0]:.6g} {vals[1]:.6g}\n')
            f.write("\n\n")


if __name__ == "__main__":
    main()
