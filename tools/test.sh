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
  local start=$SECONDS
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
  echo "=== $name: $((SECONDS - start)) s"
}

configure() { # configure BUILDDIR [meson args...]
  local dir=$1; shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

# The C compiler of each build is the C++ compiler's own (tests/c_peer builds C11 code).
cc_of() { # cc_of CXX: gcc for g++, clang-19 for clang++-19
  case $1 in g++) echo gcc ;; clang++-19) echo clang-19 ;; *) echo "${1/++/}" ;; esac
}

suite() { # suite NAME CXX [meson args...]
  local dir=build/$1 cxx=$2
  shift 2
  CC=$(cc_of "$cxx") CXX=$cxx configure "$dir" "$@" && meson compile -C "$dir" &&
    meson test -C "$dir" --print-errorlogs
}

# The kernel suite (tests/kernel) cross-compiles with its own toolchains whatever the native
# compiler is, so it runs in full once, in the g++ build.
step "g++ build and meson test" suite gcc g++ -Dkernel_tests=auto
# The x64 and x86 kernel images executed under Wine with a test-only ks.sys stand-in and Wine's
# ntoskrnl.exe (docs/driver.md, "Running the images under Wine"): the sample driver and the API
# case from every x64/x86 toolchain, and the negative cases that must fail at run time.
step "kernel images run under Wine" python3 tests/kernel/wine/run_images.py --out build/wine
step "clang-19 build and meson test" suite clang clang++-19 -Dkernel_tests=disabled
# The whole suite again against the committed single header (single_include/meson.build),
# including the kernel builds of the sample driver (three mingw toolchains) and of the API case
# (those and the three clang-cl ones), not the checkers' own cases.
step "g++ single-header build and meson test" suite single g++ -Dsingle_header=true -Dkernel_tests=auto
# ILP32, where `long` is 32 bits as on every Windows target: the whole unit suite, including the
# WDK-style NTSTATUS/ULONG code of tests/wdk_style_test.cpp (compiled to nothing where long is
# 64 bits), the C peer, and every consumer test built 32-bit (tools/m32.ini names the compiler
# as `g++ -m32`, which the consumer harness passes on whole). The compile-fail and single-header
# suites run in the builds above.
m32() {
  configure build/m32 --native-file tools/m32.ini -Dkernel_tests=disabled &&
    meson compile -C build/m32 && meson test -C build/m32 --print-errorlogs \
      --no-suite compile_fail --no-suite single_header
}
step "g++ -m32 build: unit suite, C peer, demo, concurrency, consumers" m32
# Performance targets of docs/benchmarks.md, as instruction counts (deterministic) and compile cost.
step "benchmarks: instructions per negotiation" python3 tools/bench_instructions.py --check --no-csv
step "benchmarks: compile cost" python3 tools/bench_compile.py --check --no-csv --runs 5
# The user benchmark command (docs/benchmarks.md, "Benchmarking your own protocols") on the
# example header: its figures checked for sanity, never against a time.
step "benchmarks: your own protocols (tools/bench_protocols_test.sh, examples/contoso_bench.hpp)" tools/bench_protocols_test.sh

sanitized() { # sanitized NAME CXX MESON_SETUP_ARGS...: every test but the timed fuzz suite
  local dir=build/$1 cxx=$2
  shift 2
  CC=$(cc_of "$cxx") CXX=$cxx configure "$dir" "$@" && meson compile -C "$dir" &&
    meson test -C "$dir" --print-errorlogs --no-suite fuzz --no-suite compile_fail \
      --no-suite consumers --no-suite single_header
}

# Sanitizers and fuzzing (docs/fuzzing.md, docs/error-contract.md). Each sanitizer build also
# runs tests/sanitizer_canary, which must be caught, so a build that lost its flags fails.
# Sanitizer builds use -O0/-O1: the checks are the same and they compile about 3x faster.
step "clang-19 ASan+UBSan: unit suite, concurrency, canaries, fuzz corpus replay" \
  sanitized clang-asan clang++-19 -Dkernel_tests=disabled -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true \
  -Doptimization=1
step "libFuzzer: each target for a bounded time (clang-19, ASan+UBSan)" \
  meson test -C build/clang-asan --suite fuzz --print-errorlogs
# The fuzz targets' invariants must catch each bug tests/fuzz/mutants.sh plants in a copy of include/.
step "fuzz harnesses catch planted bugs (tests/fuzz/mutants.sh)" tests/fuzz/mutants.sh
step "g++ ASan+UBSan: unit suite, concurrency, canaries" \
  sanitized gcc-asan g++ -Dkernel_tests=disabled -Db_sanitize=address,undefined -Dbuildtype=debug -Dexamples=false
step "clang-19 TSan: concurrency test, unit suite, canary" \
  sanitized clang-tsan clang++-19 -Dkernel_tests=disabled -Db_sanitize=thread -Db_lundef=false -Dexamples=false \
  -Dbuildtype=debug
step "lint: clang-tidy-19, cppcheck, clang-format-19" tools/lint.sh

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
