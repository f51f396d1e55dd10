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

suite() { # suite NAME CXX [meson args...]
  local dir=build/$1 cxx=$2
  shift 2
  CXX=$cxx configure "$dir" "$@" && meson compile -C "$dir" && meson test -C "$dir" --print-errorlogs
}

# The kernel suite (tests/kernel) cross-compiles with its own toolchains whatever the native
# compiler is, so it runs in full once, in the g++ build.
step "g++ build and meson test" suite gcc g++ -Dkernel_tests=auto
step "clang-19 build and meson test" suite clang clang++-19 -Dkernel_tests=disabled
# The whole suite again against the committed single header (single_include/meson.build),
# including the sample driver's three kernel builds (not the checker's own cases).
step "g++ single-header build and meson test" suite single g++ -Dsingle_header=true -Dkernel_tests=auto
# Performance targets of docs/benchmarks.md, as instruction counts (deterministic) and compile cost.
step "benchmarks: instructions per negotiation" python3 tools/bench_instructions.py --check --no-csv
step "benchmarks: compile cost" python3 tools/bench_compile.py --check --no-csv --runs 3

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
