#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The bench's report: ratios to the baseline, the targets, a plot.

    report.py [--png FILE] [--clock instructions|time] CONSOLE_LOG

Reads the "bench CONFIG ROUND CALL VALUE MIN MAX" and "events ..." lines
that vm/lane-bench.sh printed. Every ratio is taken within one round
(a configuration against "none" of the same round, so a slow stretch of
the host cancels out), then summed up over the rounds as the median and
the least and greatest round. A target is "met" or "missed" only when
every round says so; otherwise it is "undecided".

Exits non-zero only if a configuration is missing from a round: a
benchmark prints, it does not judge numbers.
"""
import argparse
import statistics
import sys

CONFIGS = [
    ("none", "no module (the baseline)"),
    ("seccomp", "seccomp filter: gvisor's clone/unshare flags, clone3 ENOSYS"),
    ("floor", "empty ftrace callback on the same functions"),
    ("off", "clonegate, mode off"),
    ("audit", "clonegate, audit, default events"),
    ("enforce", "clonegate, enforce, default events"),
    ("enforce_quiet", "clonegate, enforce, no events"),
    ("events", "clonegate, enforce, every decision an event, a reader"),
    ("events_dev", "the same, /dev/clonegate the only channel"),
    ("events_bare", "the same, no context fields (denied clone3 only)"),
    ("events_map", "events_dev, the rings mapped by the reader "
     "(denied clone3 only)"),
    ("scopes64", "clonegate, enforce, 64 scopes, the caller 4 levels down"),
    ("kprobe", "clonegate, enforce, hook_backend=kprobe"),
]
CALLS = [
    ("fork", "fork+exit+wait"),
    ("thread", "pthread create+join"),
    ("unshare0", "unshare(0)"),
    ("denied_clone3", "denied clone3"),
    ("getppid", "getppid (not hooked)"),
]


def parse(path):
    """{(config, round, call): value}, [events lines as dicts]"""
    runs, events = {}, []
    with open(path, "rb") as f:
        for raw in f:
            words = raw.decode("utf-8", "replace").split()
            if len(words) == 7 and words[0] == "bench":
                _, config, rnd, call, value, _, _ = words
                runs[(config, int(rnd), call)] = float(value)
            elif len(words) == 13 and words[0] in ("events", "events_map"):
                e = {words[i]: int(words[i + 1]) for i in range(1, 13, 2)}
                e["reader"] = "mapped" if words[0] == "events_map" else "read"
                events.append(e)
    return runs, events


def spread(values):
    """(median, least, greatest)"""
    return statistics.median(values), min(values), max(values)


def per_round(runs, rounds, f):
    """f(round) for every round where it is defined"""
    out = []
    for r in rounds:
        try:
            out.append(f(r))
        except KeyError:
            pass
    return out


def verdict(values, ok):
    """met if ok in every round, missed if in none, else undecided"""
    hits = [ok(v) for v in values]
    if values and all(hits):
        return "met"
    if values and not any(hits):
        return "MISSED"
    return "undecided"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--png")
    ap.add_argument("--clock", default="instructions")
    args = ap.parse_args()
    runs, events = parse(args.log)
    rounds = sorted({r for (_, r, _) in runs})
    unit = "instructions" if args.clock == "instructions" else "ns"
    missing = [(c, r) for c, _ in CONFIGS for r in rounds
               if not any((c, r, call) in runs for call, _ in CALLS)]
    if not rounds:
        print("not ok - bench: no results in the console log")
        return 1

    def v(c, r, call):
        return runs[(c, r, call)]

    print(f"# {len(rounds)} rounds; per call: {unit} (median over batches);")
    print("# ratio to 'none' of the same round: median [least, greatest]"
          " over rounds")
    head = "# %-14s" % "" + "".join("%-25s" % n for _, n in CALLS)
    print(head)
    table = {}
    for c, _ in CONFIGS:
        line = "# %-14s" % c
        for call, _ in CALLS:
            ratios = per_round(runs, rounds,
                               lambda r: v(c, r, call) / v("none", r, call))
            if not ratios:
                line += "%-25s" % "-"
                continue
            m, lo, hi = spread(ratios)
            table[(c, call)] = (m, lo, hi)
            line += "%-25s" % ("%.4f [%.4f, %.4f]" % (m, lo, hi))
        print(line)
    print(f"# absolute, {unit} per call (median over rounds):")
    for c, _ in CONFIGS:
        vals = []
        for call, _ in CALLS:
            xs = per_round(runs, rounds, lambda r: v(c, r, call))
            vals.append("%-25s" % ("%.1f" % statistics.median(xs) if xs else "-"))
        print("# %-14s" % c + "".join(vals))

    def added(c, r, call):
        return v(c, r, call) - v("none", r, call)

    print("# added cost, " + unit + " per call over 'none' "
          "(median [least, greatest]):")
    for c, _ in CONFIGS[1:]:
        parts = []
        for call, _ in CALLS:
            xs = per_round(runs, rounds, lambda r: added(c, r, call))
            parts.append("%-25s" % ("%+.1f [%+.1f, %+.1f]" % spread(xs)
                                    if xs else "-"))
        print("# %-14s" % c + "".join(parts))

    # --- the targets of the cost issue -----------------------------------
    print("# targets (each ratio per round; met/missed only if every round "
          "agrees):")
    targets = []

    def target(name, values, ok, fmt="%.3f"):
        if not values:
            targets.append((name, "not measured", ""))
            return
        m, lo, hi = spread(values)
        targets.append((name, verdict(values, ok),
                        (fmt + " [" + fmt + ", " + fmt + "]") % (m, lo, hi)))

    for c in ("audit", "enforce", "kprobe"):
        target(f"unshare(0): {c} added <= seccomp added",
               per_round(runs, rounds, lambda r: added(c, r, "unshare0") /
                         added("seccomp", r, "unshare0")),
               lambda x: x <= 1.0)
        target(f"unshare(0): {c} added <= 2 x floor added",
               per_round(runs, rounds, lambda r: added(c, r, "unshare0") /
                         added("floor", r, "unshare0")),
               lambda x: x <= 2.0)
    for c in ("audit", "enforce", "scopes64"):
        target(f"fork+exit+wait: {c} within 1%",
               per_round(runs, rounds, lambda r: v(c, r, "fork") /
                         v("none", r, "fork")),
               lambda x: x <= 1.01, "%.4f")
        target(f"thread create: {c} within 3%",
               per_round(runs, rounds, lambda r: v(c, r, "thread") /
                         v("none", r, "thread")),
               lambda x: x <= 1.03, "%.4f")
    for c in ("floor", "audit", "enforce", "events", "scopes64"):
        target(f"getppid: {c} costs nothing extra",
               per_round(runs, rounds, lambda r: added(c, r, "getppid")),
               lambda x: x <= 0.5, "%+.1f")
    for c in ("events", "events_dev", "events_bare", "events_map"):
        target(f"denied clone3: {c} / enforce_quiet <= 2",
               per_round(runs, rounds, lambda r: v(c, r, "denied_clone3") /
                         v("enforce_quiet", r, "denied_clone3")),
               lambda x: x <= 2.0)
    target("denied clone3: enforce (default events) / enforce_quiet <= 2",
           per_round(runs, rounds, lambda r: v("enforce", r, "denied_clone3") /
                     v("enforce_quiet", r, "denied_clone3")),
           lambda x: x <= 2.0)
    for name, result, value in targets:
        print("# %-62s %-10s %s" % (name, result, value))

    # --- the events channel ------------------------------------------------
    for reader in ("read", "mapped"):
        these = [e for e in events if e["reader"] == reader]
        if not these:
            continue
        print("# /dev/clonegate with a reader (%s), denied clone3 calls, "
              "no rate limit, channel dev only:" % reader)
        for i, e in enumerate(these, 1):
            exact = e["emitted"] == e["delivered"] + e["dropped"]
            print("# round %d: %d calls, emitted %d = delivered %d + dropped "
                  "%d %s; %d records/s" %
                  (i, e["calls"], e["emitted"], e["delivered"], e["dropped"],
                   "(exact)" if exact else "(NOT EXACT)", e["per_s"]))
        rates = [e["per_s"] for e in these]
        print("# events delivered per second of guest %s (%s): %d [%d, %d]" %
              ("time (1 instruction = 1 ns)" if unit == "instructions"
               else "time", reader, *spread(rates)))

    if args.png:
        plot(args.png, table, unit, len(rounds))

    if missing:
        for c, r in missing:
            print(f"not ok - bench: configuration {c} did not run in round {r}")
        return 1
    return 0


def plot(path, table, unit, nrounds):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = [c for c, _ in CONFIGS[1:] if any((c, k) in table
                                               for k, _ in CALLS)]
    fig, ax = plt.subplots(figsize=(12, 6.5))
    width = 0.8 / max(len(configs), 1)
    for i, c in enumerate(configs):
        xs, ys, lo, hi = [], [], [], []
        for j, (call, _) in enumerate(CALLS):
            if (c, call) not in table:
                continue
            m, a, b = table[(c, call)]
            xs.append(j + (i - (len(configs) - 1) / 2) * width)
            ys.append(m)
            lo.append(m - a)
            hi.append(b - m)
        # tab20: one colour per configuration (tab10 has ten, too few)
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2,
               color=plt.get_cmap("tab20")(i % 20), label=dict(CONFIGS)[c])
    ax.axhline(1.0, color="black", linewidth=0.8)
    # the events configurations cost tens of times more: a log scale keeps
    # a ratio of 1.05 visible beside one of 38
    ax.set_yscale("log")
    ax.set_xticks(range(len(CALLS)))
    ax.set_xticklabels([n for _, n in CALLS])
    ax.set_ylabel(f"{unit} per call / no module (same round)")
    ax.set_title(f"clonegate: cost per call, ratio to no module; median and "
                 f"range of {nrounds} rounds")
    ax.legend(fontsize=7, ncol=3, loc="upper center",
              bbox_to_anchor=(0.5, -0.07))
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
