#!/usr/bin/env bash
# Shows that the fuzz targets' invariants catch real bugs: each mutant plants one bug in a copy
# of include/, builds the target that should notice it, replays the seed corpus and, if the
# replay misses it, fuzzes for up to 60 s. Exits non-zero if any mutant survives, does not
# apply or does not compile. include/ itself is never written: it is copied once, and the unmutated copy must build
# and pass the seed replay first, so that "caught" means the planted bug was.
# tools/test.sh (and so CI) runs it; run it by hand after changing a harness:
#   tests/fuzz/mutants.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Without UBSan's function check: once a planted bug changes what clang-19 inlines, it reports a
# handler called through kshake's (identically typed, noexcept) route pointer as a call through
# a pointer of another type, which would hide whether the harness's own invariants catch the bug.
flags=(-std=c++20 -O1 -g -fno-exceptions -fno-rtti -fsanitize=fuzzer,address,undefined
  -fno-sanitize=function -fno-sanitize-recover=undefined)

# Each mutant: name @@ target @@ header @@ exact text @@ replacement
mutants=(
  "response envelope may overlap Out@@responder@@detail/envelope_wire.hpp@@if (detail::regions_overlap(@@if (false && detail::regions_overlap("
  "response written before the handler's status is checked@@responder@@detail/serve_route.hpp@@        s = static_cast<ntstatus>(R::handler(context, decoded.request, response));
    }@@        s = static_cast<ntstatus>(R::handler(context, decoded.request, response));
    }
    handshake early{};
    codec::template encode_response<P>(decoded, response, early);"
  "request version above the route's accepted@@responder@@detail/envelope_wire.hpp@@ || request_header.version > version_v<P>) {@@) {"
  "request one byte short accepted@@responder@@detail/envelope_wire.hpp@@request_size < envelope_size<request_type>@@request_size + 1 < envelope_size<request_type>"
  "response capacity not checked@@responder@@detail/envelope_wire.hpp@@capacity < envelope_size<response_type>@@capacity < 8"
  "response capacity read and checked before the request header@@responder@@detail/envelope_wire.hpp@@if (request_header.version < min_version_v<P> || request_header.version > version_v<P>) {@@uint32_t capacity_first = 0;
        detail::copy_bytes(&capacity_first, in.argument2, sizeof capacity_first);
        if (capacity_first < envelope_size<response_type>) {
            return status::buffer_too_small;
        }
        if (request_header.version < min_version_v<P> || request_header.version > version_v<P>) {"
  "request body read before the response checks@@responder@@detail/envelope_wire.hpp@@        // Only the response header's size@@        detail::copy_bytes(&d.request,
                           static_cast<const unsigned char*>(in.argument1) + envelope_body_offset,
                           sizeof(request_type));
        // Only the response header's size"
  "a handler's warning delivers its response@@responder@@detail/serve_route.hpp@@    if (!nt_success(s)) {
        return s;
    }
    // Out is written once@@    if (static_cast<uint32_t>(s) >= 0xC0000000U) {
        return s;
    }
    // Out is written once"
  "response not zeroed before the handler@@responder@@detail/serve_route.hpp@@response_t<P> response{};@@response_t<P> response; __builtin_memset(&response, 0x5A, sizeof response);"
  "an empty response reaches the handler unzeroed@@responder@@detail/serve_route.hpp@@        copy_bytes(&response, &zero, sizeof zero);@@        static_cast<void>(zero);"
  "a traced call reads In's pointers before check 3@@responder@@responder.hpp@@            return detail::dispatch_strategy<Context, distinct>::find(*context, in, out, trace...);@@            if constexpr (sizeof...(Trace) != 0) {
                const handshake whole = detail::read_handshake(in);
                (trace.version(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(whole.argument2))), ...);
            }
            return detail::dispatch_strategy<Context, distinct>::find(*context, in, out, trace...);"
  "In's bytes 8-15 read before bytes 0-7 are matched@@responder@@detail/dispatch.hpp@@            slot = slot_of(half);@@            slot = slot_of(half);
            {
                uint64_t early = 0;
                copy_bytes(&early, static_cast<const unsigned char*>(in) + sizeof half, sizeof early);
                volatile uint64_t seen = early;
                static_cast<void>(seen);
            }"
  "the last id sharing a first half is never matched@@responder@@detail/dispatch.hpp@@        if (high == detail::bit_cast<guid_halves>(Ids::at[M]).high) {@@        if (sizeof...(Ms) != 0 && high == detail::bit_cast<guid_halves>(Ids::at[M]).high) {"
  "a trace misses the id bytes it read@@responder@@detail/dispatch.hpp@@            KSHAKE_DETAIL_READ_ID_HALF(half, in, sizeof half, trace);
            if (half != id.high) [[unlikely]] {@@            copy_bytes(&half, static_cast<const unsigned char*>(in) + sizeof half, sizeof half);
            if (half != id.high) [[unlikely]] {"
  "reply Argument2 not checked@@initiator@@detail/envelope_wire.hpp@@out.argument2 == nullptr &&@@true &&"
  "reply protocol id not checked@@initiator@@detail/envelope_wire.hpp@@detail::same_guid(out.protocol_id, P::id) && out.argument1@@true && out.argument1"
  "reply Argument1 not checked@@initiator@@detail/envelope_wire.hpp@@out.argument1 == &response_ &&@@true &&"
  "reply envelope size not checked@@initiator@@detail/envelope_wire.hpp@@<< 32U | response_.size) ==@@<< 32U | envelope_size<response_type>) =="
  "reply envelope version not checked@@initiator@@detail/envelope_wire.hpp@@(uint64_t{response_.version} << 32U@@(uint64_t{version_v<P>} << 32U"
  "a peer's success code other than STATUS_SUCCESS taken as an answer@@initiator@@initiator.hpp@@        if (s != status::success) {
            // A failure status is the peer's refusal@@        if (!nt_success(s)) {
            // A failure status is the peer's refusal"
  "negotiate_first moves on after a transport's broken answer@@initiator@@detail/negotiation.hpp@@        return failure == status::device_protocol_error;@@        return false;"
  "negotiate_first moves on after a reply that breaks the rules@@initiator@@detail/negotiation.hpp@@            report_offer<P>(transport, I, exchange, out, s, status::device_protocol_error);
        }
        return true;@@            report_offer<P>(transport, I, exchange, out, s, status::device_protocol_error);
        }
        return false;"
  "Out not zeroed before the transport is called@@initiator@@initiator.hpp@@ only a success lets the answer be read.
        handshake out{};@@ only a success lets the answer be read.
        handshake out;
        __builtin_memset(&out, 0x5A, sizeof out);"
  "try_parse writes its output before the last check@@guid@@detail/guid_text.hpp@@    constexpr size_t data4_at[8]@@    out = g;
    constexpr size_t data4_at[8]"
)

# What a failing run reported: the harness's invariant, else the sanitizer's or libFuzzer's line.
why() {
  grep -a -m1 -E 'kshake fuzz invariant violated|^SUMMARY: |ERROR: libFuzzer' "$1" | cut -c1-160
}

cp -r include "$work/base-include"
for target in responder initiator guid; do
  exe=$work/fuzz_$target
  if ! clang++-19 "${flags[@]}" -I "$work/base-include" "tests/fuzz/fuzz_$target.cpp" -o "$exe" \
    2>"$work/build-$target.log"; then
    echo "unmutated fuzz_$target does not build:"
    head -20 "$work/build-$target.log"
    exit 2
  fi
  mapfile -t seeds < <(find "tests/fuzz/corpus/$target" -type f | sort)
  if ! "$exe" -artifact_prefix="$work/base-" "${seeds[@]}" >"$work/replay-$target.log" 2>&1; then
    echo "unmutated fuzz_$target fails its seed replay: $(why "$work/replay-$target.log")"
    exit 2
  fi
done

# One mutant: prints its one line; the caller counts it caught only if the line says so.
run_mutant() { # run_mutant INDEX SPEC
  local i=$1 m=$2 target name exe runs seeds
  python3 - "$m" "$work/base-include" "$work/m$i" <<'PY' || { echo "mutant $i: could not apply"; return; }
import os, shutil, sys
name, target, header, old, new = sys.argv[1].split('@@')
base, dest = sys.argv[2], sys.argv[3]
shutil.copytree(base, os.path.join(dest, 'include'))
path = os.path.join(dest, 'include', 'kshake', header)
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f'{header}: expected exactly one match for {old!r}, found {text.count(old)}')
open(path, 'w').write(text.replace(old, new))
open(os.path.join(dest, 'target'), 'w').write(target)
PY
  target=$(cat "$work/m$i/target")
  name=${m%%@@*}
  exe=$work/m$i/fuzz_$target
  if ! clang++-19 "${flags[@]}" -I "$work/m$i/include" "tests/fuzz/fuzz_$target.cpp" -o "$exe" 2>"$work/m$i/build.log"; then
    # A mutant that no longer compiles plants nothing the harness could catch: update it.
    echo "mutant $i ($name): does not compile, so it tests nothing (update the mutant):" \
      "$(grep -a -m1 'error:' "$work/m$i/build.log" | cut -c1-160)"
    return
  fi
  mapfile -t seeds < <(find "tests/fuzz/corpus/$target" -type f | sort)
  if ! "$exe" -artifact_prefix="$work/m$i/" "${seeds[@]}" >"$work/m$i/replay.log" 2>&1; then
    echo "mutant $i ($name): caught by the seed corpus replay: $(why "$work/m$i/replay.log")"
    return
  fi
  mkdir -p "$work/m$i/corpus"
  if ! "$exe" -max_total_time=60 -seed=1 -artifact_prefix="$work/m$i/" "$work/m$i/corpus" \
    >"$work/m$i/fuzz.log" 2>&1; then
    runs=$(grep -ao '^#[0-9]*' "$work/m$i/fuzz.log" | tail -1)
    echo "mutant $i ($name): caught by fuzzing from an empty corpus (last report ${runs:-#0}):" \
      "$(why "$work/m$i/fuzz.log")"
    return
  fi
  echo "mutant $i ($name): SURVIVED"
}

# The mutants are independent: one per core at a time, their lines printed in order.
parallel=$(nproc)
i=0
for m in "${mutants[@]}"; do
  i=$((i + 1))
  run_mutant "$i" "$m" >"$work/result-$i" 2>&1 &
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
done
wait
survived=0
for j in $(seq 1 "$i"); do
  cat "$work/result-$j"
  if ! grep -q ': caught by' "$work/result-$j"; then survived=1; fi
done
exit $survived
