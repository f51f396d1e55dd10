// kshake::negotiate — the initiating pin's side: offer a protocol, get a typed answer.
// SPDX-License-Identifier: MIT
#pragma once

#include "protocol.hpp"
#include "result.hpp"
#include "status.hpp"
#include "transport.hpp"
#include "wire.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace kshake {

namespace detail {
// request_t<P> when P has one, so that a bad P reaches check_protocol's messages instead of a
// "no matching function" error.
struct not_a_protocol_request {};
template <class P>
struct request_or_placeholder {
    using type = not_a_protocol_request;
};
template <class P>
    requires requires { typename P::request; }
struct request_or_placeholder<P> {
    using type = typename P::request;
};
template <class P>
using request_or_placeholder_t = typename request_or_placeholder<P>::type;

template <class P>
struct response_or_placeholder {
    using type = not_a_protocol_request;
};
template <class P>
    requires requires { typename P::response; }
struct response_or_placeholder<P> {
    using type = typename P::response;
};

template <class P, class T>
consteval bool check_negotiation() noexcept {
    if constexpr (!check_protocol<P>()) {
        return false;
    } else if constexpr (!check_codec<P>()) {
        return false;
    } else {
        return check_transport<T>();
    }
}

} // namespace detail

// Offers protocol P once. Success only when the peer accepted *and* its answer obeys the wire
// rules; a peer that breaks them gives status::device_protocol_error.
template <class P, class Transport>
[[nodiscard]] auto negotiate(Transport&& transport,
                             const detail::request_or_placeholder_t<P>& request) noexcept
    -> result<std::conditional_t<protocol<P>, typename detail::response_or_placeholder<P>::type,
                                 detail::not_a_protocol_request>> {
    using response_type =
        std::conditional_t<protocol<P>, typename detail::response_or_placeholder<P>::type,
                           detail::not_a_protocol_request>;
    if constexpr (!detail::check_negotiation<P, Transport>()) {
        return result<response_type>{status::invalid_parameter};
    } else {
        // detail::offer's steps, with the result built by the exchange straight from the
        // response envelope: going through a local response and version cost 4 instructions a
        // negotiation (tools/bench_instructions.py).
        typename codec_t<P>::template exchange<P> exchange{request};
        // The peer may write `out` and still fail; only a success lets accept() read anything.
        handshake out{};
        const ntstatus s = transport(exchange.offer(), out);
        if (!nt_success(s)) {
            return result<response_type>{s};
        }
        return exchange.accept(out);
    }
}

namespace detail {
template <class... Ps>
consteval bool offers_are_distinct() noexcept {
    constexpr guid ids[] = {Ps::id...};
    constexpr std::uint32_t versions[] = {version_v<Ps>...};
    for (std::size_t i = 0; i < sizeof...(Ps); ++i) {
        for (std::size_t j = i + 1; j < sizeof...(Ps); ++j) {
            if (ids[i] == ids[j] && versions[i] == versions[j]) {
                return false;
            }
        }
    }
    return true;
}

template <class... Ps>
consteval bool check_offers() noexcept {
    if constexpr (sizeof...(Ps) == 0) {
        static_assert(sizeof...(Ps) != 0, "kshake: negotiate_first needs at least one protocol");
        return false;
    } else if constexpr (!(check_protocol<Ps>() && ...) || !(check_codec<Ps>() && ...)) {
        return false;
    } else if constexpr (!offers_are_distinct<Ps...>()) {
        static_assert(offers_are_distinct<Ps...>(),
                      "kshake: negotiate_first offers the same protocol at the same version "
                      "twice; offer each (id, version) once, e.g. at_version<P, 2> then "
                      "at_version<P, 1>");
        return false;
    } else {
        return true;
    }
}

template <std::size_t I, class First, class... Rest>
[[nodiscard]] constexpr const auto& nth_value(const First& first, const Rest&... rest) noexcept {
    if constexpr (I == 0) {
        return first;
    } else {
        return nth_value<I - 1>(rest...);
    }
}

// Offers the I-th protocol and, if it is refused, the next. The outcome is built once, by the
// offer that ends the search: rebuilding it after every refusal cost about 25 instructions an
// offer (tools/bench_instructions.py, negotiate_first cases).
template <std::size_t I, class... Ps, class Transport, class... Requests>
[[nodiscard]] first_result<Ps...> offer_from(std::type_identity<first_result<Ps...>> tag,
                                             Transport& transport,
                                             const Requests&... requests) noexcept {
    using P = nth_t<I, Ps...>;
    typename codec_t<P>::template exchange<P> exchange{nth_value<I>(requests...)};
    // The peer may write `out` and still fail; only a success lets accept() read anything.
    handshake out{};
    ntstatus s = transport(exchange.offer(), out);
    if (nt_success(s)) {
        response_t<P> response{};
        std::uint32_t version = 0;
        s = exchange.accept(out, response, version);
        if (nt_success(s)) {
            return first_result<Ps...>::template accepted_at<I>(response, version);
        }
    }
    if constexpr (I + 1 < sizeof...(Ps)) {
        return offer_from<I + 1>(tag, transport, requests...);
    } else {
        return first_result<Ps...>{s};
    }
}
} // namespace detail

// Offers P1, then P2, ... in preference order (as ALPN does) and stops at the first the peer
// accepts. Every refusal, whatever its status, moves on to the next offer; when all are
// refused the result carries the last refusal's status.
template <class... Ps, class Transport>
[[nodiscard]] first_result<Ps...>
negotiate_first(Transport&& transport,
                const detail::request_or_placeholder_t<Ps>&... requests) noexcept {
    if constexpr (detail::check_offers<Ps...>() && detail::check_transport<Transport>()) {
        return detail::offer_from<0>(std::type_identity<first_result<Ps...>>{}, transport,
                                     requests...);
    } else {
        return first_result<Ps...>{status::invalid_parameter};
    }
}

} // namespace kshake
