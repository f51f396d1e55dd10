#!/usr/bin/env python3
"""Instructions per negotiation, kshake against the hand-written C baseline, under callgrind.

Builds benchmarks/kshake_count (Meson, -Dbenchmarks=true, the project's flags: debugoptimized =
-O2 -g, -fno-exceptions -fno-rtti), runs it once under
    valgrind --tool=callgrind --collect-atstart=no
where each case brackets its measured loop (2048 round trips) with callgrind client requests and
dumps its own counts, so start-up and set-up are never counted. A case's figure is
    (instructions of its loop - instructions of the same loop calling an empty function) / 2048,
i.e. the initiator's call, the transport's call through the peer's callback pointer, the
responder and the initiator's checks: one full round trip.

Prints the table, writes the CSV (default benchmarks/results/instructions.csv) and with --check
exits 1 when a target of issue 6 is missed:
    N=1 full round trip:            kshake <= 1.05 x C
    N=64 average over all routes:   kshake <= 0.35 x C
    N=64 unknown id:                kshake <= 0.15 x C
    flat dispatch:                  kshake at N=1024 <= 1.3 x kshake at N=1 (every hit case
                                    against N=1's round trip, and unknown against unknown)
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_doc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = ["first", "middle", "last", "all", "unknown"]
CASE_TEXT = {
    "first": "first route",
    "middle": "middle route",
    "last": "last route",
    "all": "average over all routes",
    "unknown": "unknown id",
    "first1": "negotiate_first, 1 offer",
    "first2": "negotiate_first, 2 offers",
    "first3": "negotiate_first, 3 offers",
}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# The project's optimisation (debugoptimized: -O2) without -g, which changes no instruction
# and nearly halves the build of the 1024-route sources.
OPTIONS = ["-Dbenchmarks=true", "-Dtests=false", "-Dexamples=false", "-Doptimization=2",
           "-Ddebug=false"]


def build(build_dir, env):
    if not os.path.isdir(os.path.join(build_dir, "meson-private")):
        run(["meson", "setup", build_dir] + OPTIONS, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    else:
        run(["meson", "configure", build_dir] + OPTIONS, cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL)
    run(["meson", "compile", "-C", build_dir, "kshake_count"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL)


def compiler_of(build_dir):
    """The C++ compiler that built the kshake sources, as `--version` names it."""
    try:
        with open(os.path.join(build_dir, "meson-info", "intro-targets.json")) as f:
            targets = json.load(f)
        for target in targets:
            for source in target.get("target_sources", []):
                if source.get("language") == "cpp":
                    exe = source["compiler"]
                    out = subprocess.run(exe + ["--version"], capture_output=True, text=True)
                    return out.stdout.splitlines()[0].strip()
    except (OSError, KeyError, ValueError, IndexError):
        pass
    return "unknown compiler"


def measure(binary):
    with tempfile.TemporaryDirectory(prefix="kshake-callgrind-") as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             "--callgrind-out-file=" + os.path.join(tmp, "callgrind.out.%p"), binary],
            check=False, capture_output=True, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            sys.exit("bench_instructions: kshake_count failed (exit %d)" % out.returncode)
        iterations = {}
        for line in out.stdout.splitlines():
            name, count = line.split()
            iterations[name] = int(count)
        totals = {}
        for path in glob.glob(os.path.join(tmp, "callgrind.out.*")):
            name = summary = None
            with open(path) as f:
                for line in f:
                    m = re.match(r"desc: Trigger: Client Request: (\S+)", line)
                    if m:
                        name = m.group(1)
                    elif line.startswith("summary:"):
                        summary = int(line.split()[1])
                        break
            if name is not None and summary is not None:
                totals[name] = summary
    missing = set(iterations) - set(totals)
    if missing:
        sys.exit("bench_instructions: no callgrind dump for " + ", ".join(sorted(missing)))
    empty = totals["empty:0:empty"] / iterations["empty:0:empty"]
    per_call = {}
    for name, total in totals.items():
        impl, routes, case = name.split(":")
        if impl == "empty":
            continue
        per_call[(impl, int(routes), case)] = total / iterations[name] - empty
    return per_call, empty


def rows_of(per_call):
    rows = []
    counts = sorted({n for (impl, n, case) in per_call if not case.startswith("first") or case == "first"})
    for case in CASES:
        for n in counts:
            if (("kshake", n, case) in per_call) and ("c", n, case) in per_call:
                rows.append((case, n, per_call[("kshake", n, case)], per_call[("c", n, case)]))
    for k in (1, 2, 3):
        case = "first%d" % k
        if ("kshake", 4, case) in per_call:
            rows.append((case, 4, per_call[("kshake", 4, case)], per_call[("c", 4, case)]))
    return rows


def checks(per_call):
    k = lambda n, case: per_call[("kshake", n, case)]
    c = lambda n, case: per_call[("c", n, case)]
    out = [
        ("N=1 round trip: kshake <= 1.05 x C", k(1, "first"), 1.05 * c(1, "first")),
        ("N=64 all routes: kshake <= 0.35 x C", k(64, "all"), 0.35 * c(64, "all")),
        ("N=64 unknown id: kshake <= 0.15 x C", k(64, "unknown"), 0.15 * c(64, "unknown")),
    ]
    for case in ("first", "middle", "last", "all"):
        out.append(("flat: kshake N=1024 %s <= 1.3 x N=1 round trip" % case, k(1024, case),
                    1.3 * k(1, "first")))
    out.append(("flat: kshake N=1024 unknown <= 1.3 x N=1 unknown", k(1024, "unknown"),
                1.3 * k(1, "unknown")))
    return out


def main():
    parser = argparse.ArgumentParser(description="kshake vs C: instructions per negotiation")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--csv", default=os.path.join(ROOT, "benchmarks", "results",
                                                      "instructions.csv"))
    parser.add_argument("--no-csv", action="store_true",
                        help="write neither the CSV nor the table in --doc")
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"),
                        help="Markdown file whose generated table block is replaced")
    parser.add_argument("--no-build", action="store_true", help="use the binary as it is")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("CXX", "g++")
    env.setdefault("CC", "gcc")
    build_dir = os.path.abspath(args.build_dir)
    if not args.no_build:
        build(build_dir, env)
    binary = os.path.join(build_dir, "benchmarks", "kshake_count")
    per_call, empty = measure(binary)
    compiler = compiler_of(build_dir)
    rows = rows_of(per_call)

    print("Instructions per negotiation (callgrind Ir, full round trip; %s, -O2 "
          "-fno-exceptions -fno-rtti; harness loop of %.1f subtracted)" % (compiler, empty))
    print("%-26s %5s %10s %10s %7s" % ("case", "N", "kshake", "C", "ratio"))
    for case, n, kv, cv in rows:
        print("%-26s %5d %10.1f %10.1f %7.3f" % (CASE_TEXT[case], n, kv, cv, kv / cv))

    if not args.no_csv:
        os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["case", "routes", "kshake_instructions", "c_instructions", "ratio",
                        "compiler"])
            for case, n, kv, cv in rows:
                w.writerow([case, n, "%.1f" % kv, "%.1f" % cv, "%.3f" % (kv / cv), compiler])
        print("wrote", os.path.relpath(args.csv, os.getcwd()))

    missed = 0
    print()
    lines = []
    for text, value, limit in checks(per_call):
        ok = value <= limit
        missed += not ok
        print("%-4s %-52s %8.1f <= %8.1f" % ("ok" if ok else "MISS", text, value, limit))
        lines.append("| %s | %.1f | %.1f | %s |" % (text.replace("<=", "≤"), value, limit,
                                                     "met" if ok else "**missed**"))

    if not args.no_csv:
        table = ["Compiler: %s, -O2 -fno-exceptions -fno-rtti. Harness loop (%.1f instructions) "
                 "subtracted." % (compiler, empty), "",
                 "| case | N | kshake | C | kshake / C |", "| --- | ---: | ---: | ---: | ---: |"]
        for case, n, kv, cv in rows:
            table.append("| %s | %d | %.1f | %.1f | %.3f |" % (CASE_TEXT[case], n, kv, cv, kv / cv))
        table += ["", "| target | kshake | limit | |", "| --- | ---: | ---: | --- |"] + lines
        if bench_doc.replace_block(args.doc, "instructions", "\n".join(table)):
            print("updated", os.path.relpath(args.doc, os.getcwd()))
    if args.check and missed:
        print("bench_instructions: %d target(s) missed" % missed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
