#!/usr/bin/env bash
# Runs one libFuzzer target for the Meson test suites (docs/fuzzing.md).
#   run_fuzz.sh replay TARGET CORPUS_DIR            every seed once; fails on any finding
#   run_fuzz.sh fuzz   TARGET CORPUS_DIR SECONDS    fuzzes from a scratch copy of the corpus
# A finding is written under fuzz-artifacts/ next to TARGET.
set -euo pipefail
mode=$1 target=$2 corpus=$3
artifacts="$(dirname "$target")/fuzz-artifacts"
mkdir -p "$artifacts"
common=(-artifact_prefix="$artifacts/$(basename "$target")-" -timeout=10 -max_len=4096 -print_final_stats=1)
mapfile -t seeds < <(find "$corpus" -type f | sort)
if [ ${#seeds[@]} -eq 0 ]; then
  echo "run_fuzz: no seeds in $corpus" >&2
  exit 1
fi
case $mode in
  replay)
    exec "$target" "${common[@]}" "${seeds[@]}"
    ;;
  fuzz)
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cp "${seeds[@]}" "$scratch"/
    "$target" "${common[@]}" -max_total_time="$4" "$scratch"
    ;;
  *)
    echo "run_fuzz: unknown mode '$mode'" >&2
    exit 2
    ;;
esac
