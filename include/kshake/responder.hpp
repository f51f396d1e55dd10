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

// Serving a route, one sequence for a plain and a traced responder: `trace` is empty (a plain
// responder: every `(trace.x(...), ...)` below is an empty fold and compiles to nothing, and each
// function keeps the signature its table and its tail calls want) or one detail::request_trace,
// which records what the sequence checked. A rule of docs/wire.md §2.3 is kept in one place.

// What a decoded request becomes: the handler's answer, and on success the response envelope
// and then Out.
template <class Context, class R, class... Trace>
ntstatus answer_request(
    Context& context,
    const typename codec_t<typename R::protocol>::template decoded<typename R::protocol>& decoded,
    void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    using codec = codec_t<P>;
    response_t<P> response{};
    if constexpr (detail::is_empty_v<response_t<P>>) {
        // `{}` leaves an empty struct's one byte (padding) as it was; wire.md §2.4 promises the
        // handler a zero-filled response.
        const unsigned char zero = 0;
        copy_bytes(&response, &zero, sizeof zero);
    }
    ntstatus s = status::unsuccessful; // each branch below sets it
    if constexpr (handler_signature_of<detail::remove_const_t<decltype(R::handler)>>::type::arity ==
                  4) {
        s = static_cast<ntstatus>(R::handler(context, decoded.request, response, decoded.version));
    } else {
        s = static_cast<ntstatus>(R::handler(context, decoded.request, response));
    }
    (trace.handled(s), ...);
    if (!nt_success(s)) {
        return s;
    }
    // Out is written once, straight from the reply, and only now that nothing can fail (a reply
    // built in the caller's frame and copied out afterwards costs instructions:
    // docs/benchmarks.md, "kshake's dispatch").
    handshake reply; // NOLINT(cppcoreguidelines-pro-type-member-init): encode_response sets it all
    codec::template encode_response<P>(decoded, response, reply);
    write_handshake(out, reply);
    return status::success;
}

// A route whose id has matched: decodes, runs the handler, and on success writes the response
// envelope and then Out. At namespace scope rather than a responder member on purpose: a
// member's symbol spells every route of its responder (a 105 MB object file for 1024 routes);
// this one's name holds one route. It takes the peer's In as the callback got it (its id
// already matched) and reads its two pointers itself, once, after check 3: a hashed dispatch
// then reaches it with a tail jump and every argument register already in place. Index is the
// route's position in its responder, for a trace.
template <class Context, class R, size_t Index, class... Trace>
ntstatus serve_route(Context& context, const void* peer_in, void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    using codec = codec_t<P>;
    (trace.route(Index, protocol_name<P>()), ...);
    // Only In's two pointers are used: its id, already matched, is the route's own (an
    // optimising compiler drops the id's copy).
    handshake in = read_handshake(peer_in);
    in.protocol_id = P::id;
    typename codec::template decoded<P> decoded{};
    const ntstatus s = codec::template decode_request<P>(in, out, decoded, trace...);
    if (!nt_success(s)) {
        return s;
    }
    return answer_request<Context, R>(context, decoded, out, trace...);
}

// One route of an id served by several (envelope codec only), its request header already read.
template <class Context, class R, size_t Index, class... Trace>
ntstatus serve_route_with_header(Context& context, const envelope_header& header, void* argument1,
                                 void* argument2, void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    (trace.route(Index, protocol_name<P>()), ...);
    const handshake in{P::id, argument1, argument2};
    envelope_codec::decoded<P> decoded{};
    const ntstatus s =
        envelope_codec::decode_request_with_header<P>(in, header, out, decoded, trace...);
    if (!nt_success(s)) {
        return s;
    }
    return answer_request<Context, R>(context, decoded, out, trace...);
}

// The routes of one id, each for its own version range: the request header is read once, and
// its version picks the route (typed versions). A version no route serves is refused as a
// single route refuses one outside its range. Is are the routes' indices in the responder.
template <class Context, class Indices, class... Rs>
struct versions;
template <class Context, size_t... Is, class... Rs>
struct versions<Context, index_sequence<Is...>, Rs...> {
    template <class... Trace>
    static ntstatus serve(Context& context, const void* peer_in, void* out,
                          Trace&... trace) noexcept {
        const handshake in = read_handshake(peer_in); // its pointers, as serve_route reads them
        envelope_header header{};
        if (!envelope_codec::read_request_header(in.argument1, in.argument2, header)) {
            (trace.refused(request_check::envelope_null), ...);
            return status::invalid_parameter;
        }
        ntstatus s = status::revision_mismatch;
        const bool served = (... || (header.version >= min_version_v<typename Rs::protocol> &&
                                     header.version <= version_v<typename Rs::protocol> &&
                                     (s = serve_route_with_header<Context, Rs, Is>(
                                          context, header, in.argument1, in.argument2, out,
                                          trace...),
                                      true)));
        if (!served) {
            (trace.version(header.version), ...);
            (trace.refused(request_check::version), ...);
        }
        return s;
    }
};

// What serves a matched id: (Context&, In, Out), and a traced entry's request_trace.
template <class Context, class... Trace>
using route_entry = ntstatus (*)(Context&, const void*, void*, Trace&...) noexcept;

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
    // One id is compared in place (its routes inlined); from two ids on, dispatch hashes: the
    // table costs a few instructions more than one id's compare whatever N, and comparing ids
    // in turn costs more from the second id on (docs/benchmarks.md, "kshake's dispatch").
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

        // The entries of the ids in keys' order (a member of lookup, like everything here, so
        // that a responder whose routes are wrong reports that before any of it is built).
        template <class... Trace>
        using entries = detail::conditional_t<
            ids_shared, group_entries<detail::make_index_sequence<distinct_ids>, Trace...>,
            route_entries<detail::make_index_sequence<sizeof...(Routes)>, Trace...>>;

        // The slot's route, for an empty slot route 0: an id equal to route 0's always hashes
        // to route 0's own slot, so a copy of it can never match what lands in an empty one.
        static constexpr size_t route_in(size_t slot) noexcept {
            return table.route_at[slot] == table_type::empty ? 0 : table.route_at[slot];
        }

        // The route table resolved for run time: per slot the id that may land there and its
        // route, so a lookup reads one slot and compares once (no slot-to-index read, no bounds
        // check).
        using runtime_table =
            detail::dispatch_table<Context, table_type::buckets, table_type::slots>;
        static consteval runtime_table make_runtime() noexcept {
            runtime_table r{};
            for (size_t b = 0; b < table_type::buckets; ++b) {
                r.displacement[b] = table.displacement[b];
            }
            for (size_t i = 0; i < table_type::slots; ++i) {
                const auto halves = detail::bit_cast<detail::guid_halves>(keys.at[route_in(i)]);
                r.low[i] = halves.low;
                r.high[i] = halves.high;
                r.serve[i] = entries<>::at[route_in(i)];
            }
            return r;
        }
        static constexpr runtime_table runtime = make_runtime();

        // A traced responder's entries per slot, beside runtime's (which a plain one reads).
        template <class... Trace>
        struct traced_slots {
            struct array {
                detail::route_entry<Context, Trace...> at[table_type::slots];
            };
            static consteval array make() noexcept {
                array a{};
                for (size_t i = 0; i < table_type::slots; ++i) {
                    a.at[i] = entries<Trace...>::at[route_in(i)];
                }
                return a;
            }
            static constexpr array serve = make();
        };

        // The slot where the id of this key may be; an id of a route is in its own.
        [[nodiscard]] static size_t slot_of(uint64_t key) noexcept {
            const uint64_t product = key * table.multiplier;
            if constexpr (table_type::single_level) {
                return table_type::slot_of(product, 0);
            } else {
                return table_type::slot_of(product,
                                           runtime.displacement[table_type::bucket_of(product)]);
            }
        }
    };

    // Every entry point's one path: checks 1 and 2, then check 3, which copies In's id once (its
    // bytes 8-15 only when its bytes 0-7 are those of one of the ids, or when the table keys on
    // all 16 bytes), then the matched id's entry, which reads In's two pointers. `trace` is empty
    // for a plain call and one detail::request_trace for a traced one (see serve_route).
    // `source` is the Context* (serve) or, FromPin, the pin (callback), whose context is read
    // only after check 1: read before, it kept one more register live (a larger x86 frame).
    template <bool FromPin, class Source, class... Trace>
    [[nodiscard]] static ntstatus dispatch(Source source, const void* in, void* out,
                                           Trace&... trace) noexcept {
        if (in == nullptr || out == nullptr) [[unlikely]] {
            (trace.refused(request_check::in_out_null), ...);
            return KSHAKE_DETAIL_REFUSE(status::invalid_parameter);
        }
        Context* context = nullptr;
        if constexpr (FromPin) {
            context = static_cast<Context*>(source == nullptr ? nullptr : pin_context(source));
        } else {
            context = source;
        }
        if (context == nullptr) [[unlikely]] {
            (trace.refused(request_check::no_context), ...);
            return KSHAKE_DETAIL_REFUSE(status::invalid_device_state);
        }
        const auto* const id = static_cast<const unsigned char*>(in);
        if constexpr (!valid) {
            return status::invalid_device_request;
        } else if constexpr (!hashed) {
            // The one id (typed versions may serve it with several routes): its entry is a
            // constant, so the route's code is inlined here. The id's halves one at a time: an
            // unknown id is refused after one compare.
            uint64_t half = 0;
            detail::copy_bytes(&half, id, sizeof half);
            (trace.read_id(0, half), ...);
            if (half != first_id.low) [[unlikely]] {
                (trace.refused(request_check::unknown_protocol), ...);
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            detail::copy_bytes(&half, id + sizeof half, sizeof half);
            (trace.read_id(sizeof half, half), ...);
            if (half != first_id.high) [[unlikely]] {
                (trace.refused(request_check::unknown_protocol), ...);
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            return entry_of<0, Trace...>(*context, in, out, trace...);
        } else {
            uint64_t half = 0;
            detail::copy_bytes(&half, id, sizeof half);
            (trace.read_id(0, half), ...);
            size_t slot = 0;
            if constexpr (lookup::table.fold == 0) {
                slot = lookup::slot_of(half);
                if (lookup::runtime.low[slot] != half) [[unlikely]] {
                    (trace.refused(request_check::unknown_protocol), ...);
                    return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
                }
                detail::copy_bytes(&half, id + sizeof half, sizeof half);
                (trace.read_id(sizeof half, half), ...);
            } else {
                // The key needs both halves: the second is copied once, for the key and the
                // compare.
                uint64_t high = 0;
                detail::copy_bytes(&high, id + sizeof high, sizeof high);
                (trace.read_id(sizeof high, high), ...);
                slot = lookup::slot_of(detail::route_key(lookup::table.fold, half, high));
                if (lookup::runtime.low[slot] != half) [[unlikely]] {
                    (trace.refused(request_check::unknown_protocol), ...);
                    return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
                }
                half = high;
            }
            if (lookup::runtime.high[slot] != half) [[unlikely]] {
                (trace.refused(request_check::unknown_protocol), ...);
                return KSHAKE_DETAIL_REFUSE(status::invalid_device_request);
            }
            if constexpr (sizeof...(Trace) == 0) {
                return lookup::runtime.serve[slot](*context, in, out);
            } else {
                return lookup::template traced_slots<Trace...>::serve.at[slot](*context, in, out,
                                                                               trace...);
            }
        }
    }
};

} // namespace kshake
