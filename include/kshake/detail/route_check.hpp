// kshake/detail/route_check.hpp — a responder's routes checked at compile time: each route's shape,
// protocol, codec and handler, the responder's Context, and routes of one id at overlapping
// versions (responder.hpp).
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "../protocol.hpp"
#include "../wire.hpp"
#include "codec.hpp"
#include "freestanding.hpp"
#include "handler_check.hpp"
#include "pack.hpp"
#include "protocol_check.hpp"
#include "route_groups.hpp"

namespace kshake::detail {

template <class R>
concept route_like = requires {
    typename R::protocol;
    R::handler;
};

template <class Context, class R>
consteval bool check_route() noexcept {
    if constexpr (!route_like<R>) {
        static_assert(route_like<R>,
                      "kshake: a responder's routes must be kshake::route<Protocol, handler>: "
                      "responder<Context, route<P1, h1>, route<P2, h2>, ...>");
        return false;
    } else if constexpr (!check_protocol<typename R::protocol>()) {
        return false;
    } else if constexpr (!check_codec<typename R::protocol>()) {
        return false;
    } else {
        return check_handler<detail::remove_const_t<decltype(R::handler)>, Context,
                             typename R::protocol>();
    }
}

// Always false; named in the static_asserts when two routes of one id overlap, so that both
// protocols show in the error itself on every compiler.
template <class First, class Second>
inline constexpr bool protocol_version_ranges_disjoint = false;
template <class First, class Second>
inline constexpr bool raw_codec_id_served_once = false;

template <class First, class Second>
consteval bool overlapping_routes() noexcept {
    if constexpr (is_same_v<codec_t<First>, raw_codec> || is_same_v<codec_t<Second>, raw_codec>) {
        static_assert(raw_codec_id_served_once<First, Second>,
                      "kshake: two routes of one responder serve the same protocol id, and one "
                      "of them uses kshake::raw_codec (the two protocols are the arguments of "
                      "raw_codec_id_served_once<...>): a raw request carries no version to "
                      "choose a route by, so serve a raw protocol's id with one route");
    } else {
        static_assert(protocol_version_ranges_disjoint<First, Second>,
                      "kshake: two routes of one responder serve the same protocol id at "
                      "overlapping versions (the two protocols are the arguments of "
                      "protocol_version_ranges_disjoint<...>): routes of one id need disjoint "
                      "[min_version, version] ranges, one per request and response layout "
                      "(typed versions); or serve the id once");
    }
    return false;
}

template <class R>
inline constexpr uint32_t route_lowest_version =
    is_same_v<codec_t<typename R::protocol>, raw_codec> ? 0U : min_version_v<typename R::protocol>;
template <class R>
inline constexpr uint32_t route_highest_version =
    is_same_v<codec_t<typename R::protocol>, raw_codec> ? ~0U : version_v<typename R::protocol>;

// A braced list rather than a fold expression: clang caps fold expressions at 256 operands
// and a responder may hold 1024 routes.
template <size_t N>
consteval bool all_of(const bool (&values)[N]) noexcept {
    // NOLINTNEXTLINE(readability-use-anyofallof): <algorithm> would weigh on every includer
    for (const bool v : values) {
        if (!v) {
            return false;
        }
    }
    return true;
}

// Checked when the responder class is instantiated, before its member declarations would
// fail on a Context& that cannot be formed or on a table of zero routes.
template <class Context, size_t RouteCount>
consteval bool check_responder_shape() noexcept {
    if constexpr (route_like<Context>) {
        static_assert(!route_like<Context>,
                      "kshake: a responder's first argument is its Context (the type the pin's "
                      "Context points to), then its routes: responder<my_pin_state, route<P, "
                      "handler>, ...>");
        return false;
    } else if constexpr (detail::is_pointer_v<Context>) {
        static_assert(!detail::is_pointer_v<Context>,
                      "kshake: a responder's Context is the type the pin's Context points to, not "
                      "a pointer: responder<my_pin_state, ...> for Pin->Context == &state, with "
                      "handlers taking `my_pin_state&`");
        return false;
    } else if constexpr (!detail::is_object_v<Context> || detail::is_const_v<Context> ||
                         detail::is_volatile_v<Context>) {
        static_assert(detail::is_object_v<Context> && !detail::is_const_v<Context> &&
                          !detail::is_volatile_v<Context>,
                      "kshake: a responder's Context must be the (non-const) object type the "
                      "pin's Context points to: responder<my_pin_state, routes...>");
        return false;
    } else if constexpr (RouteCount == 0) {
        static_assert(RouteCount != 0,
                      "kshake: a responder needs at least one route: responder<Context, "
                      "route<P, handler>, ...>");
        return false;
    } else {
        return true;
    }
}

template <class Context, class... Routes>
consteval bool check_routes() noexcept {
    if constexpr (!check_responder_shape<Context, sizeof...(Routes)>()) {
        return false;
    } else if constexpr (!all_of({check_route<Context, Routes>()...})) {
        return false;
    } else {
        constexpr guid ids[] = {Routes::protocol::id...};
        constexpr uint32_t lowest[] = {route_lowest_version<Routes>...};
        constexpr uint32_t highest[] = {route_highest_version<Routes>...};
        constexpr route_pair overlap =
            find_overlapping_versions(group_routes_by_id(ids), lowest, highest);
        if constexpr (overlap.first != sizeof...(Routes)) {
            using first = typename pack_element_t<overlap.first, Routes...>::protocol;
            using second = typename pack_element_t<overlap.second, Routes...>::protocol;
            return overlapping_routes<first, second>();
        } else {
            return true;
        }
    }
}

} // namespace kshake::detail
