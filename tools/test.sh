#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds with g++ and clang-19, runs every check.
# Ends with one "N passed, N failed" line; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh all || exit 1

passed=0
failed=0
failures=()
step() { # step NAME COMMAND...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

configure() { # configure BUILDDIR [meson args...]
  local dir=$1; shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

suite() { # suite NAME CXX
  local dir=build/$1
  CXX=$2 configure "$dir" && meson compile -C "$dir" && meson test -C "$dir" --print-errorlogs
}

step "g++ build and meson test" suite gcc g++
step "clang-19 build and meson test" suite clang clang++-19
# Performance targets of docs/benchmarks.md, as instruction counts (deterministic) and compile cost.
step "benchmarks: instructions per negotiation" python3 tools/bench_instructions.py --check --no-csv
step "benchmarks: compile cost" python3 tools/bench_compile.py --check --no-csv --runs 3

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
