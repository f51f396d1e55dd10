// kshake::responder — the receiving pin's side: a compile-time table from protocol id to a
// typed handler, exposed as a PFNKSPINHANDSHAKE-shaped function.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/route_table.hpp"
#include "handshake.hpp"
#include "protocol.hpp"
#include "result.hpp"
#include "status.hpp"
#include "wire.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace kshake {

// Binds protocol P to a handler: a function, or a stateless function object, of the form
//   ntstatus handler(Context& context, const P::request& request, P::response& response) noexcept
// or with a fourth parameter `std::uint32_t version` (the version the initiator spoke, within
// [min_version, version]). The response starts zero-filled; it reaches the peer only if the
// handler succeeds.
template <class P, auto Handler>
struct route {
    using protocol = P;
    static constexpr auto handler = Handler;
};

// The pin's context, found by shape: KSPIN's `Context` member (a kernel pin), or a `context()`
// member function (kshake::mock::pin).
template <class Pin>
[[nodiscard]] void* pin_context(Pin pin) noexcept {
    if constexpr (requires { pin->Context; }) {
        return pin->Context;
    } else {
        static_assert(requires { pin->context(); },
                      "kshake: responder::callback needs a pin pointer with a `Context` member "
                      "(KSPIN) or a `context()` member function (kshake::mock::pin)");
        return pin->context();
    }
}

namespace detail {

template <class Handler, class Context, class P>
consteval int handler_arity() noexcept {
    using request_type = request_t<P>;
    using response_type = response_t<P>;
    using three = ntstatus(Context&, const request_type&, response_type&) noexcept;
    using four = ntstatus(Context&, const request_type&, response_type&, std::uint32_t) noexcept;
    if constexpr (std::is_pointer_v<Handler> && std::is_function_v<std::remove_pointer_t<Handler>>) {
        using function = std::remove_pointer_t<Handler>;
        return std::is_same_v<function, three> ? 3 : std::is_same_v<function, four> ? 4 : 0;
    } else if constexpr (std::is_class_v<Handler> && requires { &Handler::operator(); }) {
        using member = decltype(&Handler::operator());
        using three_member =
            ntstatus (Handler::*)(Context&, const request_type&, response_type&) const noexcept;
        using four_member = ntstatus (Handler::*)(Context&, const request_type&, response_type&,
                                                  std::uint32_t) const noexcept;
        return std::is_same_v<member, three_member> ? 3
               : std::is_same_v<member, four_member> ? 4
                                                      : 0;
    } else {
        return 0;
    }
}

template <class R>
concept route_like = requires {
    typename R::protocol;
    R::handler;
};

template <class Context, class R>
consteval bool check_route() noexcept {
    if constexpr (!route_like<R>) {
        static_assert(route_like<R>,
                      "kshake: a responder's routes must be kshake::route<Protocol, handler>");
        return false;
    } else if constexpr (!check_protocol<typename R::protocol>() ||
                         !check_codec<typename R::protocol>()) {
        return false;
    } else if constexpr (handler_arity<std::remove_const_t<decltype(R::handler)>, Context,
                                       typename R::protocol>() == 0) {
        static_assert(handler_arity<std::remove_const_t<decltype(R::handler)>, Context,
                                    typename R::protocol>() != 0,
                      "kshake: a route's handler must be `kshake::ntstatus (Context&, const "
                      "P::request&, P::response&) noexcept`, optionally with a fourth "
                      "`std::uint32_t version` parameter (check the request/response types, "
                      "the const on the request, the return type and noexcept)");
        return false;
    } else {
        return true;
    }
}

// Named in the error when two routes share an id, so the message shows both protocols.
template <class First, class Second>
consteval bool duplicate_protocol_id() noexcept {
    static_assert(sizeof(First) == 0,
                  "kshake: two routes of one responder serve the same protocol id: First and "
                  "Second above (serve each id once; one route covers a version range)");
    return false;
}

// A braced list rather than a fold expression: clang caps fold expressions at 256 operands
// and a responder may hold 1024 routes.
template <std::size_t N>
consteval bool all_of(const bool (&values)[N]) noexcept {
    for (const bool v : values) {
        if (!v) {
            return false;
        }
    }
    return true;
}

template <class Context, class... Routes>
consteval bool check_routes() noexcept {
    if constexpr (sizeof...(Routes) == 0) {
        static_assert(sizeof...(Routes) != 0, "kshake: a responder needs at least one route");
        return false;
    } else if constexpr (!all_of({check_route<Context, Routes>()...})) {
        return false;
    } else {
        constexpr guid ids[] = {Routes::protocol::id...};
        constexpr duplicate_pair dup = find_duplicate_id(ids);
        if constexpr (dup.first != sizeof...(Routes)) {
            return duplicate_protocol_id<typename nth_t<dup.first, Routes...>::protocol,
                                         typename nth_t<dup.second, Routes...>::protocol>();
        } else {
            return true;
        }
    }
}

} // namespace detail

template <class Context, class... Routes>
class responder {
    static constexpr bool valid = detail::check_routes<Context, Routes...>();

  public:
    using context_type = Context;
    static constexpr std::size_t route_count = sizeof...(Routes);

    // Serves one handshake for `context`. In and Out are the peer's; on any failure nothing the
    // caller owns (Out, the request, the response buffer) is written.
    [[nodiscard]] static ntstatus serve(Context& context, const handshake* in,
                                        handshake* out) noexcept {
        if (in == nullptr || out == nullptr) {
            return status::invalid_parameter;
        }
        return serve_copied(context, *in, out);
    }

    // The PFNKSPINHANDSHAKE shape: `Status callback(Pin, Handshake* In, Handshake* Out)`, where
    // Handshake is KSHANDSHAKE (or kshake::handshake) and Status is NTSTATUS (or
    // kshake::ntstatus). The pin's context must point to a Context.
    template <class Pin, class Handshake = handshake, class Status = ntstatus>
    static Status callback(Pin pin, Handshake* in, Handshake* out) noexcept {
        static_assert(sizeof(Handshake) == sizeof(handshake) &&
                          std::is_trivially_copyable_v<Handshake>,
                      "kshake: the callback's handshake type must have KSHANDSHAKE's layout");
        if (in == nullptr || out == nullptr) {
            return static_cast<Status>(status::invalid_parameter);
        }
        void* const context = pin == nullptr ? nullptr : pin_context(pin);
        if (context == nullptr) {
            return static_cast<Status>(status::invalid_device_state);
        }
        handshake request{};
        std::memcpy(&request, in, sizeof request);
        handshake reply{};
        const ntstatus s = dispatch(*static_cast<Context*>(context), request, reply, out);
        if (nt_success(s)) {
            std::memcpy(out, &reply, sizeof reply);
        }
        return static_cast<Status>(s);
    }

  private:
    using entry = ntstatus (*)(Context&, const handshake&, handshake&, const void*) noexcept;

    [[nodiscard]] static ntstatus serve_copied(Context& context, const handshake request,
                                               handshake* out) noexcept {
        handshake reply{};
        const ntstatus s = dispatch(context, request, reply, out);
        if (nt_success(s)) {
            *out = reply;
        }
        return s;
    }

    template <class R>
    static ntstatus serve_route(Context& context, const handshake& in, handshake& reply,
                                const void* out_address) noexcept {
        using P = typename R::protocol;
        using codec = codec_t<P>;
        typename codec::template decoded<P> decoded{};
        ntstatus s = codec::template decode_request<P>(in, out_address, decoded);
        if (!nt_success(s)) {
            return s;
        }
        response_t<P> response{};
        if constexpr (detail::handler_arity<std::remove_const_t<decltype(R::handler)>, Context,
                                            P>() == 4) {
            s = R::handler(context, decoded.request, response, decoded.version);
        } else {
            s = R::handler(context, decoded.request, response);
        }
        if (!nt_success(s)) {
            return s;
        }
        codec::template encode_response<P>(decoded, response, reply);
        return status::success;
    }

    static constexpr guid ids[] = {Routes::protocol::id...};

    // Constant-initialised tables (no function-local statics, no dynamic initialisation); a
    // nested class so they exist only for responders of two routes or more.
    struct lookup {
        static constexpr detail::route_table<sizeof...(Routes)> table =
            detail::build_route_table(ids);
        static_assert(table.built, "kshake: could not build the route table");
        static constexpr entry entries[] = {&serve_route<Routes>...};
    };

    [[nodiscard]] static ntstatus dispatch(Context& context, const handshake& in, handshake& reply,
                                           const void* out_address) noexcept {
        if constexpr (!valid) {
            return status::invalid_device_request;
        } else if constexpr (sizeof...(Routes) == 1) {
            if (detail::same_guid(in.protocol_id, ids[0])) {
                return serve_route<Routes...>(context, in, reply, out_address);
            }
            return status::invalid_device_request;
        } else {
            const std::size_t index = lookup::table.find(in.protocol_id);
            if (index < sizeof...(Routes) && detail::same_guid(ids[index], in.protocol_id)) {
                return lookup::entries[index](context, in, reply, out_address);
            }
            return status::invalid_device_request;
        }
    }
};

} // namespace kshake
