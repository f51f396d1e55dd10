// The kshake side of the benchmarks: the handler every route runs, the transport (KsPinHandshake's
// direct call through the peer pin's registered callback: kshake::direct_pin) and the initiator
// wrapper. The generated kshake_nN.cpp files include this.
// SPDX-License-Identifier: MIT
#pragma once

#include "bench_common.h"

#include <kshake/kshake.hpp>

#include <cstdint>

namespace bench {

struct payloads {
    using request = BENCH_REQUEST;
    using response = BENCH_RESPONSE;
};

// The same work as BenchHandle in baseline.h (route i answers with the tag i + 1).
template <std::uint32_t Route>
kshake::ntstatus handle(BENCH_CONTEXT& context, const BENCH_REQUEST& request,
                        BENCH_RESPONSE& response) noexcept {
    response.Value = request.Value + Route + 1U;
    response.Route = Route + 1U;
    response.Cookie = context.Cookie;
    return kshake::status::success;
}

// KsPinHandshake's direct call through the peer pin's registered callback, read from the pin at
// each call as ks.sys reads it: kshake::direct_pin copies KSHANDSHAKE in and out as
// avstream::connected_pin does (Out zero-filled for the peer, copied back only on
// STATUS_SUCCESS), so kshake pays for those copies here too.
inline kshake::direct_pin<PKSPIN, KSHANDSHAKE, NTSTATUS, true> to_peer(PKSPIN peer) noexcept {
    return kshake::direct_pin(&peer->Handshake, peer);
}

template <class P>
NTSTATUS offer(PKSPIN peer, BENCH_RESPONSE* response, std::uint32_t value) noexcept {
    const auto r = kshake::negotiate<P>(to_peer(peer), BENCH_REQUEST{value, 0});
    if (!r) {
        return r.status();
    }
    *response = *r;
    return STATUS_SUCCESS;
}

} // namespace bench
