// kshake/detail/agreed_offer.hpp — the offer and version behind kshake::agreed_protocol_t and
// agreed_version_v (kshake/contract.hpp).
// SPDX-License-Identifier: MIT
//
// Part of kshake/contract.hpp, which includes it after agreed_offer_v and before the two names it
// answers; not a header to include on its own.
#pragma once

#include "../protocol.hpp"
#include "agreement.hpp"
#include "freestanding.hpp"

namespace kshake::detail {

// agreed_protocol_t and agreed_version_v, answered only once must_agree's checks have passed:
// pins that do not agree get its kshake: message, naming the offers and the routes (a
// constraint on the alias would report an unsatisfied constraint first). After that message,
// `void` and 0, so that the misuse adds no error of its own.
template <class Offers, class Responder, bool Agree = check_agreement<Offers, Responder>()>
struct agreed_offer {
    using type = void;
    static constexpr uint32_t version = 0;
};
template <class Offers, class Responder>
struct agreed_offer<Offers, Responder, true> {
    using type = typename offer_element<agreed_offer_v<Offers, Responder>, Offers>::type;
    static constexpr uint32_t version = version_v<type>;
};

} // namespace kshake::detail
