#!/usr/bin/env python3
"""Instructions per negotiation under callgrind: kshake against every hand-written C pattern and
the contract floor, built by g++ 12 and by clang-19, with the targets of issues 16 and 24.

For each compiler (--compiler gcc|clang|both, default both) this builds benchmarks/kshake_count
(Meson, -Dbenchmarks=true, the project's flags: -O2 -fno-exceptions -fno-rtti, without -g, which
changes no instruction) with g++/gcc in build/bench or clang++-19/clang-19 in build/bench-clang,
and runs it once under
    valgrind --tool=callgrind --collect-atstart=no
kshake_count first checks that every implementation makes the same checks and writes
(benchmarks/conformance.c) and gives the same answers for every call, then brackets each case's
measured loop (2048 round trips; for the average over N routes the largest multiple of N up to
2048) with callgrind client requests and dumps its own counts, so start-up and set-up are never
counted. A case's figure is
    (instructions of its loop - instructions of the same loop, of the same length, calling an
     empty function) / calls,
i.e. the initiator's call, the transport's call through the peer's callback pointer, the
responder and the initiator's checks: one full round trip.

Implementations: kshake; the C patterns of benchmarks/gen_routes.py (chain, inline_chain, switch,
bsearch); "best C", the cheapest C pattern at that N and case (the floor is not a pattern); the
contract floor (benchmarks/floor.c), the least code doing exactly what wire contract 1.0 requires
(checks 1 and 2, one id compare, the initiator's zero-fills, exactly STATUS_SUCCESS), whatever N. Cases: first, middle,
last route, all (the average over every route), unknown id, and negotiate_first falling through
1, 2 and 3 offers against a 4-route responder.

Prints per compiler the table, the calls the benchmark code makes into shared libraries (memcmp
for the chain) per negotiation, and every target as ok/MISS with value and limit:
    kshake <= best C                every N, every case (and the three negotiate_first rows)
    kshake <= 1.15 x floor hit      every N, every hit case (first, middle, last, all)
    kshake <= 1.3 x floor unknown   every N, unknown id
    flat                            kshake at N=1024 <= 1.15 x kshake at N=1, each hit case
                                    against N=1's round trip, and unknown against N=1's unknown
--check exits 1 when a target of either compiler is missed. Unless --no-csv, writes the CSV
(default benchmarks/results/instructions.csv; one row per compiler, case and N) and the
"instructions" block of docs/benchmarks.md (--doc).

Build directories: --build-dir DIR is g++'s and DIR-clang is clang's (default build/bench and
build/bench-clang); --build-dir-gcc and --build-dir-clang set either alone. A build directory
configured with another compiler is wiped and configured again. --no-build uses the binaries as
they are.
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_doc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
from gen_routes import PATTERNS  # noqa: E402

COMPILERS = {
    "gcc": {"CXX": "g++", "CC": "gcc", "label": "g++"},
    "clang": {"CXX": "clang++-19", "CC": "clang-19", "label": "clang-19"},
}
HIT_CASES = ["first", "middle", "last", "all"]
CASES = HIT_CASES + ["unknown"]
FALLTHROUGH = ["fallthrough1", "fallthrough2", "fallthrough3"]
CASE_TEXT = {
    "first": "first route",
    "middle": "middle route",
    "last": "last route",
    "all": "average over all routes",
    "unknown": "unknown id",
    "fallthrough1": "negotiate_first, 1 offer",
    "fallthrough2": "negotiate_first, 2 offers",
    "fallthrough3": "negotiate_first, 3 offers",
}
FLOOR_HIT_LIMIT = 1.15
FLOOR_UNKNOWN_LIMIT = 1.3
FLAT_LIMIT = 1.15
FLAT_N = 1024
FLAT = "flat: N=%d <= %g x N=1" % (FLAT_N, FLAT_LIMIT)
FLOOR_UNKNOWN = "kshake <= %g x floor unknown" % FLOOR_UNKNOWN_LIMIT


def gated(compiler, family, case):
    """Every target is gated (a miss fails --check)."""
    del compiler, family, case
    return True

# The project's optimisation (debugoptimized: -O2) without -g, which changes no instruction
# and nearly halves the build of the 1024-route sources.
OPTIONS = ["-Dbenchmarks=true", "-Dtests=false", "-Dexamples=false", "-Doptimization=2",
           "-Ddebug=false"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def configured_compilers(build_dir):
    """{language: compiler command} of a configured build directory (from its targets)."""
    found = {}
    try:
        with open(os.path.join(build_dir, "meson-info", "intro-targets.json")) as f:
            targets = json.load(f)
    except (OSError, ValueError):
        return found
    for target in targets:
        for source in target.get("target_sources", []):
            if source.get("language") in ("c", "cpp") and source.get("compiler"):
                found.setdefault(source["language"], source["compiler"])
    return found


def build(build_dir, compiler):
    env = dict(os.environ, CXX=COMPILERS[compiler]["CXX"], CC=COMPILERS[compiler]["CC"])
    if os.path.isdir(os.path.join(build_dir, "meson-private")):
        have = configured_compilers(build_dir)
        want = {"cpp": env["CXX"], "c": env["CC"]}
        if any(os.path.basename(have[lang][0]) != want[lang] for lang in want if lang in have):
            print("bench_instructions: %s was configured with %s; configuring it again for %s"
                  % (build_dir, " and ".join(have[lang][0] for lang in sorted(have)), compiler))
            run(["meson", "setup", "--wipe", build_dir] + OPTIONS, cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL)
        else:
            run(["meson", "configure", build_dir] + OPTIONS, cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL)
    else:
        run(["meson", "setup", build_dir] + OPTIONS, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    run(["meson", "compile", "-C", build_dir, "kshake_count"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL)


def compiler_version(build_dir):
    """The C++ compiler that built the kshake sources, as `--version` names it."""
    exe = configured_compilers(build_dir).get("cpp")
    if exe:
        out = subprocess.run(exe + ["--version"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout:
            return out.stdout.splitlines()[0].strip()
    return "unknown compiler"


TRIGGER = "desc: Trigger: Client Request: "
NAMED = re.compile(r"(c?)(ob|fn)=\((\d+)\)(?: (.*))?$")


def read_dump(path):
    """A callgrind dump's trigger name, total Ir and the calls made from the benchmark binary into
    shared libraries, by callee."""
    name = summary = None
    names = {}
    current_ob = current_fn = callee_ob = callee_fn = None
    calls = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = NAMED.match(line)
            if m:
                called, kind, ident, text = m.groups()
                if text is not None:
                    names[(kind, ident)] = text
                value = names.get((kind, ident), "?")
                if kind == "ob" and not called:
                    current_ob = value
                    callee_ob = None
                elif kind == "ob":
                    callee_ob = value
                elif kind == "fn" and called:
                    callee_fn = value
                elif kind == "fn":
                    current_fn = value
                    callee_ob = None
                continue
            if line.startswith(TRIGGER):
                name = line[len(TRIGGER):].strip()
            elif line.startswith("summary:"):
                summary = int(line.split()[1])
            elif line.startswith("calls="):
                target_ob = callee_ob if callee_ob is not None else current_ob
                # From the benchmark's code (not from the start-up frames below main) into a
                # shared library.
                if (current_ob is not None and not re.search(r"\.so(\.|$)", current_ob)
                        and current_fn != "(below main)"
                        and target_ob is not None and re.search(r"\.so(\.|$)", target_ob)):
                    count = int(line[len("calls="):].split()[0])
                    calls[callee_fn] = calls.get(callee_fn, 0) + count
                callee_ob = None
    return name, summary, calls


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
        library_calls = {}
        for path in glob.glob(os.path.join(tmp, "callgrind.out.*")):
            name, summary, calls = read_dump(path)
            if name in iterations and summary is not None:  # not the "discard" dumps
                totals[name] = summary
                library_calls[name] = calls
    missing = set(iterations) - set(totals)
    if missing:
        sys.exit("bench_instructions: no callgrind dump for " + ", ".join(sorted(missing)))
    # The empty loop of each length: its instructions per call, and the whole loop's instructions,
    # which are subtracted from every case of that length (so what callgrind's client requests
    # themselves cost, the same in every dump, cancels exactly).
    empty_total = {}
    for name, total in totals.items():
        impl, length, _ = name.split(":")
        if impl == "empty":
            empty_total[int(length)] = total
    per_call = {}
    calls = {}
    for name, total in totals.items():
        impl, routes, case = name.split(":")
        if impl == "empty":
            continue
        length = iterations[name]
        key = (impl, int(routes), case)
        per_call[key] = (total - empty_total[length]) / length
        calls[key] = {fn: count / length for fn, count in library_calls[name].items()}
    # The harness's cost per call, for the record: from two lengths when there are two.
    lengths = sorted(empty_total)
    if len(lengths) > 1:
        empty = (empty_total[lengths[-1]] - empty_total[lengths[0]]) / (lengths[-1] - lengths[0])
    else:
        empty = empty_total[lengths[0]] / lengths[0]
    return per_call, empty, calls


def fmt(value):
    """A figure for a table: an integer as it is, a fraction to three decimals at most (the CSV
    keeps every digit)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return "%d" % value
    return ("%.3f" % value).rstrip("0").rstrip(".")


def exact(value):
    return "" if value is None else format(value, ".12g")


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def rows_of(per_call):
    """One row per case and N: kshake, each pattern, best C, the floor and the ratios."""
    counts = sorted({n for (impl, n, case) in per_call if impl == "kshake" and case in CASES})
    floor = {"hit": per_call[("floor", 1, "hit")], "unknown": per_call[("floor", 1, "unknown")]}
    keys = [(case, n) for case in CASES for n in counts]
    keys += [(case, 4) for case in FALLTHROUGH]
    rows = []
    for case, n in keys:
        c = {p: per_call[(p, n, case)] for p in PATTERNS}
        best = min(c.values())
        row = {
            "case": case, "n": n, "kshake": per_call[("kshake", n, case)], "c": c, "best": best,
            # every pattern at the minimum, in PATTERNS order (ties are shown, not hidden)
            "best_pattern": "/".join(p for p in PATTERNS if c[p] == best),
            "floor": None if case in FALLTHROUGH else floor["unknown" if case == "unknown"
                                                             else "hit"],
        }
        row["vs_best"] = ratio(row["kshake"], best)
        row["vs_floor"] = ratio(row["kshake"], row["floor"])
        rows.append(row)
    return rows


def targets(per_call, rows):
    """(family, case, N, text, value, limit) for every target of one compiler."""
    out = []
    for r in rows:
        case_text = CASE_TEXT[r["case"]]
        out.append(("kshake <= best C", r["case"], r["n"],
                    "N=%d %s: kshake <= best C (%s)" % (r["n"], case_text, r["best_pattern"]),
                    r["kshake"], r["best"]))
    for r in rows:
        if r["case"] in HIT_CASES:
            out.append(("kshake <= %g x floor hit" % FLOOR_HIT_LIMIT, r["case"], r["n"],
                        "N=%d %s: kshake <= %g x floor hit" % (r["n"], CASE_TEXT[r["case"]],
                                                                 FLOOR_HIT_LIMIT),
                        r["kshake"], FLOOR_HIT_LIMIT * r["floor"]))
        elif r["case"] == "unknown":
            out.append((FLOOR_UNKNOWN, r["case"], r["n"],
                        "N=%d unknown id: kshake <= %g x floor unknown" % (r["n"],
                                                                           FLOOR_UNKNOWN_LIMIT),
                        r["kshake"], FLOOR_UNKNOWN_LIMIT * r["floor"]))
    k = lambda n, case: per_call[("kshake", n, case)]
    for case in HIT_CASES:
        out.append((FLAT, case, FLAT_N,
                    "flat: kshake N=%d %s <= %g x N=1 round trip" % (FLAT_N, case, FLAT_LIMIT),
                    k(FLAT_N, case), FLAT_LIMIT * k(1, "first")))
    out.append((FLAT, "unknown", FLAT_N,
                "flat: kshake N=%d unknown <= %g x N=1 unknown" % (FLAT_N, FLAT_LIMIT),
                k(FLAT_N, "unknown"), FLAT_LIMIT * k(1, "unknown")))
    return out


def print_table(label, version, empty, rows):
    print()
    print("== %s: instructions per negotiation (callgrind Ir, full round trip; %s, -O2 "
          "-fno-exceptions -fno-rtti; harness loop of %s subtracted)" % (label, version, fmt(empty)))
    head = ["case", "N", "kshake"] + PATTERNS + ["best C", "best pattern", "floor", "k/bestC",
                                                 "k/floor"]
    widths = [26, 5, 8] + [max(9, len(p) + 1) for p in PATTERNS] + [9, 22, 7, 8, 8]
    print(" ".join(h.rjust(w) if i not in (0, len(PATTERNS) + 4) else h.ljust(w)
                   for i, (h, w) in enumerate(zip(head, widths))))
    for r in rows:
        cells = [CASE_TEXT[r["case"]], str(r["n"]), fmt(r["kshake"])]
        cells += [fmt(r["c"][p]) for p in PATTERNS]
        cells += [fmt(r["best"]), r["best_pattern"], fmt(r["floor"]),
                  "%.3f" % r["vs_best"], "" if r["vs_floor"] is None else "%.3f" % r["vs_floor"]]
        print(" ".join(c.rjust(w) if i not in (0, len(PATTERNS) + 4) else c.ljust(w)
                       for i, (c, w) in enumerate(zip(cells, widths))))


def print_library_calls(label, calls):
    lines = []
    for (impl, n, case), by_fn in sorted(calls.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                          kv[0][2])):
        for fn, count in sorted(by_fn.items()):
            if count:
                lines.append("  %-13s N=%-5d %-13s %-28s %s" % (impl, n, case, fn, fmt(count)))
    print()
    if lines:
        print("%s: calls from the benchmark code into shared libraries, per negotiation:" % label)
        print("\n".join(lines))
    else:
        print("%s: no call into a shared library in any measured case" % label)


def doc_block(results):
    out = []
    for compiler, res in results.items():
        label = COMPILERS[compiler]["label"]
        out += ["**%s** (%s, -O2 -fno-exceptions -fno-rtti; harness loop of %s instructions "
                "subtracted). Best C: the cheapest C pattern at that N and case (ties are all "
                "named). The floor is the same at every N." % (label, res["version"],
                                                                fmt(res["empty"])), "",
                "| case | N | kshake | best C | pattern | floor | kshake / best C | kshake / floor |",
                "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
        for r in res["rows"]:
            out.append("| %s | %d | %s | %s | %s | %s | %.3f | %s |" % (
                CASE_TEXT[r["case"]], r["n"], fmt(r["kshake"]), fmt(r["best"]),
                r["best_pattern"].replace("_", "\\_"), fmt(r["floor"]) or "–", r["vs_best"],
                "–" if r["vs_floor"] is None else "%.3f" % r["vs_floor"]))
        out.append("")
    out += ["| compiler | target | case | checks | missed | worst (N: kshake / limit) | | gated |",
            "| --- | --- | --- | ---: | ---: | --- | --- | --- |"]
    for compiler, res in results.items():
        label = COMPILERS[compiler]["label"]
        groups = {}
        for family, case, n, text, value, limit in res["targets"]:
            groups.setdefault((family, case), []).append((n, value, limit))
        for (family, case), items in groups.items():
            missed = [i for i in items if i[1] > i[2]]
            worst = max(items, key=lambda i: i[1] / i[2])
            out.append("| %s | %s | %s | %d | %d | N=%d: %s / %s | %s | %s |" % (
                label, family.replace("<=", "≤"), CASE_TEXT[case],
                len(items), len(missed), worst[0], fmt(worst[1]), fmt(worst[2]),
                "**missed**" if missed else "met", "yes" if gated(compiler, family, case) else "no"))
    return "\n".join(out)


def write_csv(path, results):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["compiler", "case", "routes", "kshake"] + PATTERNS +
                   ["best_c", "best_c_pattern", "floor", "kshake_per_best_c", "kshake_per_floor",
                    "compiler_version"])
        for compiler, res in results.items():
            for r in res["rows"]:
                w.writerow([compiler, r["case"], r["n"], exact(r["kshake"])] +
                           [exact(r["c"][p]) for p in PATTERNS] +
                           [exact(r["best"]), r["best_pattern"], exact(r["floor"]),
                            "%.4f" % r["vs_best"],
                            "" if r["vs_floor"] is None else "%.4f" % r["vs_floor"],
                            res["version"]])


def main():
    parser = argparse.ArgumentParser(description="kshake vs C: instructions per negotiation")
    parser.add_argument("--compiler", choices=["gcc", "clang", "both"], default="both")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"),
                        help="g++'s build directory; clang's is this with -clang appended")
    parser.add_argument("--build-dir-gcc")
    parser.add_argument("--build-dir-clang")
    parser.add_argument("--csv", default=os.path.join(ROOT, "benchmarks", "results",
                                                      "instructions.csv"))
    parser.add_argument("--no-csv", action="store_true",
                        help="write neither the CSV nor the table in --doc")
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"),
                        help="Markdown file whose generated table block is replaced")
    parser.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    dirs = {"gcc": args.build_dir_gcc or args.build_dir,
            "clang": args.build_dir_clang or args.build_dir.rstrip("/") + "-clang"}
    compilers = ["gcc", "clang"] if args.compiler == "both" else [args.compiler]
    results = {}
    for compiler in compilers:
        build_dir = os.path.abspath(dirs[compiler])
        start = time.monotonic()
        if not args.no_build:
            build(build_dir, compiler)
        built = time.monotonic()
        per_call, empty, calls = measure(os.path.join(build_dir, "benchmarks", "kshake_count"))
        rows = rows_of(per_call)
        results[compiler] = {"version": compiler_version(build_dir), "empty": empty,
                             "rows": rows, "targets": targets(per_call, rows), "calls": calls}
        print("bench_instructions: %s: build %.0f s, callgrind %.0f s" % (
            COMPILERS[compiler]["label"], built - start, time.monotonic() - built))

    missed = 0
    for compiler, res in results.items():
        label = COMPILERS[compiler]["label"]
        print_table(label, res["version"], res["empty"], res["rows"])
        print_library_calls(label, res["calls"])
        print()
        print("%s: targets" % label)
        own = 0
        gated_misses = 0
        for family, case, n, text, value, limit in res["targets"]:
            ok = value <= limit
            own += not ok
            gated_misses += not ok and gated(compiler, family, case)
            print("%-4s %-62s %9s <= %9s%s" % ("ok" if ok else "MISS", text, fmt(value), fmt(limit),
                                               "" if gated(compiler, family, case) else "  (not gated)"))
        print("%s: %d of %d targets missed, %d of them gated" % (label, own, len(res["targets"]),
                                                                 gated_misses))
        missed += gated_misses

    if not args.no_csv:
        write_csv(args.csv, results)
        print("wrote", os.path.relpath(args.csv, os.getcwd()))
        if bench_doc.replace_block(args.doc, "instructions", doc_block(results)):
            print("updated", os.path.relpath(args.doc, os.getcwd()))
    if args.check and missed:
        print("bench_instructions: %d gated target(s) missed" % missed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
