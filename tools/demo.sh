#!/usr/bin/env bash
# Builds and runs the user-mode demo: two mock pins negotiating over kshake.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh core
builddir=build/demo
if [ -d "$builddir/meson-private" ]; then
  meson setup --reconfigure "$builddir" -Dtests=false -Dexamples=true >/dev/null
else
  meson setup "$builddir" -Dtests=false -Dexamples=true >/dev/null
fi
meson compile -C "$builddir" kshake_demo >/dev/null
exec "$builddir/examples/kshake_demo"
