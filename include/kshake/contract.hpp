// kshake contract checks: will an initiating pin and a responding pin, built in one code base,
// ever agree on a protocol? Answered at compile time from the offer list and the routes.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/agreement.hpp"
#include "detail/freestanding.hpp"
#include "guid.hpp"
#include "initiator.hpp"
#include "protocol.hpp"
#include "responder.hpp"
#include "wire.hpp"

namespace kshake {

// An initiator's offer list, in preference order: the protocols it gives negotiate_first, as
// one type that both the call and the contract check can name.
//
//   using source_offers = kshake::offer<kshake::at_version<pool, 3>, kshake::at_version<pool, 2>>;
//   static_assert(kshake::must_agree<source_offers, sink_responder>);
//   const auto r = source_offers::negotiate(transport, pool_request{}, pool_request{});
template <class... Ps>
struct offer {
    static constexpr size_t size = sizeof...(Ps);
    // agreed_offer_v's answer when no offer would be agreed; equals first_result<Ps...>::none.
    static constexpr size_t none = sizeof...(Ps);

    // negotiate_first<Ps...>: the offers checked at compile time are the ones sent.
    template <class Transport>
    KSHAKE_DETAIL_NODISCARD_FIRST_RESULT static detail::first_result_t<Ps...>
    negotiate(Transport&& transport,
              const detail::request_or_placeholder_t<Ps>&... requests) noexcept {
        return negotiate_first<Ps...>(static_cast<Transport&&>(transport), requests...);
    }
    // Requests that do not match the offers one for one: negotiate_first's own message.
    template <class Transport, class... Requests>
        requires(!detail::offered_requests<Ps...>::template fit<Requests...>())
    KSHAKE_DETAIL_NODISCARD_FIRST_RESULT static detail::first_result_t<Ps...>
    negotiate(Transport&& transport, const Requests&... requests) noexcept {
        return negotiate_first<Ps...>(static_cast<Transport&&>(transport), requests...);
    }
};

// The index in Offers of the offer that negotiate_first would see accepted by Responder (the
// first one, in preference order, that a route accepts), or Offers::none. An offer is accepted
// when a route has its id, the same codec, the same request and response types and, for the
// envelope codec, a [min_version, version] range holding the offered version_v. It assumes every
// handler succeeds: a handler's run-time refusal is not a compile-time fact.
template <class Offers, class Responder>
    requires(detail::is_offer<Offers> && detail::has_routes<Responder>)
inline constexpr size_t agreed_offer_v =
    detail::agreement<Offers, typename Responder::routes>::first();

// True when some offer would be agreed. A plain concept: usable in if constexpr, in requires
// clauses and negated in tests. For a check that explains a failure, use must_agree.
template <class Offers, class Responder>
concept agrees = detail::is_offer<Offers> && detail::has_routes<Responder> &&
                 agreed_offer_v<Offers, Responder> != Offers::none;

// For `static_assert(kshake::must_agree<source_offers, sink_responder>);`: true when the pins
// agree, otherwise a compile error that says why (no shared id, another codec, other payload
// types, or no offered version in the route's range) and names the protocols concerned. It also
// runs the offers' and the routes' own checks.
template <class Offers, class Responder>
inline constexpr bool must_agree = detail::check_agreement<Offers, Responder>();

} // namespace kshake

// What agreed_protocol_t and agreed_version_v read; it names agreed_offer_v above.
#include "detail/agreed_offer.hpp"

namespace kshake {

// The offer that would be agreed, and the version it would be spoken at; for pins that do not
// agree, must_agree's error.
template <class Offers, class Responder>
using agreed_protocol_t = typename detail::agreed_offer<Offers, Responder>::type;
template <class Offers, class Responder>
inline constexpr uint32_t agreed_version_v = detail::agreed_offer<Offers, Responder>::version;

} // namespace kshake
