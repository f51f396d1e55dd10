// kshake/detail/agreement.hpp — whether an offer list and a responder's routes agree, at compile
// time, and must_agree's messages when they do not (kshake/contract.hpp).
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "../initiator.hpp"
#include "../protocol.hpp"
#include "../responder.hpp"
#include "../wire.hpp"
#include "codec.hpp"
#include "freestanding.hpp"

namespace kshake {

template <class... Ps>
struct offer;

namespace detail {

template <class T>
inline constexpr bool is_offer = false;
template <class... Ps>
inline constexpr bool is_offer<kshake::offer<Ps...>> = true;

template <class T>
inline constexpr bool is_route_list = false;
template <class... Rs>
inline constexpr bool is_route_list<route_list<Rs...>> = true;

// A kshake::responder, or anything else that names its routes and its context the same way.
template <class R>
concept has_routes = requires {
    typename R::routes;
    typename R::context_type;
    requires is_route_list<typename R::routes>;
};

template <size_t I, class Offers>
struct offer_element;
template <size_t I, class... Ps>
struct offer_element<I, kshake::offer<Ps...>> {
    using type = pack_element_t<I, Ps...>;
};

template <class R>
consteval bool route_has_protocol() noexcept {
    if constexpr (route_like<R>) {
        return protocol<typename R::protocol>;
    } else {
        return false;
    }
}

template <class R>
consteval guid route_id() noexcept {
    if constexpr (route_has_protocol<R>()) {
        return R::protocol::id;
    } else {
        return guid{};
    }
}

// The parts of agreement beyond the id, one by one, for the diagnostics.
template <class O, class S>
inline constexpr bool same_codec = detail::is_same_v<detail::codec_t<O>, detail::codec_t<S>>;
template <class O, class S>
inline constexpr bool same_payloads = detail::is_same_v<request_t<O>, request_t<S>> &&
                                      detail::is_same_v<response_t<O>, response_t<S>>;
// The raw codec carries no version, so only the envelope's version must lie in the range.
template <class O, class S>
inline constexpr bool version_in_range =
    detail::is_same_v<detail::codec_t<O>, raw_codec> ||
    (version_v<O> >= min_version_v<S> && version_v<O> <= version_v<S>);

// Would a route serving protocol S accept protocol O as the initiator sends it? Same id, same
// codec, same request and response types, and O's version within S's [min_version, version].
template <class O, class S>
consteval bool route_accepts() noexcept {
    if constexpr (!protocol<O> || !protocol<S>) {
        return false;
    } else if constexpr (!(O::id == S::id)) {
        return false;
    } else {
        return same_codec<O, S> && same_payloads<O, S> && version_in_range<O, S>;
    }
}

template <class R>
consteval uint32_t route_lowest() noexcept {
    if constexpr (route_has_protocol<R>()) {
        return route_lowest_version<R>;
    } else {
        return 0;
    }
}
template <class R>
consteval uint32_t route_highest() noexcept {
    if constexpr (route_has_protocol<R>()) {
        return route_highest_version<R>;
    } else {
        return 0;
    }
}

// Where the routes serve protocol O: the route of O's id whose version range holds O's version
// (a raw-codec route holds every version); failing that, the first route of O's id, whose
// differences explain the refusal; sizeof...(Rs) if no route has the id.
template <class O, class... Rs>
consteval size_t route_for() noexcept {
    if constexpr (sizeof...(Rs) == 0 || !protocol<O>) {
        return sizeof...(Rs);
    } else {
        constexpr guid ids[] = {route_id<Rs>()...};
        constexpr bool usable[] = {route_has_protocol<Rs>()...};
        constexpr uint32_t lowest[] = {route_lowest<Rs>()...};
        constexpr uint32_t highest[] = {route_highest<Rs>()...};
        size_t first_of_id = sizeof...(Rs);
        for (size_t j = 0; j < sizeof...(Rs); ++j) {
            if (usable[j] && ids[j] == O::id) {
                if (lowest[j] <= version_v<O> && version_v<O> <= highest[j]) {
                    return j;
                }
                first_of_id = first_of_id == sizeof...(Rs) ? j : first_of_id;
            }
        }
        return first_of_id;
    }
}

template <class Offers, class Routes>
struct agreement;
template <class... Ps, class... Rs>
struct agreement<kshake::offer<Ps...>, route_list<Rs...>> {
    template <class O>
    static consteval bool accepted() noexcept {
        constexpr size_t j = route_for<O, Rs...>();
        if constexpr (j == sizeof...(Rs)) {
            return false;
        } else {
            return route_accepts<O, typename pack_element_t<j, Rs...>::protocol>();
        }
    }

    // The first offer, in preference order, that some route accepts; sizeof...(Ps) if none.
    static consteval size_t first() noexcept {
        if constexpr (sizeof...(Ps) == 0) {
            return 0;
        } else {
            constexpr bool ok[] = {accepted<Ps>()...};
            for (size_t i = 0; i < sizeof...(Ps); ++i) {
                if (ok[i]) {
                    return i;
                }
            }
            return sizeof...(Ps);
        }
    }

    // The first offer whose id some route serves (whatever else differs); sizeof...(Ps) if none.
    static consteval size_t first_with_served_id() noexcept {
        if constexpr (sizeof...(Ps) == 0) {
            return 0;
        } else {
            constexpr bool served[] = {(route_for<Ps, Rs...>() != sizeof...(Rs))...};
            for (size_t i = 0; i < sizeof...(Ps); ++i) {
                if (served[i]) {
                    return i;
                }
            }
            return sizeof...(Ps);
        }
    }
};

// Always false; named in the static_asserts below so that the offers, the routes, or the
// offer and the route protocol in question show in the error itself.
template <class Offers, class Routes>
inline constexpr bool responder_serves_an_offered_id = false;
template <class Offered, class Served>
inline constexpr bool offer_and_route_use_one_codec = false;
template <class Offered, class Served>
inline constexpr bool offer_and_route_use_one_request_and_response = false;
template <class Offered, class Served>
inline constexpr bool offered_version_within_route_range = false;

template <class Offers, class Responder, class Routes>
struct agreement_check;
template <class... Ps, class Responder, class... Rs>
struct agreement_check<kshake::offer<Ps...>, Responder, route_list<Rs...>> {
    using found = agreement<kshake::offer<Ps...>, route_list<Rs...>>;

    // Why no offer is accepted, about the first offer (in preference order) whose id is served.
    static consteval bool explain() noexcept {
        constexpr size_t i = found::first_with_served_id();
        if constexpr (i == sizeof...(Ps)) {
            static_assert(responder_serves_an_offered_id<kshake::offer<Ps...>, route_list<Rs...>>,
                          "kshake: these pins can never agree: the responder serves none of the "
                          "offered protocol ids (add a route for one of the offers, or offer a "
                          "protocol the responder serves)");
            return false;
        } else {
            using O = pack_element_t<i, Ps...>;
            using S = typename pack_element_t<route_for<O, Rs...>(), Rs...>::protocol;
            // With no route of the id at O's version (typed versions), that is the reason, whatever
            // the first route of the id holds.
            if constexpr (same_codec<O, S> && !version_in_range<O, S>) {
                static_assert(offered_version_within_route_range<O, S>,
                              "kshake: these pins can never agree: the responder serves an "
                              "offered protocol id, but no version offered for it lies within "
                              "the [min_version, version] of a route of that id: offer one that "
                              "does (kshake::at_version<P, V>) or widen a route's range");
                return false;
            } else if constexpr (!same_codec<O, S>) {
                static_assert(offer_and_route_use_one_codec<O, S>,
                              "kshake: these pins can never agree: an offer and a route share a "
                              "protocol id but not a codec (envelope_codec on one side, "
                              "raw_codec on the other): define the protocol once for both pins");
                return false;
            } else {
                static_assert(offer_and_route_use_one_request_and_response<O, S>,
                              "kshake: these pins can never agree: an offer and a route share a "
                              "protocol id but not its request and response types: define the "
                              "protocol once for both pins");
                return false;
            }
        }
    }

    static consteval bool check() noexcept {
        if constexpr (!check_offers<Ps...>()) {
            return false;
        } else if constexpr (!check_routes<typename Responder::context_type, Rs...>()) {
            return false;
        } else if constexpr (found::first() != sizeof...(Ps)) {
            return true;
        } else {
            return explain();
        }
    }
};

template <class Offers, class Responder>
consteval bool check_agreement() noexcept {
    if constexpr (!is_offer<Offers>) {
        static_assert(is_offer<Offers>,
                      "kshake: the first argument of must_agree/agrees/agreed_offer_v must be "
                      "kshake::offer<P1, P2, ...>: the protocols given to negotiate_first, in "
                      "order");
        return false;
    } else if constexpr (!has_routes<Responder>) {
        static_assert(has_routes<Responder>,
                      "kshake: the second argument of must_agree/agrees/agreed_offer_v must be "
                      "a kshake::responder<Context, route<P, handler>...>");
        return false;
    } else {
        return agreement_check<Offers, Responder, typename Responder::routes>::check();
    }
}

} // namespace detail

} // namespace kshake
