#!/usr/bin/env bash
# The test of "benchmark your own protocols" (tools/bench_protocols.py, docs/benchmarks.md):
#   1. the command a user runs, on examples/contoso_bench.hpp, with g++ and clang-19, in its quick
#      mode, with its figures checked for sanity (--sanity: every implementation gives the same
#      status in every case, the wire contract's statuses for a refused version and an unknown id,
#      a refusal leaves the caller's response untouched and a success writes it, instruction counts
#      and time medians positive, the plot written; never a timing threshold);
#   2. the same check must fail on two bugs planted in the generated C (a responder that refuses an
#      unknown id with another status; an initiator that writes the caller's response on a
#      refusal), each with its own message, so that a sanity check that passes everything fails.
# About 30 s on two idle cores. Needs tools/setup.sh bench (valgrind, gnuplot).
set -uo pipefail
cd "$(dirname "$0")/.."
header=examples/contoso_bench.hpp
failed=0

echo "--- bench_protocols: $header, g++ and clang-19, --quick --sanity"
python3 tools/bench_protocols.py "$header" --quick --sanity || failed=1

planted() { # planted BUG MESSAGE: the sanity check must fail, naming MESSAGE
  local bug=$1 message=$2 out
  echo "--- bench_protocols: planted bug '$bug' must fail the sanity check"
  out=$(python3 tools/bench_protocols.py "$header" --compiler gcc --no-time --sanity \
    --plant "$bug" --out build/bench-protocols/planted-"$bug" 2>&1)
  local status=$?
  if [ "$status" -ne 1 ] || ! grep -q -- "$message" <<<"$out"; then
    echo "$out"
    echo "bench_protocols_test: planted bug '$bug' was not caught (exit $status, wanted 1 and '$message')"
    failed=1
  else
    grep -m 1 -- "$message" <<<"$out"
  fi
}
planted status "the implementations disagree"
planted response "refused (STATUS_INVALID_DEVICE_REQUEST) but wrote the response"

if [ "$failed" -eq 0 ]; then echo "bench_protocols_test: passed"; else echo "bench_protocols_test: FAILED"; fi
exit "$failed"
