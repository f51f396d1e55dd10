// kshake::negotiate — the initiating pin's side: offer a protocol, get a typed answer.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/codec.hpp"
#include "detail/freestanding.hpp"
#include "detail/negotiation.hpp"
#include "detail/protocol_check.hpp"
#include "protocol.hpp"
#include "result.hpp"
#include "status.hpp"
#include "trace.hpp"
#include "transport.hpp"
#include "wire.hpp"

namespace kshake {

// Offers protocol P once. Success only when the peer accepted *and* its answer obeys the wire
// rules; a peer that breaks them gives status::device_protocol_error.
template <class P, class Transport>
KSHAKE_DETAIL_NODISCARD_RESULT auto
negotiate(Transport&& transport, const detail::request_or_placeholder_t<P>& request) noexcept
    -> result<detail::response_or_placeholder_t<P>> {
    using response_type = detail::response_or_placeholder_t<P>;
    if constexpr (!detail::check_negotiation<P, Transport>()) {
        return result<response_type>{status::invalid_parameter};
    } else {
        // make_offer's steps, with the result built straight from the response envelope: going
        // through a local response and version cost instructions on every negotiation
        // (docs/benchmarks.md, "What the measurements changed in kshake").
        typename detail::wire_t<P>::template exchange<P> exchange{request};
        // The peer may write `out` and still fail; only a success lets the answer be read.
        handshake out{};
        const auto s = static_cast<ntstatus>(transport(exchange.offer(), out));
        if (s != status::success) {
            // A failure status is the peer's refusal, passed on as it is; another success code
            // (STATUS_PENDING, an informational 0x4...) is no answer a synchronous handshake can
            // give: a broken answer (docs/wire.md §2.5). Written out rather than a helper, which
            // a debug build gives a stack frame; as a branch, which clang-19 does not turn into a
            // conditional move on the refusal's path.
            ntstatus failure = s;
            if (s >= 0) [[unlikely]] {
                failure = status::device_protocol_error;
            }
            if constexpr (detail::has_trace_hook<Transport>) {
                detail::report_offer<P>(transport, 0, exchange, out, s, failure);
            }
            return result<response_type>{failure};
        }
        if (!exchange.answer_is_valid(out)) {
            if constexpr (detail::has_trace_hook<Transport>) {
                detail::report_offer<P>(transport, 0, exchange, out, s,
                                        status::device_protocol_error);
            }
            return result<response_type>{status::device_protocol_error};
        }
        if constexpr (detail::has_trace_hook<Transport>) {
            detail::report_offer<P>(transport, 0, exchange, out, s, status::success);
        }
        return result<response_type>{exchange.answer(out), version_v<P>};
    }
}

// A request of another type than P::request (a derived struct included): one message rather
// than "no matching function" or a silently sliced request.
template <class P, class Transport, class Request>
    requires(!detail::request_fits<Request, detail::request_or_placeholder_t<P>>)
KSHAKE_DETAIL_NODISCARD_RESULT auto negotiate(Transport&&, const Request&) noexcept
    -> result<detail::response_or_placeholder_t<P>> {
    // A broken protocol is the first thing to fix (its request type may be what broke).
    if constexpr (detail::check_protocol<P>()) {
        static_assert(detail::request_type_matches_protocol<P, Request>,
                      "kshake: negotiate<P>(transport, request): the request must be a "
                      "P::request, the protocol's own request struct");
    }
    return result<detail::response_or_placeholder_t<P>>{status::invalid_parameter};
}

// Offers P1, then P2, ... in preference order (as ALPN does) and stops at the first the peer
// accepts. A refusal moves on to the next offer; when all are refused the result carries the
// last refusal's status. An offer that ends with STATUS_DEVICE_PROTOCOL_ERROR (a success answer
// that breaks the wire rules, or a transport reporting one) ends the negotiation there.
template <class... Ps, class Transport>
KSHAKE_DETAIL_NODISCARD_FIRST_RESULT detail::first_result_t<Ps...>
negotiate_first(Transport&& transport,
                const detail::request_or_placeholder_t<Ps>&... requests) noexcept {
    if constexpr (detail::check_offers<Ps...>() && detail::check_transport<Transport>()) {
        return detail::offer_in_order<Ps...>(detail::index_sequence_for<Ps...>{}, transport,
                                             requests...);
    } else {
        return detail::first_result_t<Ps...>{status::invalid_parameter};
    }
}

// Requests that do not match the offers one for one: one message rather than "no matching
// function".
template <class... Ps, class Transport, class... Requests>
    requires(!detail::offered_requests<Ps...>::template fit<Requests...>())
KSHAKE_DETAIL_NODISCARD_FIRST_RESULT detail::first_result_t<Ps...>
negotiate_first(Transport&&, const Requests&...) noexcept {
    if constexpr (detail::check_offers<Ps...>()) {
        static_assert(detail::one_request_per_offer_in_order<Ps..., Requests...>,
                      "kshake: negotiate_first<P1, P2, ...>(transport, request1, request2, ...) "
                      "takes one request per offered protocol, in the same order, each that "
                      "protocol's P::request");
    }
    return detail::first_result_t<Ps...>{status::invalid_parameter};
}

} // namespace kshake
