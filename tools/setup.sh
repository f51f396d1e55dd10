#!/usr/bin/env bash
# Installs, from Debian's packages only, what kshake's build, demo and test suite need.
# Idempotent: packages already present are left alone and nothing is fetched when none is missing.
#   tools/setup.sh [group...]     groups: core kernel wine bench fuzz lint m32 all   (default: core)
set -euo pipefail

declare -A groups=(
  [core]="g++ meson ninja-build cmake pkg-config python3 libmsgsl-dev doctest-dev clang-19"
  [kernel]="g++-mingw-w64-x86-64-win32 g++-mingw-w64-i686-win32 mingw-w64-x86-64-dev mingw-w64-i686-dev binutils-mingw-w64-x86-64 binutils-mingw-w64-i686 clang-19 clang-tools-19 lld-19 llvm-19 libmsgsl-dev python3 python3-pefile"
  [bench]="libbenchmark-dev valgrind gnuplot-nox"
  [fuzz]="clang-19 libclang-rt-19-dev"
  [lint]="clang-tidy-19 clang-format-19 cppcheck"
  [m32]="g++-multilib"
  # Runs the kernel images (tests/kernel/wine/run_images.py): Wine 8 with its 64-bit and 32-bit
  # loaders; wine32 is an i386 package, so dpkg must know that architecture (added below).
  [wine]="wine wine64 wine32:i386"
)

wanted=()
[ $# -eq 0 ] && set -- core
for group in "$@"; do
  if [ "$group" = all ]; then
    for g in core kernel wine bench fuzz lint m32; do wanted+=(${groups[$g]}); done
  elif [ -n "${groups[$group]+x}" ]; then
    wanted+=(${groups[$group]})
  else
    echo "setup: unknown group '$group' (core kernel wine bench fuzz lint m32 all)" >&2
    exit 2
  fi
done
# one name once
mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | sort -u)

is_debian=no
if [ -r /etc/os-release ]; then
  . /etc/os-release
  case " ${ID:-} ${ID_LIKE:-} " in *" debian "*) is_debian=yes ;; esac
fi
if [ "$is_debian" != yes ] || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup: this is not a Debian system, so nothing was installed."
  echo "setup: kshake is built and tested with these Debian 12 packages (install their equivalents):"
  printf '  %s\n' "${wanted[@]}"
  exit 1
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#wanted[@]} packages for [$*] are installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
# A package of another architecture (wine32:i386) needs that architecture enabled first.
for pkg in "${missing[@]}"; do
  case $pkg in
    *:i386)
      if [ "$(dpkg --print-architecture)" != i386 ] &&
        ! dpkg --print-foreign-architectures | grep -qx i386; then
        echo "setup: enabling the i386 architecture for $pkg (dpkg --add-architecture i386)"
        "${sudo[@]}" dpkg --add-architecture i386
      fi
      ;;
  esac
done
echo "setup: installing from Debian's packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
