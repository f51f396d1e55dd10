// kshake/detail/serve_route.hpp — serving a route whose id has matched: decoding, the handler, the
// answer; the routes of one id chosen by version; the entries a responder's dispatch calls.
// SPDX-License-Identifier: MIT
#pragma once

#include "../handshake.hpp"
#include "../protocol.hpp"
#include "../status.hpp"
#include "../trace.hpp"
#include "checks.hpp"
#include "codec.hpp"
#include "freestanding.hpp"
#include "handler_check.hpp"

namespace kshake::detail {

// Serving a route, one sequence for a plain and a traced responder: `trace` is empty (a plain
// responder: every `(trace.x(...), ...)` below is an empty fold and compiles to nothing, and each
// function keeps the signature its table and its tail calls want) or one detail::request_trace,
// which records what the sequence checked. A rule of docs/wire.md §2.3 is kept in one place.

// Copies In's two pointers into the handshake `in` and leaves its id alone: once check 3 has
// matched the id, no byte of it is read again, even where an unoptimised build would keep a
// second copy. A macro rather than a function: at /Od a function would be one more frame on the
// deepest stack (docs/driver.md, "Stack usage").
#define KSHAKE_DETAIL_COPY_IN_POINTERS(in, peer_in)                                                \
    (::kshake::detail::copy_bytes(static_cast<void*>(&(in).argument1),                             \
                                  static_cast<const unsigned char*>(peer_in) +                     \
                                      KSHAKE_OFFSETOF(::kshake::handshake, argument1),             \
                                  sizeof(in).argument1),                                           \
     ::kshake::detail::copy_bytes(static_cast<void*>(&(in).argument2),                             \
                                  static_cast<const unsigned char*>(peer_in) +                     \
                                      KSHAKE_OFFSETOF(::kshake::handshake, argument2),             \
                                  sizeof(in).argument2))

// What a decoded request becomes: the handler's answer, and on success the response envelope
// and then Out.
template <class Context, class R, class... Trace>
ntstatus answer_request(
    Context& context,
    const typename wire_t<typename R::protocol>::template decoded<typename R::protocol>& decoded,
    void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    using codec = wire_t<P>;
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
// member's symbol spells every route of its responder (its object file grows as N squared);
// this one's name holds one route. It takes the peer's In as the callback got it (its id
// already matched) and reads its two pointers itself, once, after check 3: a hashed dispatch
// then reaches it with a tail jump and every argument register already in place. Index is the
// route's position in its responder, for a trace.
template <class Context, class R, size_t Index, class... Trace>
ntstatus serve_route(Context& context, const void* peer_in, void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    using codec = wire_t<P>;
    (trace.route(Index, protocol_name<P>()), ...);
    // The id, already matched, is the route's own.
    handshake in{P::id, nullptr, nullptr};
    KSHAKE_DETAIL_COPY_IN_POINTERS(in, peer_in);
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
    envelope_wire::decoded<P> decoded{};
    const ntstatus s =
        envelope_wire::decode_request_with_header<P>(in, header, out, decoded, trace...);
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
        handshake in{};
        KSHAKE_DETAIL_COPY_IN_POINTERS(in, peer_in);
        envelope_header header{};
        if (!envelope_wire::read_request_header(in.argument1, in.argument2, header)) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::envelope_null, trace);
        }
        ntstatus s = status::unsuccessful; // set by the route that serves the version
        const bool served =
            (... || (header.version >= min_version_v<typename Rs::protocol> &&
                     header.version <= version_v<typename Rs::protocol> &&
                     (s = serve_route_with_header<Context, Rs, Is>(context, header, in.argument1,
                                                                   in.argument2, out, trace...),
                      true)));
        if (!served) {
            (trace.version(header.version), ...);
            return KSHAKE_DETAIL_REFUSE_AT(request_check::version, trace);
        }
        return s;
    }
};

// What serves a matched id: (Context&, In, Out), and a traced entry's request_trace.
template <class Context, class... Trace>
using route_entry = ntstatus (*)(Context&, const void*, void*, Trace&...) noexcept;

} // namespace kshake::detail
