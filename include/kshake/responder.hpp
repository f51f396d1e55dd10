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

template <class Context, class... Routes>
consteval bool check_routes() noexcept {
    if constexpr (sizeof...(Routes) == 0) {
        static_assert(sizeof...(Routes) != 0, "kshake: a responder needs at least one route");
        return false;
    } else if constexpr (!(check_route<Context, Routes>() && ...)) {
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

// In and Out may be the platform's KSHANDSHAKE, so they are read and written as bytes, never
// through a cast pointer; field by field, because g++ 12 copies a whole 32-byte handshake
// through vector registers and a stack temporary that the hot path then reloads (8
// instructions a negotiation more than these scalar copies; tools/bench_instructions.py).
// In is the peer's: it is read once (no double fetch).
[[nodiscard]] inline handshake read_handshake(const void* from) noexcept {
    const auto* const bytes = static_cast<const unsigned char*>(from);
    handshake h;
    std::memcpy(&h.protocol_id, bytes, sizeof h.protocol_id);
    std::memcpy(&h.argument1, bytes + offsetof(handshake, argument1), sizeof h.argument1);
    std::memcpy(&h.argument2, bytes + offsetof(handshake, argument2), sizeof h.argument2);
    return h;
}

inline void write_handshake(void* to, const handshake& h) noexcept {
    auto* const bytes = static_cast<unsigned char*>(to);
    std::memcpy(bytes, &h.protocol_id, sizeof h.protocol_id);
    std::memcpy(bytes + offsetof(handshake, argument1), &h.argument1, sizeof h.argument1);
    std::memcpy(bytes + offsetof(handshake, argument2), &h.argument2, sizeof h.argument2);
}

// Decodes, runs the handler, and on success writes the response envelope and then Out. At
// namespace scope rather than a responder member on purpose: a member's symbol spells every
// route of its responder, so N routes made N symbols of O(N) bytes each (a 105 MB object file
// for 1024 routes, 4 minutes of g++ -O2); this one's name holds one route.
// Takes In's two pointers by value (its id is already matched): passing In by reference made
// every hashed dispatch spill it to the stack for the indirect call (6 instructions).
template <class Context, class R>
ntstatus serve_route(Context& context, void* argument1, void* argument2, void* out) noexcept {
    using P = typename R::protocol;
    using codec = codec_t<P>;
    const handshake in{P::id, argument1, argument2};
    typename codec::template decoded<P> decoded{};
    ntstatus s = codec::template decode_request<P>(in, out, decoded);
    if (!nt_success(s)) {
        return s;
    }
    response_t<P> response{};
    if constexpr (handler_arity<std::remove_const_t<decltype(R::handler)>, Context, P>() == 4) {
        s = R::handler(context, decoded.request, response, decoded.version);
    } else {
        s = R::handler(context, decoded.request, response);
    }
    if (!nt_success(s)) {
        return s;
    }
    // Out is written once, straight from the reply, and only now that nothing can fail.
    // Building the reply in the caller's frame and copying it out afterwards cost 10
    // instructions a negotiation (tools/bench_instructions.py).
    handshake reply;
    codec::template encode_response<P>(decoded, response, reply);
    write_handshake(out, reply);
    return status::success;
}

template <class Context>
using route_entry = ntstatus (*)(Context&, void*, void*, void*) noexcept;

// One slot of a responder's hashed table: the id that may land there and its route.
template <class Context>
struct route_slot {
    guid id;
    route_entry<Context> serve;
};

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
        return dispatch(context, detail::read_handshake(in), out);
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
        return static_cast<Status>(
            dispatch(*static_cast<Context*>(context), detail::read_handshake(in), out));
    }

  private:

    static constexpr guid ids[sizeof...(Routes)] = {Routes::protocol::id...};

    // Constant-initialised tables (no function-local statics, no dynamic initialisation); a
    // nested class so they exist only for responders of two routes or more.
    struct lookup {
        using table_type = detail::route_table<sizeof...(Routes)>;
        static constexpr table_type table = detail::build_route_table(ids);
        static_assert(table.built, "kshake: could not build the route table");

        // The route table's slots resolved to {id, route}, so a lookup reads one slot and
        // compares once: no slot-to-index read, no bounds check, no second table (5
        // instructions a negotiation fewer, which the flat-dispatch target needs). An empty
        // slot holds a copy of route 0: an id equal to route 0's always hashes to route 0's own
        // slot, so the copy can never match what lands in the empty one.
        static constexpr detail::route_entry<Context> entries[sizeof...(Routes)] = {
            &detail::serve_route<Context, Routes>...};
        struct slot_array {
            detail::route_slot<Context> at[table_type::slots];
        };
        static consteval slot_array make_slots() noexcept {
            slot_array a{};
            for (std::size_t i = 0; i < table_type::slots; ++i) {
                const std::size_t route =
                    table.route_at[i] == table_type::empty ? 0 : table.route_at[i];
                a.at[i] = {ids[route], entries[route]};
            }
            return a;
        }
        static constexpr slot_array slots = make_slots();
    };

    [[nodiscard]] static ntstatus dispatch(Context& context, const handshake& in,
                                           void* out) noexcept {
        if constexpr (!valid) {
            return status::invalid_device_request;
        } else if constexpr (sizeof...(Routes) == 1) {
            if (detail::same_guid(in.protocol_id, ids[0])) {
                return detail::serve_route<Context, Routes...>(context, in.argument1,
                                                               in.argument2, out);
            }
            return status::invalid_device_request;
        } else {
            const detail::route_slot<Context>& slot =
                lookup::slots.at[lookup::table.slot_of_id(in.protocol_id)];
            if (detail::same_guid(slot.id, in.protocol_id)) {
                return slot.serve(context, in.argument1, in.argument2, out);
            }
            return status::invalid_device_request;
        }
    }
};

} // namespace kshake
