// "Benchmark your own protocols" (tools/bench_protocols.py): the kshake side, written once for
// any user header. The header (BENCH_USER_HEADER) declares, at global scope:
//   using bench_responder = kshake::responder<Context, kshake::route<P, handler>...>;
//   using bench_offers = kshake::offer<P1, P2, ...>;  // what the initiator offers, in order
//   inline Context bench_context{...};                 // the responder pin's context
// and optionally, for an offer whose value-initialised request the handler would refuse,
//   P::request bench_request(P) { return {...}; }      // the request offered for P
// SPDX-License-Identifier: MIT
#pragma once

#include "user_common.h"

#include <kshake/kshake.hpp>

#include BENCH_USER_HEADER

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

namespace bench_user {

template <class L>
struct pack;
template <template <class...> class List, class... Ts>
struct pack<List<Ts...>> {
    using tuple = std::tuple<Ts...>;
    static constexpr std::size_t size = sizeof...(Ts);
};
template <std::size_t I, class L>
using nth = std::tuple_element_t<I, typename pack<L>::tuple>;

using responder_t = ::bench_responder;
using offers_t = ::bench_offers;
using context_t = typename responder_t::context_type;
static_assert(std::is_same_v<std::remove_cvref_t<decltype(::bench_context)>, context_t>,
              "bench_protocols: bench_context must be a bench_responder::context_type");

inline constexpr std::size_t route_count = pack<typename responder_t::routes>::size;
inline constexpr std::size_t offer_count = pack<offers_t>::size;

template <std::size_t R>
using route_t = nth<R, typename responder_t::routes>;
template <std::size_t R>
using route_protocol_t = typename route_t<R>::protocol;
template <std::size_t I>
using offer_t = nth<I, offers_t>;

// The codec P names (`using codec = ...;`), else the envelope (docs/writing-a-protocol.md).
template <class P>
struct codec_of {
    using type = kshake::envelope_codec;
};
template <class P>
    requires requires { typename P::codec; }
struct codec_of<P> {
    using type = typename P::codec;
};
template <class P>
using codec_t = typename codec_of<P>::type;

template <class P>
inline constexpr bool is_raw = std::is_same_v<codec_t<P>, kshake::raw_codec>;

// The request offered for P: the header's bench_request(P) if it declares one, else P::request{}.
template <class P>
typename P::request make_request() noexcept {
    if constexpr (requires { bench_request(P{}); }) {
        return bench_request(P{});
    } else {
        return typename P::request{};
    }
}

// Route R's handler, called with untyped pointers: what both sides call out of line.
template <std::size_t R>
NTSTATUS call_handler(void* context, const void* request, void* response,
                      std::uint32_t version) noexcept {
    using P = route_protocol_t<R>;
    auto& c = *static_cast<context_t*>(context);
    const auto& q = *static_cast<const kshake::request_t<P>*>(request);
    auto& a = *static_cast<kshake::response_t<P>*>(response);
    constexpr auto handler = route_t<R>::handler;
    if constexpr (requires { handler(c, q, a, version); }) {
        return static_cast<NTSTATUS>(handler(c, q, a, version));
    } else {
        static_cast<void>(version);
        return static_cast<NTSTATUS>(handler(c, q, a));
    }
}

// The handler kshake's routes run in the benchmark: the same out-of-line call as the C's.
template <std::size_t R, BENCH_USER_HANDLER Shim>
kshake::ntstatus via(context_t& context, const kshake::request_t<route_protocol_t<R>>& request,
                     kshake::response_t<route_protocol_t<R>>& response,
                     std::uint32_t version) noexcept {
    return Shim(&context, &request, &response, version);
}

// The request each offer sends, made once before anything is measured.
template <class P>
inline const typename P::request request_v = make_request<P>();

inline kshake::direct_pin<PKSPIN, KSHANDSHAKE, NTSTATUS, true> to_peer(PKSPIN peer) noexcept {
    return kshake::direct_pin(&peer->Handshake, peer);
}

template <class P, class Request>
NTSTATUS offer_one(PKSPIN peer, void* response, const Request& request) noexcept {
    const auto r = kshake::negotiate<P>(to_peer(peer), request);
    if (!r) {
        return r.status();
    }
    static_assert(sizeof(kshake::response_t<P>) <= BENCH_USER_RESPONSE_CAPACITY);
    std::memcpy(response, &*r, sizeof(kshake::response_t<P>));
    return STATUS_SUCCESS;
}

template <std::size_t I, class Result>
bool copy_if_accepted(const Result& r, void* response) noexcept {
    if (r.index() != I) {
        return false;
    }
    const auto value = r.template get<I>();
    std::memcpy(response, &value, sizeof value);
    return true;
}

template <class Result, std::size_t... Is>
NTSTATUS accepted(const Result& r, void* response, std::index_sequence<Is...>) noexcept {
    if (!r) {
        return r.status();
    }
    static_cast<void>((copy_if_accepted<Is>(r, response) || ...));
    return STATUS_SUCCESS;
}

// The cases of offer I: its own version (hit), a version above every route of its id (refused
// version), its payloads under an id no route has (unknown id), and negotiate_first falling
// through two refused versions to its own.
template <std::size_t I>
NTSTATUS hit(PKSPIN peer, void* response) noexcept {
    return offer_one<offer_t<I>>(peer, response, request_v<offer_t<I>>);
}
template <std::size_t I, std::uint32_t V>
NTSTATUS at_version(PKSPIN peer, void* response) noexcept {
    return offer_one<kshake::at_version<offer_t<I>, V>>(peer, response, request_v<offer_t<I>>);
}
template <std::size_t I, class Unknown>
NTSTATUS unknown(PKSPIN peer, void* response) noexcept {
    return offer_one<Unknown>(peer, response, request_v<offer_t<I>>);
}
template <std::size_t I, std::uint32_t Above>
NTSTATUS fall_through(PKSPIN peer, void* response) noexcept {
    using P = offer_t<I>;
    const auto& q = request_v<P>;
    const auto r =
        kshake::negotiate_first<kshake::at_version<P, Above + 1>, kshake::at_version<P, Above>, P>(
            to_peer(peer), q, q, q);
    return accepted(r, response, std::make_index_sequence<3>{});
}

// The whole list, as the initiator offers it: bench_offers::negotiate.
template <class... Ps>
NTSTATUS offer_all(PKSPIN peer, void* response, kshake::offer<Ps...>*) noexcept {
    const auto r = kshake::offer<Ps...>::negotiate(to_peer(peer), request_v<Ps>...);
    return accepted(r, response, std::index_sequence_for<Ps...>{});
}
inline NTSTATUS all_offers(PKSPIN peer, void* response) noexcept {
    return offer_all(peer, response, static_cast<offers_t*>(nullptr));
}

} // namespace bench_user
