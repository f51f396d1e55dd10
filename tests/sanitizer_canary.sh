#!/usr/bin/env bash
# sanitizer_canary.sh EXE KIND: passes only if EXE's deliberate error is reported by the
# sanitizer KIND (address, undefined, thread).
set -uo pipefail
exe=$1 kind=$2
case $kind in
  address) want='ERROR: AddressSanitizer: heap-use-after-free' ;;
  undefined) want='runtime error: signed integer overflow' ;;
  thread) want='WARNING: ThreadSanitizer: data race' ;;
  *) echo "unknown sanitizer $kind" >&2; exit 2 ;;
esac
output=$("$exe" "$kind" 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q "$want" <<<"$output"; then
  echo "sanitizer_canary: $kind reported the deliberate error, as it must"
  exit 0
fi
echo "sanitizer_canary: expected '$want' and a failing exit, got status $status:" >&2
echo "$output" >&2
exit 1
