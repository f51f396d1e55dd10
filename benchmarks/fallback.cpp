// negotiate_first falling through K offers: the pool protocol at versions K, K-1, ..., 1 to a
// peer that serves it at version 1 only (with three other protocols), as the generated
// c_fallback.c does in C for each C pattern (benchmarks/gen_routes.py, FALLBACK_IDS: the same ids).
// SPDX-License-Identifier: MIT
#include "bench_suites.h"
#include "kshake_bench.hpp"

#include <cstddef>
#include <utility>

namespace {

using namespace kshake::literals;

struct pool : bench::payloads {
    static constexpr kshake::guid id = "3B1E6A52-91C4-4D0F-9A17-5C206E810B44"_guid;
};
struct clock : bench::payloads {
    static constexpr kshake::guid id = "8F2D0C19-5E73-4A8B-B602-1D9E4F37C851"_guid;
};
struct fence : bench::payloads {
    static constexpr kshake::guid id = "C47A9E03-2B68-41D5-83E9-705A12BC6D0F"_guid;
};
struct queue : bench::payloads {
    static constexpr kshake::guid id = "1D95F7B8-A0C2-4E36-AF4B-08D36295E17A"_guid;
};

using server = kshake::responder<
    BENCH_CONTEXT, kshake::route<pool, &bench::handle<0>>, kshake::route<clock, &bench::handle<1>>,
    kshake::route<fence, &bench::handle<2>>, kshake::route<queue, &bench::handle<3>>>;

template <std::uint32_t Newest, std::size_t... I>
NTSTATUS offer_pool_from(PKSPIN peer, BENCH_RESPONSE* response,
                         std::index_sequence<I...>) noexcept {
    const BENCH_REQUEST request{7u, 0u};
    const auto r = kshake::negotiate_first<kshake::at_version<pool, Newest - I>...>(
        bench::to_peer(peer), (static_cast<void>(I), request)...);
    if (!r) {
        return r.status();
    }
    static_cast<void>(((r.index() == I ? (*response = r.template get<I>(), true) : false) || ...));
    return STATUS_SUCCESS;
}

template <std::uint32_t Newest>
NTSTATUS fall_through(PKSPIN peer, BENCH_RESPONSE* response) noexcept {
    return offer_pool_from<Newest>(peer, response, std::make_index_sequence<Newest>{});
}

} // namespace

extern "C" const BENCH_FALLBACK_SUITE bench_kshake_fallback = {
    "kshake",
    &server::callback<PKSPIN, KSHANDSHAKE, NTSTATUS>,
    {fall_through<1>, fall_through<2>, fall_through<3>}};
