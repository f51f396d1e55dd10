// kshake::responder — the receiving pin's side: a compile-time table from protocol id to a
// typed handler, exposed as a PFNKSPINHANDSHAKE-shaped function.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/dispatch.hpp"
#include "detail/freestanding.hpp"
#include "detail/handler_check.hpp"
#include "detail/pack.hpp"
#include "detail/route_check.hpp"
#include "detail/route_groups.hpp"
#include "detail/route_table.hpp"
#include "detail/serve_route.hpp"
#include "handshake.hpp"
#include "protocol.hpp"
#include "result.hpp"
#include "status.hpp"
#include "trace.hpp"
#include "wire.hpp"

namespace kshake {

// Binds protocol P to a handler: a function, or a stateless function object, of the form
//   ntstatus handler(Context& context, const P::request& request, P::response& response) noexcept
// or with a fourth parameter `std::uint32_t version` (the version the initiator spoke, within
// [min_version, version]; the WDK's ULONG, a 32-bit `unsigned long`, is accepted too:
// version_parameter). It may return NTSTATUS instead of kshake::ntstatus (status_type). The
// response starts zero-filled; it reaches the peer only if the handler succeeds.
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
    } else if constexpr (requires { pin->context(); }) {
        return pin->context();
    } else {
        static_assert(
            requires { pin->context(); },
            "kshake: responder::callback needs a pin pointer with a `Context` member "
            "(KSPIN) or a `context()` member function (kshake::mock::pin)");
        return nullptr;
    }
}

// A responder's routes as a type, for compile-time questions about it (kshake/contract.hpp).
template <class... Routes>
struct route_list {
    static constexpr size_t size = sizeof...(Routes);
};

template <class Context, class... Routes>
class responder {
    static_assert(detail::check_responder_shape<Context, sizeof...(Routes)>());
    static constexpr bool valid = detail::check_routes<Context, Routes...>();

  public:
    using context_type = Context;
    using routes = route_list<Routes...>;
    static constexpr size_t route_count = sizeof...(Routes);

    // Serves one handshake for `context`. In and Out are the peer's; on any failure nothing the
    // caller owns (Out, the request, the response buffer) is written.
    [[nodiscard("kshake: serve() returns the status to give the peer")]] static ntstatus
    serve(Context& context, const handshake* in, handshake* out) noexcept {
        return dispatch<false>(&context, in, out);
    }

    // The PFNKSPINHANDSHAKE shape: `Status callback(Pin, Handshake* In, Handshake* Out)`, where
    // Handshake is KSHANDSHAKE (or kshake::handshake) and Status is NTSTATUS (or
    // kshake::ntstatus). The pin's context must point to a Context.
    // Pin, Handshake and Status are checked where `&callback<...>` is written (its return type).
    template <class Pin, class Handshake = handshake, class Status = ntstatus>
    static detail::callback_status_t<Pin, Handshake, Status> callback(Pin pin, Handshake* in,
                                                                      Handshake* out) noexcept {
        if constexpr (!detail::check_callback<Pin, Handshake, Status>()) {
            return static_cast<Status>(status::invalid_parameter);
        } else {
            return static_cast<Status>(dispatch<true>(pin, in, out));
        }
    }

    // serve, reporting the request to `hook` (kshake/trace.hpp) once it is answered.
    template <trace_hook Hook>
    [[nodiscard("kshake: serve() returns the status to give the peer")]] static ntstatus
    serve(Context& context, const handshake* in, handshake* out, Hook& hook) noexcept {
        detail::request_trace trace;
        trace.event.status = dispatch<false>(&context, in, out, trace);
        hook(static_cast<const request_event&>(trace.event));
        return trace.event.status;
    }

    // callback, reporting each request to Hook, an object of static storage duration that is a
    // trace_hook: KsPinRegisterHandshakeCallback(Pin, &R::traced_callback<my_trace, PKSPIN,
    // KSHANDSHAKE, NTSTATUS>) (or avstream::install<R, my_trace>(Pin)).
    template <auto& Hook, class Pin, class Handshake = handshake, class Status = ntstatus>
    static detail::callback_status_t<Pin, Handshake, Status>
    traced_callback(Pin pin, Handshake* in, Handshake* out) noexcept {
        static_assert(trace_hook<detail::remove_reference_t<decltype(Hook)>>,
                      "kshake: traced_callback<Hook, ...>: Hook must be a trace hook, callable "
                      "`noexcept` with a const kshake::offer_event& and a const "
                      "kshake::request_event& (kshake/trace.hpp)");
        if constexpr (!detail::check_callback<Pin, Handshake, Status>()) {
            return static_cast<Status>(status::invalid_parameter);
        } else {
            detail::request_trace trace;
            trace.event.status = dispatch<true>(pin, in, out, trace);
            Hook(static_cast<const request_event&>(trace.event));
            return static_cast<Status>(trace.event.status);
        }
    }

  private:
    static constexpr guid ids[sizeof...(Routes)] = {Routes::protocol::id...};

    // Routes that share an id (typed versions) are served through one entry per id, which picks
    // the route by the request's version; with no shared id, every route is its own entry.
    static constexpr detail::id_groups<sizeof...(Routes)> groups = detail::group_routes_by_id(ids);
    static constexpr size_t distinct_ids = groups.distinct;
    static constexpr bool ids_shared = distinct_ids != sizeof...(Routes);

    // What serves the id of route Leader, the first route of its id: that route, or the routes
    // of the id choosing by version.
    template <size_t Leader, class... Trace, size_t... Ks>
    static consteval detail::route_entry<Context, Trace...>
    group_entry(detail::index_sequence<Ks...>) noexcept {
        if constexpr (sizeof...(Ks) == 1) {
            return &detail::serve_route<Context, detail::pack_element_t<Leader, Routes...>, Leader,
                                        Trace...>;
        } else {
            using versions =
                detail::versions<Context, detail::index_sequence<groups.member(Leader, Ks)...>,
                                 detail::pack_element_t<groups.member(Leader, Ks), Routes...>...>;
            return &versions::template serve<Trace...>;
        }
    }
    template <size_t Leader, class... Trace>
    static constexpr detail::route_entry<Context, Trace...> entry_of =
        group_entry<Leader, Trace...>(detail::make_index_sequence<groups.size[Leader]>{});

    // One entry per route (no shared id), or per distinct id in the order of groups.leaders.
    template <class Sequence, class... Trace>
    struct route_entries;
    template <size_t... Is, class... Trace>
    struct route_entries<detail::index_sequence<Is...>, Trace...> {
        static constexpr detail::route_entry<Context, Trace...> at[sizeof...(Is)] = {
            &detail::serve_route<Context, Routes, Is, Trace...>...};
    };
    template <class Sequence, class... Trace>
    struct group_entries;
    template <size_t... Ks, class... Trace>
    struct group_entries<detail::index_sequence<Ks...>, Trace...> {
        static constexpr detail::route_entry<Context, Trace...> at[sizeof...(Ks)] = {
            entry_of<groups.leaders[Ks], Trace...>...};
    };
    // The distinct ids in the order of groups.leaders and the entries serving them, as a
    // dispatch strategy takes them (detail/dispatch.hpp). A nested class, so that a responder
    // whose routes are wrong reports that before any of it is built.
    struct distinct {
        static constexpr size_t count = distinct_ids;
        static constexpr bool whole_id = true;
        static constexpr detail::leader_ids<count> list =
            detail::ids_of_leaders<count>(ids, groups);
        static constexpr const guid (&at)[count] = list.at;

        template <class... Trace>
        using entries = detail::conditional_t<
            ids_shared, group_entries<detail::make_index_sequence<count>, Trace...>,
            route_entries<detail::make_index_sequence<sizeof...(Routes)>, Trace...>>;
        template <class... Trace>
        static constexpr detail::route_entry<Context, Trace...> first = entry_of<0, Trace...>;
    };

    // Every entry point's one path: checks 1 and 2, then check 3, the dispatch strategy's find
    // (which copies In's id and enters the matched id's entry, which reads In's two pointers;
    // detail/dispatch.hpp). `trace` is empty for a plain call and one detail::request_trace for a
    // traced one (see serve_route). `source` is the Context* (serve) or, FromPin, the pin
    // (callback), whose context is read only after check 1: read before, it kept one more register
    // live (a larger x86 frame). In an unoptimised build every helper is a stack frame of its own,
    // which the kernel stack budget counts (docs/driver.md, "Stack usage"); find is always inlined.
    template <bool FromPin, class Source, class... Trace>
    [[nodiscard]] static ntstatus dispatch(Source source, const void* in, void* out,
                                           Trace&... trace) noexcept {
        if (in == nullptr || out == nullptr) [[unlikely]] {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::in_out_null, trace);
        }
        Context* context = nullptr;
        if constexpr (FromPin) {
            context = static_cast<Context*>(source == nullptr ? nullptr : pin_context(source));
        } else {
            context = source;
        }
        if (context == nullptr) [[unlikely]] {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::no_context, trace);
        }
        if constexpr (!valid) {
            return detail::status_of(request_check::unknown_protocol);
        } else {
            return detail::dispatch_strategy<Context, distinct>::find(*context, in, out, trace...);
        }
    }
};

} // namespace kshake
