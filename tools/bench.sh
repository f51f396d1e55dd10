#!/usr/bin/env bash
# Every benchmark in one command (docs/benchmarks.md):
#   1. instruction counts under callgrind: the table, benchmarks/results/instructions.csv
#   2. the plot of that CSV: docs/bench-instructions.png (gnuplot)
#   3. compile cost (-fsyntax-only time and memory): benchmarks/results/compile.csv
#   4. Google Benchmark wall-clock timings: benchmarks/results/timings.txt (noisy on a shared
#      machine; the instruction counts are the figures to quote)
#   tools/bench.sh           run everything, report the targets
#   tools/bench.sh --check   the same, and exit non-zero when a target is missed
# Builds in build/bench with g++ (CXX/CC override) at the project's -O2.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh core bench || exit 1

check=()
if [ "${1:-}" = --check ]; then check=(--check); fi
status=0

echo "=== instructions per negotiation (callgrind)"
python3 tools/bench_instructions.py "${check[@]}" || status=1

echo "=== plot"
gnuplot -e "csv='benchmarks/results/instructions.csv'; out='docs/bench-instructions.png'" \
  tools/bench_plot.gp && echo "wrote docs/bench-instructions.png" || status=1

echo "=== compile cost"
python3 tools/bench_compile.py "${check[@]}" || status=1

echo "=== wall-clock timings (Google Benchmark)"
if meson compile -C build/bench kshake_bench >/dev/null; then
  build/bench/benchmarks/kshake_bench --benchmark_min_time=0.05 | tee benchmarks/results/timings.txt
else
  status=1
fi

exit "$status"
