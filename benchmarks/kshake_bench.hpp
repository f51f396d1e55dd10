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

// The same work as BenchHandle in baseline.h.
template <std::uint32_t Route>
kshake::ntstatus handle(BENCH_CONTEXT& context, const BENCH_REQUEST& request,
                        BENCH_RESPONSE& response) noexcept {
    response.Value = request.Value + Route;
    response.Route = Route;
    response.Cookie = context.Cookie;
    return kshake::status::success;
}

// What avstream.hpp's connected-pin transport does around KsPinHandshake: KSHANDSHAKE crosses
// by copy (never an aliasing cast), and the call reaches the peer's registered callback directly.
struct pin_transport {
    PKSPIN peer;

    kshake::ntstatus operator()(const kshake::handshake& in, kshake::handshake& out) const noexcept {
        KSHANDSHAKE platform_in;
        std::memcpy(&platform_in.ProtocolId, &in.protocol_id, sizeof platform_in.ProtocolId);
        platform_in.Argument1 = in.argument1;
        platform_in.Argument2 = in.argument2;
        KSHANDSHAKE platform_out{};
        const NTSTATUS s = peer->Handshake(peer, &platform_in, &platform_out);
        // Field by field: g++ 12 copies a whole 32-byte struct through vector registers and a
        // stack temporary, 5 instructions more a negotiation than these scalar copies.
        std::memcpy(&out.protocol_id, &platform_out.ProtocolId, sizeof out.protocol_id);
        out.argument1 = platform_out.Argument1;
        out.argument2 = platform_out.Argument2;
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
