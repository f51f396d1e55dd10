// kshake/detail/negotiation.hpp — the initiator's machinery (kshake/initiator.hpp): the checks
// of a negotiate or negotiate_first call, the trace report of an offer, and negotiate_first's
// offers one by one.
// SPDX-License-Identifier: MIT
#pragma once

#include "../protocol.hpp"
#include "../result.hpp"
#include "../status.hpp"
#include "../trace.hpp"
#include "../transport.hpp"
#include "../wire.hpp"
#include "codec.hpp"
#include "freestanding.hpp"
#include "protocol_check.hpp"

namespace kshake::detail {
// request_t<P> when P has one, so that a bad P reaches check_protocol's messages instead of a
// "no matching function" error: the placeholder accepts any argument.
struct not_a_protocol_request {
    not_a_protocol_request() = default;
    template <class T>
    constexpr not_a_protocol_request(const T&) noexcept {}
};
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
template <class P>
using response_or_placeholder_t =
    detail::conditional_t<protocol<P>, typename response_or_placeholder<P>::type,
                          not_a_protocol_request>;

// What first_result is instantiated with when the offers are not all protocols, so that
// negotiate_first's return type does not fail before check_offers can say why.
struct not_a_protocol {
    static constexpr guid id{
        0x6B736861U, 0x656B, 0x6E6F, {0x74, 0x61, 0x70, 0x72, 0x6F, 0x74, 0x6F, 0x63}};
    using request = not_a_protocol_request;
    using response = not_a_protocol_request;
};
template <class... Ps>
struct first_result_for {
    using type = first_result<not_a_protocol>;
};
template <protocol... Ps>
    requires(sizeof...(Ps) != 0)
struct first_result_for<Ps...> {
    using type = first_result<Ps...>;
};
template <class... Ps>
using first_result_t = typename first_result_for<Ps...>::type;

// Always false; named in the static_assert of a call whose requests do not fit, so that the
// protocols and the request types given show in the error.
template <class Protocol, class Request>
inline constexpr bool request_type_matches_protocol = false;
template <class... ProtocolsThenRequests>
inline constexpr bool one_request_per_offer_in_order = false;

// A request argument is the protocol's own request type, exactly: a struct derived from it
// would bind to `const P::request&` and lose its extra members on the wire without a word.
// (The placeholder of a non-protocol takes anything, so that the protocol's message comes.)
template <class Request, class Expected>
inline constexpr bool request_fits =
    is_same_v<Expected, not_a_protocol_request> || is_same_v<remove_cv_t<Request>, Expected>;

template <class... Ps>
struct offered_requests {
    template <class... Requests>
    static consteval bool fit() noexcept {
        if constexpr (sizeof...(Requests) != sizeof...(Ps)) {
            return false;
        } else {
            return (request_fits<Requests, request_or_placeholder_t<Ps>> && ...);
        }
    }
};

// Tells a traced transport's hook how an offer ended. Called only under `if constexpr
// (has_trace_hook<Transport>)`: without a hook not even an empty function is instantiated (a debug
// build would give it a stack frame; docs/driver.md, "Stack usage").
template <class Transport>
inline constexpr bool has_trace_hook = is_traced_transport<remove_cvref_t<Transport>>;

template <class P, class Transport, class Exchange>
void report_offer(Transport& transport, size_t index, const Exchange& exchange,
                  const handshake& out, ntstatus transport_status, ntstatus outcome) noexcept {
    answer_rule rule = answer_rule::none;
    if (transport_status == status::success) {
        if (outcome != status::success) {
            rule = exchange.broken_rule(out);
        }
    } else if (nt_success(transport_status)) {
        rule = answer_rule::status_code;
    }
    transport.hook(offer_event{index, P::id, protocol_name<P>(), version_v<P>, transport_status,
                               outcome, rule});
}

template <class P, class T>
consteval bool check_negotiation() noexcept {
    // NOLINTNEXTLINE(bugprone-branch-clone): apart, so a bad P never instantiates check_codec
    if constexpr (!check_protocol<P>()) {
        return false;
    } else if constexpr (!check_codec<P>()) {
        return false;
    } else {
        return check_transport<T>();
    }
}

template <class... Ps>
consteval bool offers_are_distinct() noexcept {
    constexpr guid ids[] = {Ps::id...};
    constexpr uint32_t versions[] = {version_v<Ps>...};
    for (size_t i = 0; i < sizeof...(Ps); ++i) {
        for (size_t j = i + 1; j < sizeof...(Ps); ++j) {
            if (ids[i] == ids[j] && versions[i] == versions[j]) {
                return false;
            }
        }
    }
    return true;
}

// check_codec only for a protocol, so that a bad offer gives one error, not two.
template <class P>
consteval bool check_offer() noexcept {
    if constexpr (!check_protocol<P>()) {
        return false;
    } else {
        return check_codec<P>();
    }
}

template <class... Ps>
consteval bool check_offers() noexcept {
    if constexpr (sizeof...(Ps) == 0) {
        static_assert(sizeof...(Ps) != 0,
                      "kshake: negotiate_first needs at least one protocol: "
                      "negotiate_first<P1, P2, ...>(transport, request1, request2, ...)");
        return false;
    } else if constexpr (!(check_offer<Ps>() && ...)) {
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

// Makes the I-th offer and writes its outcome into `outcome`: true when the negotiation ends
// there, because the peer accepted the offer or broke the wire rules answering it.
// Each offer is its own call, so its envelopes are dead before the next offer is made and the
// stack a negotiate_first needs does not grow with the number of offers (a recursive search
// kept every refused offer's envelopes alive: 2 payloads of stack more per offer; docs/driver.md,
// "Stack usage"). A valid envelope answer is copied once, from the envelope into the outcome.
template <size_t I, class... Ps, class Transport, class... Requests>
[[nodiscard]] bool make_offer(first_result<Ps...>& outcome, Transport& transport,
                              const Requests&... requests) noexcept {
    using P = pack_element_t<I, Ps...>;
    typename wire_t<P>::template exchange<P> exchange{pack_value<I>(requests...)};
    // The peer may write `out` and still fail; only a success lets the answer be read.
    handshake out{};
    const auto s = static_cast<ntstatus>(transport(exchange.offer(), out));
    if (s != status::success) {
        ntstatus failure = s; // as in negotiate
        if (s >= 0) [[unlikely]] {
            failure = status::device_protocol_error;
        }
        first_result_access::refuse(outcome, I, failure);
        if constexpr (has_trace_hook<Transport>) {
            report_offer<P>(transport, I, exchange, out, s, failure);
        }
        // A broken answer ends the negotiation: the peer may believe it agreed (docs/wire.md §2.5).
        return failure == status::device_protocol_error;
    }
    if (!exchange.answer_is_valid(out)) {
        first_result_access::refuse(outcome, I, status::device_protocol_error);
        if constexpr (has_trace_hook<Transport>) {
            report_offer<P>(transport, I, exchange, out, s, status::device_protocol_error);
        }
        return true;
    }
    first_result_access::accept<I>(outcome, exchange.answer(out), version_v<P>);
    if constexpr (has_trace_hook<Transport>) {
        report_offer<P>(transport, I, exchange, out, s, status::success);
    }
    return true;
}

// The offers in order until one is accepted or answered against the rules; the outcome holds
// the last refusal otherwise.
template <class... Ps, size_t... Is, class Transport, class... Requests>
[[nodiscard]] first_result<Ps...> offer_in_order(index_sequence<Is...>, Transport& transport,
                                                 const Requests&... requests) noexcept {
    // Every path below writes the status, and the statuses that status_of then reads.
    first_result<Ps...> outcome = first_result_access::unwritten<Ps...>();
    static_cast<void>((make_offer<Is>(outcome, transport, requests...) || ...));
    return outcome;
}
} // namespace kshake::detail
