#!/usr/bin/env bash
# Lint with zero findings: clang-tidy-19 over include/ (one TU that includes every header) and
# tests/ (through a compile database), cppcheck, and a clang-format-19 check.
# Configuration: .clang-tidy, tests/.clang-tidy, tools/cppcheck-suppressions.txt, .clang-format;
# each disabled check or suppression says why.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh lint fuzz >/dev/null || exit 1

failed=0
check() { # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then echo "lint: $name: clean"; else echo "lint: $name: FINDINGS"; failed=1; fi
}

# A compile database for tests/ (the fuzz targets included); configuring is enough.
db=build/lint
if [ -d "$db/meson-private" ]; then
  CXX=clang++-19 meson setup --reconfigure "$db" -Dfuzzing=true >/dev/null
else
  CXX=clang++-19 meson setup "$db" -Dfuzzing=true >/dev/null
fi || exit 1
# Every header but the kernel-only ones, which need <ntddk.h>/<ks.h> and are compiled with -Werror
# by the three kernel toolchains of tests/kernel instead.
kernel_only=(include/kshake/avstream.hpp include/kshake/detail/kernel_terminate.hpp)
headers=()
for h in include/kshake/*.hpp include/kshake/detail/*.hpp; do
  case " ${kernel_only[*]} " in *" $h "*) continue ;; esac
  headers+=("$h")
done
headers_tu=$db/all_headers.cpp
for h in "${headers[@]}"; do echo "#include <${h#include/}>"; done >"$headers_tu"

tidy() {
  local jobs
  jobs=$(nproc)
  clang-tidy-19 --quiet --warnings-as-errors='*' "$headers_tu" -- \
    -std=c++20 -fno-exceptions -fno-rtti -Iinclude 2>/dev/null || return 1
  printf '%s\n' tests/*.cpp tests/fuzz/*.cpp |
    xargs -P "$jobs" -n 1 clang-tidy-19 --quiet --warnings-as-errors='*' -p "$db" 2>/dev/null
}
check "clang-tidy-19 (include/, tests/)" tidy

check "cppcheck" cppcheck -j "$(nproc)" --quiet --enable=warning,style,performance,portability --std=c++20 \
  --language=c++ --inline-suppr --suppressions-list=tools/cppcheck-suppressions.txt \
  --error-exitcode=1 -I include -I /usr/include/doctest \
  "${headers[@]}" tests/*.cpp tests/fuzz/*.cpp examples/*.cpp

# Every C++ source of the project follows .clang-format, except the compile-fail and kernel
# negative cases, whose `// expect:` lines and layout are part of what they test.
mapfile -t formatted < <(git ls-files 'include/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'examples/*.cpp' \
  'examples/*.hpp' | grep -v -e '^tests/compile_fail/' -e '^tests/kernel/cases/')
check "clang-format-19 (${#formatted[@]} files)" clang-format-19 --dry-run --Werror "${formatted[@]}"

exit $failed
