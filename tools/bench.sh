#!/usr/bin/env bash
# Every benchmark in one command (docs/benchmarks.md):
#   1. instruction counts under callgrind, g++ 12 (build/bench) and clang-19 (build/bench-clang):
#      the tables, benchmarks/results/instructions.csv, the "instructions" block
#   2. the plot of that CSV: docs/bench-instructions.png (gnuplot; one panel per compiler)
#   3. compile cost (-fsyntax-only time and memory): benchmarks/results/compile.csv
#   4. Google Benchmark wall-clock timings of the g++ build, every implementation interleaved at
#      random in one process, BENCH_REPETITIONS (default 9) repetitions of BENCH_MIN_TIME
#      (default 0.05) s each: benchmarks/results/timings.txt (the console report),
#      benchmarks/results/timings.csv and the "timings" block (medians, tools/bench_timings.py).
#      Noisy on a shared machine; the instruction counts are the figures to quote.
#   5. the wall-clock target of issue 24, g++ and clang-19 (tools/bench_timings.py --target:
#      kshake's hit against the best C at N = 1, 4 and 16, several interleaved runs, about
#      3 minutes): benchmarks/results/timings.target.txt and .csv. Reported, never gated.
#   tools/bench.sh           run everything, report the targets
#   tools/bench.sh --check   the same, and exit non-zero when a target is missed
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh core bench || exit 1

check=()
if [ "${1:-}" = --check ]; then check=(--check); fi
status=0

echo "=== instructions per negotiation (callgrind, g++ and clang-19)"
python3 tools/bench_instructions.py "${check[@]}" || status=1

echo "=== plot"
gnuplot -e "csv='benchmarks/results/instructions.csv'; out='docs/bench-instructions.png'" \
  tools/bench_plot.gp && echo "wrote docs/bench-instructions.png" || status=1

echo "=== compile cost"
python3 tools/bench_compile.py "${check[@]}" || status=1

echo "=== wall-clock timings (Google Benchmark, g++ build)"
repetitions=${BENCH_REPETITIONS:-9}
min_time=${BENCH_MIN_TIME:-0.05}
json=build/bench/timings.json
if meson compile -C build/bench kshake_bench >/dev/null; then
  build/bench/benchmarks/kshake_bench --benchmark_enable_random_interleaving=true \
    --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$min_time" --benchmark_out="$json" --benchmark_out_format=json \
    | tee benchmarks/results/timings.txt &&
    python3 tools/bench_timings.py "$json" --compiler "$(g++ --version | head -n 1)" || status=1
else
  status=1
fi

echo "=== wall-clock target (kshake's hit <= 1.1 x best C, N = 1, 4, 16; g++ and clang-19)"
python3 tools/bench_timings.py --target || status=1

exit "$status"
