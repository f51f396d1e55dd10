#!/usr/bin/env python3
"""Wall-clock timings of one negotiation, from the JSON that Google Benchmark writes for
benchmarks/kshake_bench (tools/bench.sh runs it with random interleaving and several
repetitions, reporting aggregates only): the median of the repetitions, in ns, of each
implementation, route count and case.

  python3 tools/bench_timings.py TIMINGS.json [--csv benchmarks/results/timings.csv]
                                 [--doc docs/benchmarks.md] [--no-csv] [--compiler TEXT]

Writes the CSV (one row per implementation, N and case: the median and the coefficient of
variation of the wall-clock and CPU times) and the "timings" block of --doc: for the average over
all routes and the unknown id at each N, and negotiate_first's 1, 2 and 3 offers, the medians of
kshake, best C (the C pattern with the lowest median there, named) and the floor. These figures
are secondary: on a shared machine they move from run to run, and best C is the luckiest pattern
of that run; tools/bench_instructions.py's instruction counts are the ones to quote.
"""
import argparse
import csv
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_doc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
from gen_routes import PATTERNS  # noqa: E402

ROUND_TRIP = re.compile(r"^([a-z_]+)/N=(\d+)/([a-z]+)$")
FALL_THROUGH = re.compile(r"^([a-z_]+)/negotiate_first/offers=(\d)$")
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def read(path):
    """{(implementation, N, case): {aggregate: {"real": ns, "cpu": ns}}} and the run's context."""
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "aggregate":
            continue
        m = ROUND_TRIP.match(b["run_name"])
        if m:
            key = (m.group(1), int(m.group(2)), m.group(3))
        else:
            m = FALL_THROUGH.match(b["run_name"])
            if not m:
                continue
            key = (m.group(1), 4, "fallthrough" + m.group(2))
        agg = runs.setdefault(key, {"repetitions": b.get("repetitions")})
        if b.get("aggregate_unit", "time") == "percentage":  # the coefficient of variation
            agg[b["aggregate_name"]] = {"real": b["real_time"] * 100, "cpu": b["cpu_time"] * 100}
        else:
            scale = TO_NS[b.get("time_unit", "ns")]
            agg[b["aggregate_name"]] = {"real": b["real_time"] * scale,
                                        "cpu": b["cpu_time"] * scale}
    return runs, data.get("context", {})


def table(runs):
    """Rows (case, N, kshake, best C, its pattern, floor) of medians of wall-clock ns."""
    median = lambda key: runs[key]["median"]["real"] if key in runs else None
    counts = sorted({n for (impl, n, case) in runs if impl == "kshake" and case == "all"})
    rows = []
    for case in ("all", "unknown", "fallthrough1", "fallthrough2", "fallthrough3"):
        for n in (counts if case in ("all", "unknown") else [4]):
            c = {p: median((p, n, case)) for p in PATTERNS if median((p, n, case)) is not None}
            if ("kshake", n, case) not in runs or not c:
                continue
            best = min(c, key=c.get)
            floor = None
            if case in ("all", "unknown"):
                floor = median(("floor", 1, "hit" if case == "all" else "unknown"))
            rows.append((case, n, median(("kshake", n, case)), c[best], best, floor))
    return rows


CASE_TEXT = {"all": "average over all routes", "unknown": "unknown id",
             "fallthrough1": "negotiate_first, 1 offer",
             "fallthrough2": "negotiate_first, 2 offers",
             "fallthrough3": "negotiate_first, 3 offers"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="Google Benchmark's --benchmark_out JSON")
    parser.add_argument("--csv", default=os.path.join(ROOT, "benchmarks", "results",
                                                      "timings.csv"))
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--no-csv", action="store_true", help="write neither the CSV nor --doc")
    parser.add_argument("--compiler", default="g++",
                        help="the compiler that built kshake_bench, for the caption")
    args = parser.parse_args()

    runs, context = read(args.json)
    if not runs:
        sys.exit("bench_timings: no aggregate in %s (run with --benchmark_repetitions)" % args.json)
    rows = table(runs)
    repetitions = sorted({r["repetitions"] for r in runs.values() if r.get("repetitions")})
    load = context.get("load_avg") or []

    caption = (
        "Wall-clock time of one negotiation, median of %s interleaved repetitions (Google "
        "Benchmark, random interleaving), in ns. %s build only (-O2), %d CPUs at %s MHz; load "
        "average %s when the run started. Best C is the C pattern with the lowest median at that N "
        "and case in this run. Noisy on a shared machine: the instruction counts above are the "
        "figures to quote." % (
            "/".join(str(r) for r in repetitions) or "?", args.compiler,
            context.get("num_cpus", 0), context.get("mhz_per_cpu", "?"),
            ", ".join("%.2f" % x for x in load) or "unknown"))
    md = [caption, "",
          "| case | N | kshake | best C | pattern | floor | kshake / best C |",
          "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    print(caption)
    print("%-26s %5s %8s %8s %-13s %8s %8s" % ("case", "N", "kshake", "best C", "pattern", "floor",
                                              "k/bestC"))
    for case, n, k, c, pattern, floor in rows:
        print("%-26s %5d %8.2f %8.2f %-13s %8s %8.3f" % (
            CASE_TEXT[case], n, k, c, pattern, "" if floor is None else "%.2f" % floor, k / c))
        md.append("| %s | %d | %.2f | %.2f | %s | %s | %.3f |" % (
            CASE_TEXT[case], n, k, c, pattern.replace("_", "\\_"),
            "–" if floor is None else "%.2f" % floor, k / c))

    if not args.no_csv:
        os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["compiler", "implementation", "case", "routes", "repetitions",
                        "median_real_ns", "median_cpu_ns", "cv_real_percent", "cv_cpu_percent"])
            order = ["kshake"] + PATTERNS + ["floor"]
            for key in sorted(runs, key=lambda k: (order.index(k[0]) if k[0] in order else 99,
                                                   k[2], k[1])):
                r = runs[key]
                cv = r.get("cv", {})
                w.writerow([args.compiler, key[0], key[2], key[1], r.get("repetitions", ""),
                            "%.3f" % r["median"]["real"], "%.3f" % r["median"]["cpu"],
                            "%.2f" % cv["real"] if cv else "", "%.2f" % cv["cpu"] if cv else ""])
        print("wrote", os.path.relpath(args.csv, os.getcwd()))
        if bench_doc.replace_block(args.doc, "timings", "\n".join(md)):
            print("updated", os.path.relpath(args.doc, os.getcwd()))
        else:
            print("bench_timings: %s has no timings block (<!-- timings:begin ... -->, "
                  "<!-- timings:end -->); the table is printed above" % os.path.relpath(
                      args.doc, os.getcwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
