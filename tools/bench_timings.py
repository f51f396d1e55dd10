#!/usr/bin/env python3
"""Wall-clock timings of one negotiation, from the JSON that Google Benchmark writes for
benchmarks/kshake_bench (tools/bench.sh runs it with random interleaving and several
repetitions, reporting aggregates only): the median of the repetitions, in ns, of each
implementation, route count and case; or (--target) the wall-clock target of issue 24 measured
for g++ 12 and clang-19.

  python3 tools/bench_timings.py TIMINGS.json [--csv benchmarks/results/timings.csv]
                                 [--doc docs/benchmarks.md] [--no-csv] [--compiler TEXT]
  python3 tools/bench_timings.py --target [--compiler gcc|clang|both] [--runs 5]
                                 [--repetitions 10] [--min-time 0.02] [--no-build] [--no-csv]

--target: the target is kshake's hit at most 1.1 x the best C in wall-clock time for N = 1, 4
and 16, on both compilers. Method:
  * the binary is benchmarks/kshake_bench_target (Meson, -Dbenchmarks=true, the project's
    -O2 flags, built like tools/bench_instructions.py's kshake_count: g++/gcc in build/bench,
    clang++-19/clang-19 in build/bench-clang, a directory configured with the other compiler
    being wiped first): the same bench_main.cpp, generated sources and Google Benchmark
    (Debian's libbenchmark, which clang++-19 links too) as kshake_bench, for N = 1, 4 and 16
    alone;
  * it times kshake and every C pattern (chain, inline_chain, switch, bsearch) on the hit cases,
    each the same route offered over and over (the first, middle and last route; N = 1 has one),
    and, reported beside them but not part of the target, the unknown id and the shuffled routes
    (4096 offers in a fixed pseudo-random order, as the independent benchmark of issue 24 averaged
    its hits);
  * one process runs every benchmark --repetitions times, all interleaved at random
    (--benchmark_enable_random_interleaving), each repetition --min-time seconds; --runs
    processes per compiler, the compilers alternating;
  * per run, an implementation's time is the median of its repetitions; its figure is the median
    over the runs. Best C is the pattern with the lowest figure (per compiler, N and case), and
    kshake / best C is the median over the runs of the two run medians' ratio, printed with the
    range of the runs' ratios;
  * a compiler and N meet the target when every hit case's ratio is at most 1.1.
The target is reported, never gated (exit status 0 whatever the ratios): wall-clock time on a
shared machine is no test. Unless --no-csv, writes benchmarks/results/timings.target.csv (one row
per compiler, N, case and implementation) and benchmarks/results/timings.target.txt (the report).
About 18 s a run and compiler with the defaults, so about 3 minutes, plus the build of a fresh
build directory (seconds: no 1024-route source).

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
import statistics
import subprocess
import sys
import tempfile

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


# --target builds in bench_instructions.py's directories, with its compilers and options.
from bench_instructions import COMPILERS, OPTIONS, configured_compilers  # noqa: E402

TARGET_COUNTS = [1, 4, 16]
TARGET_LIMIT = 1.1
HITS = ["first", "middle", "last"]
REPORTED = ["unknown", "shuffled"]


def build_target(build_dir, compiler):
    """Configures build_dir for `compiler` as bench_instructions.py does, then builds
    kshake_bench_target; returns the binary."""
    env = dict(os.environ, CXX=COMPILERS[compiler]["CXX"], CC=COMPILERS[compiler]["CC"])
    quiet = {"cwd": ROOT, "env": env, "stdout": subprocess.DEVNULL, "check": True}
    if os.path.isdir(os.path.join(build_dir, "meson-private")):
        have = configured_compilers(build_dir)
        want = {"cpp": env["CXX"], "c": env["CC"]}
        if any(os.path.basename(have[lang][0]) != want[lang] for lang in want if lang in have):
            print("bench_timings: %s was configured with %s; configuring it again for %s"
                  % (build_dir, " and ".join(have[lang][0] for lang in sorted(have)), compiler))
            subprocess.run(["meson", "setup", "--wipe", build_dir] + OPTIONS, **quiet)
        else:
            subprocess.run(["meson", "configure", build_dir] + OPTIONS, **quiet)
    else:
        subprocess.run(["meson", "setup", build_dir] + OPTIONS, **quiet)
    subprocess.run(["meson", "compile", "-C", build_dir, "kshake_bench_target"], **quiet)
    return os.path.join(build_dir, "benchmarks", "kshake_bench_target")


def compiler_version(compiler):
    out = subprocess.run([COMPILERS[compiler]["CXX"], "--version"], capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()[0] if out else COMPILERS[compiler]["CXX"]


def run_target(binary, repetitions, min_time):
    """One process: every benchmark `repetitions` times, interleaved at random. Returns
    ({(implementation, N, case): median ns of the repetitions}, repetitions seen, load average)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([binary, "--benchmark_enable_random_interleaving=true",
                        "--benchmark_repetitions=%d" % repetitions,
                        "--benchmark_min_time=%g" % min_time,
                        "--benchmark_out=" + out.name, "--benchmark_out_format=json"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        with open(out.name) as f:
            data = json.load(f)
    times = {}
    for b in data.get("benchmarks", []):
        m = ROUND_TRIP.match(b.get("run_name", ""))
        if b.get("run_type") != "iteration" or not m:
            continue
        key = (m.group(1), int(m.group(2)), m.group(3))
        times.setdefault(key, []).append(b["real_time"] * TO_NS[b.get("time_unit", "ns")])
    seen = sorted({len(v) for v in times.values()})
    return ({k: statistics.median(v) for k, v in times.items()}, seen,
            data.get("context", {}).get("load_avg") or [])


def source_state():
    """The commit measured, and whether include/ or benchmarks/ (but its results) differ from it."""
    def git(*args):
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True,
                              text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "include", "benchmarks", ":!benchmarks/results")
    return commit + (" with uncommitted changes under include/ or benchmarks/" if dirty else "")


def target_rows(runs):
    """Per N and case: (N, case, kshake figure, best C figure, best pattern, ratio, lowest and
    highest run ratio) from a compiler's runs (each {key: median ns})."""
    figure = lambda key: statistics.median(r[key] for r in runs)
    rows = []
    for n in TARGET_COUNTS:
        for case in HITS + REPORTED:
            if ("kshake", n, case) not in runs[0]:
                continue  # N = 1: one route is first, middle and last; nothing to shuffle
            c = {p: figure((p, n, case)) for p in PATTERNS if (p, n, case) in runs[0]}
            best = min(c, key=c.get)
            ratios = [r[("kshake", n, case)] / r[(best, n, case)] for r in runs]
            rows.append((n, case, figure(("kshake", n, case)), c[best], best,
                         statistics.median(ratios), min(ratios), max(ratios)))
    return rows


def target(args):
    compilers = ["gcc", "clang"] if args.compiler in (None, "both") else [args.compiler]
    for c in compilers:
        if c not in COMPILERS:
            sys.exit("bench_timings: --target --compiler is gcc, clang or both, not %r" % c)
    dirs = {"gcc": args.build_dir, "clang": args.build_dir + "-clang"}
    binaries, versions = {}, {}
    for c in compilers:
        binaries[c] = (os.path.join(dirs[c], "benchmarks", "kshake_bench_target") if args.no_build
                       else build_target(dirs[c], c))
        versions[c] = compiler_version(c)
    runs = {c: [] for c in compilers}
    repetitions, loads = set(), []
    for r in range(args.runs):
        for c in compilers:
            print("bench_timings: run %d of %d, %s" % (r + 1, args.runs, COMPILERS[c]["label"]),
                  file=sys.stderr, flush=True)
            medians, seen, load = run_target(binaries[c], args.repetitions, args.min_time)
            runs[c].append(medians)
            repetitions.update(seen)
            loads.append(load[0] if load else None)

    lines = [
        "Wall-clock target (issue 24): kshake's hit <= %.1f x the best C at N = %s, each compiler."
        % (TARGET_LIMIT, ", ".join(str(n) for n in TARGET_COUNTS)),
        "%d runs (processes) per compiler, alternating; in each, every implementation and case "
        "interleaved at random, %s repetitions of %g s. ns: the median over the runs of each run's "
        "median. kshake / best C: the median of the runs' ratios [lowest, highest]. Load average "
        "(1 min) at each run's start: %s." % (
            args.runs, "/".join(str(x) for x in sorted(repetitions)), args.min_time,
            ", ".join("?" if x is None else "%.2f" % x for x in loads)),
        "hit = the same route offered over and over; unknown and shuffled are shown, not "
        "part of the target. Sources: commit %s." % source_state(),
    ]
    summary, csv_rows = [], []
    for c in compilers:
        rows = target_rows(runs[c])
        lines += ["", "%s: %s (%s)" % (COMPILERS[c]["label"], versions[c],
                                      os.path.relpath(binaries[c], ROOT)),
                  "%5s  %-9s %8s %8s  %-13s %8s  %-16s %s" % (
                      "N", "case", "kshake", "best C", "pattern", "k/best", "runs' range",
                      "target")]
        verdict = {}
        for n, case, k, best_ns, best, ratio, low, high in rows:
            hit = case in HITS
            if hit:
                verdict.setdefault(n, []).append((ratio, case))
            lines.append("%5d  %-9s %8.2f %8.2f  %-13s %8.3f  %-16s %s" % (
                n, case, k, best_ns, best, ratio, "[%.3f, %.3f]" % (low, high),
                ("ok" if ratio <= TARGET_LIMIT else "MISS") if hit else "(reported)"))
            for impl in ["kshake"] + PATTERNS:
                key = (impl, n, case)
                per_run = [r[key] for r in runs[c] if key in r]
                csv_rows.append([COMPILERS[c]["label"], n, case, impl, len(per_run),
                                 "%.3f" % statistics.median(per_run), "%.3f" % min(per_run),
                                 "%.3f" % max(per_run), "%.4f" % statistics.median(
                                     [r[key] / r[(best, n, case)] for r in runs[c]]),
                                 best])
        for n in TARGET_COUNTS:
            worst, case = max(verdict[n])
            summary.append("%s N=%d: %s (largest hit ratio %.3f, %s route)" % (
                COMPILERS[c]["label"], n, "met" if worst <= TARGET_LIMIT else "MISSED", worst,
                case))
    lines += ["", "Target (kshake / best C <= %.1f for every hit case):" % TARGET_LIMIT]
    lines += ["  " + x for x in summary]
    print("\n".join(lines))
    if not args.no_csv:
        results = os.path.join(ROOT, "benchmarks", "results")
        os.makedirs(results, exist_ok=True)
        with open(os.path.join(results, "timings.target.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["compiler", "routes", "case", "implementation", "runs", "median_ns",
                        "lowest_run_ns", "highest_run_ns", "median_ratio_to_best_c", "best_c"])
            w.writerows(csv_rows)
        with open(os.path.join(results, "timings.target.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("wrote benchmarks/results/timings.target.csv and timings.target.txt")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="?", help="Google Benchmark's --benchmark_out JSON")
    parser.add_argument("--target", action="store_true",
                        help="build and run kshake_bench_target for both compilers and report "
                             "the wall-clock target (see above)")
    parser.add_argument("--runs", type=int, default=5, help="--target: processes per compiler")
    parser.add_argument("--repetitions", type=int, default=10,
                        help="--target: interleaved repetitions per process")
    parser.add_argument("--min-time", type=float, default=0.02,
                        help="--target: seconds per repetition")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"),
                        help="--target: g++'s build directory; clang's is this with -clang")
    parser.add_argument("--no-build", action="store_true",
                        help="--target: use the binaries as they are")
    parser.add_argument("--csv", default=os.path.join(ROOT, "benchmarks", "results",
                                                      "timings.csv"))
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--no-csv", action="store_true", help="write neither the CSV nor --doc")
    parser.add_argument("--compiler", default=None,
                        help="the compiler that built kshake_bench, for the caption (default "
                             "g++); with --target gcc, clang or both (default)")
    args = parser.parse_args()
    if args.target:
        if args.json:
            parser.error("--target runs its own benchmark: give no JSON")
        return target(args)
    if not args.json:
        parser.error("give Google Benchmark's JSON, or --target")
    if args.compiler is None:
        args.compiler = "g++"

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
        "and case in this run. On a shared machine the nanoseconds move from run to run: compare "
        "ratios within one run (the target above is measured that way)." % (
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
