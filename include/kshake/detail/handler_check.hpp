// kshake/detail/handler_check.hpp — a route handler's and a callback's signatures taken apart, each
// part checked with its own kshake: message (responder.hpp).
// SPDX-License-Identifier: MIT
#pragma once

#include "../handshake.hpp"
#include "../protocol.hpp"
#include "../status.hpp"
#include "freestanding.hpp"
#include "pack.hpp"

namespace kshake::detail {

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
struct parameter;
template <size_t I, class... Ts>
struct parameter<I, type_list<Ts...>> : element_or_void<I, Ts...> {};
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
    } else if constexpr (!handshake_shaped<Handshake>) {
        static_assert(handshake_shaped<Handshake>,
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

} // namespace kshake::detail
