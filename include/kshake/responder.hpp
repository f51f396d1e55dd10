// kshake::responder — the receiving pin's side: a compile-time table from protocol id to a
// typed handler, exposed as a PFNKSPINHANDSHAKE-shaped function.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "detail/route_groups.hpp"
#include "detail/route_table.hpp"
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

namespace detail {

template <class R>
concept route_like = requires {
    typename R::protocol;
    R::handler;
};

template <class... Ts>
struct type_list {};

// The I-th type of a pack without recursion: a responder may hold 1024 routes, beyond the
// compilers' default template depth (900 for g++) for a recursive lookup such as nth_t.
template <size_t I, class T>
struct indexed_type {
    using type = T;
};
template <class Sequence, class... Ts>
struct indexed_types;
template <size_t... Is, class... Ts>
struct indexed_types<detail::index_sequence<Is...>, Ts...> : indexed_type<Is, Ts>... {};
template <size_t I, class T>
indexed_type<I, T> select_indexed(const indexed_type<I, T>&);
template <size_t I, class... Ts>
using pack_element_t = typename decltype(select_indexed<I>(
    detail::declval<indexed_types<detail::index_sequence_for<Ts...>, Ts...>>()))::type;

// A handler's signature taken apart, so that check_handler can name the one part that is wrong.
// `known` is false for anything that is neither a function pointer nor a class with a single,
// non-template operator().
template <class F>
struct handler_signature {
    static constexpr bool known = false;
};
template <class R, class... A, bool NoThrow>
struct handler_signature<R (*)(A...) noexcept(NoThrow)> {
    static constexpr bool known = true;
    static constexpr bool is_const = true;
    static constexpr bool is_noexcept = NoThrow;
    static constexpr size_t arity = sizeof...(A);
    using result = R;
    using parameters = type_list<A...>;
};
template <class R, class C, class... A, bool NoThrow>
struct handler_signature<R (C::*)(A...) const noexcept(NoThrow)>
    : handler_signature<R (*)(A...) noexcept(NoThrow)> {};
template <class R, class C, class... A, bool NoThrow>
struct handler_signature<R (C::*)(A...) noexcept(NoThrow)>
    : handler_signature<R (*)(A...) noexcept(NoThrow)> {
    static constexpr bool is_const = false;
};

template <class Handler>
struct handler_signature_of {
    using type = handler_signature<void>;
};
template <class Handler>
    requires(detail::is_pointer_v<Handler> &&
             detail::is_function_v<detail::remove_pointer_t<Handler>>)
struct handler_signature_of<Handler> {
    using type = handler_signature<Handler>;
};
template <class Handler>
    requires(detail::is_class_v<Handler> && requires { &Handler::operator(); })
struct handler_signature_of<Handler> {
    using type = handler_signature<decltype(&Handler::operator())>;
};

// Parameter I of a handler (void past the end), so that a wrong arity cannot hide a type error.
template <size_t I, class List>
struct parameter {
    using type = void;
};
template <size_t I, class First, class... Rest>
struct parameter<I, type_list<First, Rest...>> {
    using type = typename parameter<I - 1, type_list<Rest...>>::type;
};
template <class First, class... Rest>
struct parameter<0, type_list<First, Rest...>> {
    using type = First;
};
template <size_t I, class Signature>
using parameter_t = typename parameter<I, typename Signature::parameters>::type;

// A handler's version parameter: std::uint32_t, or the WDK's ULONG (`unsigned long`, 32 bits on
// every Windows target), taken by value.
template <class T>
concept version_parameter =
    (detail::is_same_v<T, unsigned int> || detail::is_same_v<T, unsigned long>) &&
    sizeof(T) == sizeof(uint32_t);

// The handler rule of `route`, one part at a time, each with its own message. The chain stops
// at the first mismatch, so one mistake gives one error.
template <class Handler, class Context, class P>
consteval bool check_handler() noexcept {
    using signature = typename handler_signature_of<Handler>::type;
    using request_type = request_t<P>;
    using response_type = response_t<P>;
    if constexpr (!signature::known) {
        static_assert(signature::known,
                      "kshake: a route's handler must be a function (route<P, my_handler>) or a "
                      "stateless function object with one non-template operator() (e.g. a "
                      "lambda without captures and without auto parameters)");
        return false;
    } else if constexpr (!signature::is_const) {
        static_assert(signature::is_const,
                      "kshake: a function-object handler's operator() must be const: handlers "
                      "are stateless (drop `mutable` from the lambda, or add const)");
        return false;
    } else if constexpr (detail::is_class_v<Handler> && !detail::is_empty_v<Handler>) {
        static_assert(!detail::is_class_v<Handler> || detail::is_empty_v<Handler>,
                      "kshake: a function-object handler must be stateless (no captures, no data "
                      "members): the route holds a compile-time copy, so the state would never "
                      "be the pin's; keep state in the Context");
        return false;
    } else if constexpr (signature::arity != 3 && signature::arity != 4) {
        static_assert(signature::arity == 3 || signature::arity == 4,
                      "kshake: a route's handler takes 3 parameters `(Context&, const "
                      "P::request&, P::response&)` or 4, with `kshake::uint32_t version` last");
        return false;
    } else if constexpr (!detail::is_same_v<parameter_t<0, signature>, Context&> &&
                         !detail::is_same_v<parameter_t<0, signature>, const Context&>) {
        static_assert(detail::is_same_v<parameter_t<0, signature>, Context&>,
                      "kshake: a route handler's first parameter must be `Context&` (or `const "
                      "Context&` for a handler that only reads it), a reference to the "
                      "responder's context type (responder<Context, ...>)");
        return false;
    } else if constexpr (detail::is_same_v<detail::remove_cvref_t<parameter_t<1, signature>>,
                                           request_type> &&
                         !detail::is_same_v<parameter_t<1, signature>, const request_type&>) {
        static_assert(detail::is_same_v<parameter_t<1, signature>, const request_type&>,
                      "kshake: a route handler must take the request as `const P::request&`: "
                      "by reference and const (the request belongs to the initiator)");
        return false;
    } else if constexpr (!detail::is_same_v<parameter_t<1, signature>, const request_type&>) {
        static_assert(detail::is_same_v<parameter_t<1, signature>, const request_type&>,
                      "kshake: a route handler's second parameter must be `const P::request&`, "
                      "the request type of the route's protocol");
        return false;
    } else if constexpr (detail::is_same_v<detail::remove_cvref_t<parameter_t<2, signature>>,
                                           response_type> &&
                         !detail::is_same_v<parameter_t<2, signature>, response_type&>) {
        static_assert(detail::is_same_v<parameter_t<2, signature>, response_type&>,
                      "kshake: a route handler must take the response as `P::response&`: by "
                      "non-const reference (the handler fills it in)");
        return false;
    } else if constexpr (!detail::is_same_v<parameter_t<2, signature>, response_type&>) {
        static_assert(detail::is_same_v<parameter_t<2, signature>, response_type&>,
                      "kshake: a route handler's third parameter must be `P::response&`, the "
                      "response type of the route's protocol");
        return false;
    } else if constexpr (signature::arity == 4 && !version_parameter<parameter_t<3, signature>>) {
        static_assert(signature::arity != 4 || version_parameter<parameter_t<3, signature>>,
                      "kshake: a route handler's fourth parameter, when it has one, must be "
                      "`kshake::uint32_t version` (std::uint32_t; or ULONG, a 32-bit unsigned "
                      "long: the version the initiator spoke)");
        return false;
    } else if constexpr (!status_type<typename signature::result>) {
        static_assert(status_type<typename signature::result>,
                      "kshake: a route's handler must return kshake::ntstatus (or NTSTATUS, a "
                      "32-bit `long`): success lets the response reach the peer, any failure "
                      "status is the peer's answer");
        return false;
    } else if constexpr (!signature::is_noexcept) {
        static_assert(signature::is_noexcept,
                      "kshake: a route's handler must be noexcept: nothing may throw across the "
                      "handshake callback");
        return false;
    } else {
        return true;
    }
}

// A pin pointer whose context kshake can read: KSPIN's `Context` or a `context()` member.
template <class Pin>
concept pin_with_context_member = requires(Pin pin) { static_cast<void*>(pin->Context); };
template <class Pin>
concept pin_with_context_function = requires(Pin pin) { static_cast<void*>(pin->context()); };
template <class Pin>
concept pin_with_context = pin_with_context_member<Pin> || pin_with_context_function<Pin>;

// responder::callback<Pin, Handshake, Status>, checked in its declaration (its return type), so
// that a wrong Pin is reported where `&callback<Pin>` is written, before any conversion of the
// function pointer fails with an unresolved overloaded function type.
template <class Pin, class Handshake, class Status>
consteval bool check_callback() noexcept {
    if constexpr (!detail::is_pointer_v<Pin>) {
        static_assert(detail::is_pointer_v<Pin>,
                      "kshake: responder::callback<Pin>: Pin is the pin's pointer type (PKSPIN, "
                      "kshake::mock::pin*), not the pin itself");
        return false;
    } else if constexpr (!pin_with_context<Pin>) {
        static_assert(pin_with_context<Pin>,
                      "kshake: responder::callback needs a pin pointer with a `Context` member "
                      "(KSPIN) or a `context()` member function (kshake::mock::pin)");
        return false;
    } else if constexpr (sizeof(Handshake) != sizeof(handshake) ||
                         !detail::is_trivially_copyable_v<Handshake>) {
        static_assert(sizeof(Handshake) == sizeof(handshake) &&
                          detail::is_trivially_copyable_v<Handshake>,
                      "kshake: the callback's handshake type must have KSHANDSHAKE's layout");
        return false;
    } else if constexpr (!status_type<Status>) {
        static_assert(status_type<Status>,
                      "kshake: the callback's status type must be NTSTATUS or kshake::ntstatus "
                      "(a 32-bit signed integer): callback<PKSPIN, KSHANDSHAKE, NTSTATUS>");
        return false;
    } else {
        return true;
    }
}
template <class Pin, class Handshake, class Status>
using callback_status_t =
    detail::conditional_t<check_callback<Pin, Handshake, Status>(), Status, Status>;

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

// What a decoded request becomes: the handler's answer, and on success the response envelope
// and then Out. `trace` records the handler's status when a hook asked for it
// (detail::request_trace); detail::no_request_trace records nothing and compiles to nothing.
template <class Context, class R, class Trace>
ntstatus answer_request(
    Context& context,
    const typename codec_t<typename R::protocol>::template decoded<typename R::protocol>& decoded,
    void* out, Trace& trace) noexcept {
    using P = typename R::protocol;
    using codec = codec_t<P>;
    response_t<P> response{};
    ntstatus s = status::unsuccessful; // each branch below sets it
    if constexpr (handler_signature_of<detail::remove_const_t<decltype(R::handler)>>::type::arity ==
                  4) {
        s = static_cast<ntstatus>(R::handler(context, decoded.request, response, decoded.version));
    } else {
        s = static_cast<ntstatus>(R::handler(context, decoded.request, response));
    }
    if constexpr (Trace::enabled) {
        trace.handled(s);
    }
    if (!nt_success(s)) {
        return s;
    }
    // Out is written once, straight from the reply, and only now that nothing can fail.
    // Building the reply in the caller's frame and copying it out afterwards cost 10
    // instructions a negotiation (tools/bench_instructions.py).
    handshake reply; // NOLINT(cppcoreguidelines-pro-type-member-init): encode_response sets it all
    codec::template encode_response<P>(decoded, response, reply);
    write_handshake(out, reply);
    return status::success;
}

// Decodes, runs the handler, and on success writes the response envelope and then Out. At
// namespace scope rather than a responder member on purpose: a member's symbol spells every
// route of its responder, so N routes made N symbols of O(N) bytes each (a 105 MB object file
// for 1024 routes, 4 minutes of g++ -O2); this one's name holds one route.
// Takes the peer's In as the callback got it (its id already matched) and reads its two
// pointers itself, once: a hashed dispatch then reaches it with a tail jump and every argument
// register already in place (taking the pointers as arguments cost 4 moves a negotiation).
template <class Context, class R>
ntstatus serve_route(Context& context, const void* peer_in, void* out) noexcept {
    using P = typename R::protocol;
    using codec = codec_t<P>;
    // Only In's two pointers are used: its id, already matched, is the route's own (an optimising
    // compiler drops the id's copy; the id was read once, by dispatch).
    handshake in = read_handshake(peer_in);
    in.protocol_id = P::id;
    typename codec::template decoded<P> decoded{};
    const ntstatus s = codec::template decode_request<P>(in, out, decoded);
    if (!nt_success(s)) {
        return s;
    }
    no_request_trace untraced;
    return answer_request<Context, R>(context, decoded, out, untraced);
}

// One route of an id served by several (envelope codec only), its request header already read.
template <class Context, class R, class Trace>
ntstatus serve_route_with_header(Context& context, const envelope_header& header, void* argument1,
                                 void* argument2, void* out, Trace& trace) noexcept {
    using P = typename R::protocol;
    const handshake in{P::id, argument1, argument2};
    envelope_codec::decoded<P> decoded{};
    trace.version(header.version);
    const ntstatus s = envelope_codec::decode_request_with_header<P>(in, header, out, decoded);
    if (!nt_success(s)) {
        trace.refused(check_of_decode_status(s));
        return s;
    }
    return answer_request<Context, R>(context, decoded, out, trace);
}

// The routes of one id, each for its own version range: the request header is read once, and
// its version picks the route (typed versions). A version no route serves is refused as a
// single route refuses one outside its range. Is are the routes' indices in the responder, for
// a trace.
template <class Context, class Indices, class... Rs>
struct versions;
template <class Context, size_t... Is, class... Rs>
struct versions<Context, index_sequence<Is...>, Rs...> {
    template <class Trace>
    static ntstatus serve(Context& context, void* argument1, void* argument2, void* out,
                          Trace& trace) noexcept {
        envelope_header header{};
        if (!envelope_codec::read_request_header(argument1, argument2, header)) {
            trace.refused(request_check::envelope_null);
            return status::invalid_parameter;
        }
        ntstatus s = status::revision_mismatch;
        const bool served = (... || (header.version >= min_version_v<typename Rs::protocol> &&
                                     header.version <= version_v<typename Rs::protocol> &&
                                     ((trace.route(Is, protocol_name<typename Rs::protocol>()),
                                       s = serve_route_with_header<Context, Rs>(
                                           context, header, argument1, argument2, out, trace)),
                                      true)));
        if (!served) {
            trace.version(header.version);
            trace.refused(request_check::version);
        }
        return s;
    }
    static ntstatus serve(Context& context, const void* peer_in, void* out) noexcept {
        const handshake in = read_handshake(peer_in); // its pointers, as serve_route reads them
        no_request_trace untraced;
        return serve(context, in.argument1, in.argument2, out, untraced);
    }
};

// serve_route with a trace: the route, the version, the check that refused the request or the
// handler's status.
template <class Context, class R, size_t Index>
ntstatus serve_route_traced(Context& context, void* argument1, void* argument2, void* out,
                            request_trace& trace) noexcept {
    using P = typename R::protocol;
    trace.route(Index, protocol_name<P>());
    if constexpr (is_same_v<codec_t<P>, envelope_codec>) {
        envelope_header header{};
        if (!envelope_codec::read_request_header(argument1, argument2, header)) {
            trace.refused(request_check::envelope_null);
            return status::invalid_parameter;
        }
        return serve_route_with_header<Context, R>(context, header, argument1, argument2, out,
                                                   trace);
    } else {
        const handshake in{P::id, argument1, argument2};
        typename codec_t<P>::template decoded<P> decoded{};
        static_cast<void>(codec_t<P>::template decode_request<P>(in, out, decoded));
        trace.version(decoded.version);
        return answer_request<Context, R>(context, decoded, out, trace);
    }
}

template <class Context>
using traced_route_entry = ntstatus (*)(Context&, void*, void*, void*, request_trace&) noexcept;

template <class Context>
using route_entry = ntstatus (*)(Context&, const void*, void*) noexcept;

// A hashed responder's run-time table, one object so that a lookup addresses it from one base:
// the bucket displacements, and per slot the id that may land there (as its two 8-byte halves,
// so each array is indexed with a scale of 8) and its route.
template <class Context, size_t Buckets, size_t Slots>
struct dispatch_table {
    uint64_t displacement[Buckets];
    uint64_t low[Slots];
    uint64_t high[Slots];
    route_entry<Context> serve[Slots];
};

} // namespace detail

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
        if (in == nullptr || out == nullptr) [[unlikely]] {
            return status::invalid_parameter;
        }
        return dispatch(context, in, out);
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
            if (in == nullptr || out == nullptr) [[unlikely]] {
                return static_cast<Status>(KSHAKE_DETAIL_REFUSE(status::invalid_parameter));
            }
            void* const context = pin == nullptr ? nullptr : pin_context(pin);
            if (context == nullptr) [[unlikely]] {
                return static_cast<Status>(KSHAKE_DETAIL_REFUSE(status::invalid_device_state));
            }
            return static_cast<Status>(dispatch(*static_cast<Context*>(context), in, out));
        }
    }

    // serve, reporting the request to `hook` (kshake/trace.hpp) once it is answered.
    template <trace_hook Hook>
    [[nodiscard("kshake: serve() returns the status to give the peer")]] static ntstatus
    serve(Context& context, const handshake* in, handshake* out, Hook& hook) noexcept {
        detail::request_trace trace;
        const ntstatus s = serve_traced(&context, in, out, trace);
        hook(static_cast<const request_event&>(trace.event));
        return s;
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
            const ntstatus s = serve_traced(
                static_cast<Context*>(pin == nullptr ? nullptr : pin_context(pin)), in, out, trace);
            Hook(static_cast<const request_event&>(trace.event));
            return static_cast<Status>(s);
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
    // of the id choosing by version; a Traced entry also tells a request_trace what it checked.
    template <bool Traced>
    using entry_type = detail::conditional_t<Traced, detail::traced_route_entry<Context>,
                                             detail::route_entry<Context>>;
    template <bool Traced, size_t Leader, size_t... Ks>
    static consteval entry_type<Traced> group_entry(detail::index_sequence<Ks...>) noexcept {
        if constexpr (sizeof...(Ks) == 1) {
            using R = detail::pack_element_t<Leader, Routes...>;
            if constexpr (Traced) {
                return &detail::serve_route_traced<Context, R, Leader>;
            } else {
                return &detail::serve_route<Context, R>;
            }
        } else {
            using versions =
                detail::versions<Context, detail::index_sequence<groups.member(Leader, Ks)...>,
                                 detail::pack_element_t<groups.member(Leader, Ks), Routes...>...>;
            if constexpr (Traced) {
                return &versions::template serve<detail::request_trace>;
            } else {
                return &versions::serve;
            }
        }
    }
    template <size_t Leader, bool Traced = false>
    static constexpr entry_type<Traced> entry_of =
        group_entry<Traced, Leader>(detail::make_index_sequence<groups.size[Leader]>{});

    struct route_entries {
        static constexpr detail::route_entry<Context> at[sizeof...(Routes)] = {
            &detail::serve_route<Context, Routes>...};
    };
    // One entry per distinct id, in the order of groups.leaders.
    template <class Sequence, bool Traced>
    struct group_entries;
    template <size_t... Ks, bool Traced>
    struct group_entries<detail::index_sequence<Ks...>, Traced> {
        static constexpr entry_type<Traced> at[sizeof...(Ks)] = {
            entry_of<groups.leaders[Ks], Traced>...};
    };

    // One id is compared in place (its routes inlined); from two ids on, dispatch hashes.
    // Measured with tools/bench_instructions.py (instructions per round trip, g++ 12 and
    // clang-19, docs/benchmarks.md): the table costs 3 to 7 more than one id's compare, for a
    // hit or an unknown id, whatever N; comparing ids in turn (as a C chain does) cost 7 more
    // for each id passed, so at two ids the second already cost more than the table, and an
    // unknown id at 4 ids cost 68 against the table's 47 (g++).
    static constexpr bool hashed = distinct_ids > 1;
    static constexpr detail::guid_halves first_id = detail::bit_cast<detail::guid_halves>(ids[0]);

    // Constant-initialised tables (no function-local statics, no dynamic initialisation); a
    // nested class so they exist only for hashed responders.
    struct lookup {
        struct key_array {
            guid at[distinct_ids];
        };
        static consteval key_array make_keys() noexcept {
            key_array k{};
            for (size_t i = 0; i < distinct_ids; ++i) {
                k.at[i] = ids[groups.leaders[i]];
            }
            return k;
        }
        static constexpr key_array keys = make_keys();
        using table_type = detail::route_table<distinct_ids>;
        static constexpr table_type table = detail::build_route_table(keys.at);
        static_assert(table.built, "kshake: could not build the route table");

        // The route table resolved for run time: per slot the id that may land there and its
        // route, so a lookup reads one slot and compares once (no slot-to-index read, no bounds
        // check). An empty slot holds a copy of route 0: an id equal to route 0's always
        // hashes to route 0's own slot, so the copy can never match what lands in the empty one.
        using entries =
            detail::conditional_t<ids_shared,
                                  group_entries<detail::make_index_sequence<distinct_ids>, false>,
                                  route_entries>;
        using runtime_table =
            detail::dispatch_table<Context, table_type::buckets, table_type::slots>;
        static consteval runtime_table make_runtime() noexcept {
            runtime_table r{};
            for (size_t b = 0; b < table_type::buckets; ++b) {
                r.displacement[b] = table.displacement[b];
            }
            for (size_t i = 0; i < table_type::slots; ++i) {
                const size_t route = table.route_at[i] == table_type::empty ? 0 : table.route_at[i];
                const auto halves = detail::bit_cast<detail::guid_halves>(keys.at[route]);
                r.low[i] = halves.low;
                r.high[i] = halves.high;
                r.serve[i] = entries::at[route];
            }
            return r;
        }
        static constexpr runtime_table runtime = make_runtime();

        // The slot where the id that starts with `low` may be (`in` holds the rest, read only
        // if the key needs it); an id of a route is in its own.
        [[nodiscard]] static size_t slot_of(uint64_t low, const void* in) noexcept {
            uint64_t key = low;
            if constexpr (table.fold != 0) {
                uint64_t high = 0;
                detail::copy_bytes(&high, static_cast<const unsigned char*>(in) + sizeof low,
                                   sizeof high);
                key = detail::route_key(table.fold, low, high);
            }
            const uint64_t product = key * table.multiplier;
            if constexpr (table_type::single_level) {
                return table_type::slot_of(product, 0);
            } else {
                return table_type::slot_of(product,
                                           runtime.displacement[table_type::bucket_of(product)]);
            }
        }
    };

    // serve and callback for a traced request (checks 1 and 2, then dispatch_traced); the
    // trace ends with the status answered.
    [[nodiscard]] static ntstatus serve_traced(Context* context, const void* in, void* out,
                                               detail::request_trace& trace) noexcept {
        ntstatus s = status::invalid_parameter;
        if (in == nullptr || out == nullptr) {
            trace.refused(request_check::in_out_null);
        } else if (context == nullptr) {
            trace.refused(request_check::no_context);
            s = status::invalid_device_state;
        } else {
            s = dispatch_traced(*context, detail::read_handshake(in), out, trace);
        }
        trace.event.status = s;
        return s;
    }

    // dispatch, for a traced request: the id's group found as dispatch finds it, then served by
    // a traced entry that records what it checks.
    [[nodiscard]] static ntstatus dispatch_traced(Context& context, const handshake& in, void* out,
                                                  detail::request_trace& trace) noexcept {
        trace.event.protocol_id = in.protocol_id;
        if constexpr (!valid) {
            return status::invalid_device_request;
        } else {
            using entries = group_entries<detail::make_index_sequence<distinct_ids>, true>;
            size_t k = distinct_ids;
            if constexpr (!hashed) {
                if (detail::same_guid(in.protocol_id, ids[0])) {
                    k = 0;
                }
            } else {
                const auto halves = detail::bit_cast<detail::guid_halves>(in.protocol_id);
                const size_t found =
                    lookup::table.route_at[lookup::slot_of(halves.low, &in.protocol_id)];
                if (found < distinct_ids &&
                    detail::same_guid(lookup::keys.at[found], in.protocol_id)) {
                    k = found;
                }
            }
            if (k == distinct_ids) {
                trace.refused(request_check::unknown_protocol);
                return status::invalid_device_request;
            }
            return entries::at[k](context, in.argument1, in.argument2, out, trace);
        }
    }

    // In is the peer's: its id is read here and its two pointers by the route, each byte once.
    [[nodiscard]] static ntstatus dispatch(Context& context, const void* in, void* out) noexcept {
        if constexpr (!valid) {
            return status::invalid_device_request;
        } else if constexpr (!hashed) {
            // The one id (typed versions may serve it with several routes): its entry is a
            // constant, so the route's code is inlined here.
            // The id's halves one at a time: an unknown id is refused after one compare.
            uint64_t half = 0;
            detail::copy_bytes(&half, in, sizeof half);
            if (half != first_id.low) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            detail::copy_bytes(&half, static_cast<const unsigned char*>(in) + sizeof half,
                               sizeof half);
            if (half != first_id.high) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            return entry_of<0>(context, in, out);
        } else {
            uint64_t half = 0;
            detail::copy_bytes(&half, in, sizeof half);
            const size_t slot = lookup::slot_of(half, in);
            if (lookup::runtime.low[slot] != half) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            detail::copy_bytes(&half, static_cast<const unsigned char*>(in) + sizeof half,
                               sizeof half);
            if (lookup::runtime.high[slot] != half) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            return lookup::runtime.serve[slot](context, in, out);
        }
    }
};

} // namespace kshake
