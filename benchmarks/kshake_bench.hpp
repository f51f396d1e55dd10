// The kshake side of the benchmarks: the handler every route runs, the transport (KsPinHandshake's
// direct call through the peer pin's registered callback) and the initiator wrapper. The
// generated kshake_nN.cpp files include this.
// SPDX-License-Identifier: MIT
#pragma once

#include "bench_common.h"

#include <kshake/kshake.hpp>

#include <cstdint>
#include <cstring>

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

// What avstream.hpp's connected_pin does around KsPinHandshake: KSHANDSHAKE crosses by copy (never
// an aliasing cast), the call reaches the peer's registered callback directly, and Out is copied
// back only on success (here only on STATUS_SUCCESS: kshake reads Out after no other status).
struct pin_transport {
    PKSPIN peer;

    kshake::ntstatus operator()(const kshake::handshake& in,
                                kshake::handshake& out) const noexcept {
        KSHANDSHAKE platform_in;
        kshake::detail::write_handshake(&platform_in, in);
        KSHANDSHAKE platform_out{}; // zeros, as connected_pin's (kshake's `out` is zeros too)
        const NTSTATUS s = peer->Handshake(peer, &platform_in, &platform_out);
        if (s == STATUS_SUCCESS) {
            out = kshake::detail::read_handshake(&platform_out);
        }
        return s;
    }
};
static_assert(kshake::transport<pin_transport>);

template <class P>
NTSTATUS offer(PKSPIN peer, BENCH_RESPONSE* response, std::uint32_t value) noexcept {
    const auto r = kshake::negotiate<P>(pin_transport{peer}, BENCH_REQUEST{value, 0});
    if (!r) {
        return r.status();
    }
    *response = *r;
    return STATUS_SUCCESS;
}

} // namespace bench
