// kshake::trace — why a negotiation went as it did, on both sides: an opt-in hook that sees each
// offer an initiator makes and each request a responder answers. No heap, no exceptions;
// without a hook the generated code is what it would be without this header.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/checks.hpp"
#include "detail/freestanding.hpp"
#include "guid.hpp"
#include "handshake.hpp"
#include "status.hpp"

namespace kshake {

// "check 5 of wire.md 2.3: the request's version is in no route's range" and so on; never null.
[[nodiscard]] constexpr const char* check_name(request_check c) noexcept {
    return detail::name_of(c);
}

// "rule R4 of wire.md 2.5: the response size is not envelope_size<response>" and so on; never null.
[[nodiscard]] constexpr const char* rule_name(answer_rule r) noexcept { return detail::name_of(r); }

// What an initiator reports for each offer it sends (negotiate: one, index 0; negotiate_first:
// one per offer sent, in order).
struct offer_event {
    size_t index; // the offer's position among negotiate_first's offers
    guid protocol_id; // what In.ProtocolId carried
    const char* protocol_name; // protocol_name<P>(): "" when the protocol has none
    uint32_t version; // the version offered
    ntstatus transport_status; // what the transport returned
    ntstatus status; // the offer's outcome: success, the refusal, or a protocol error
    answer_rule broken_rule; // for a success answer that broke §2.5, which rule
};

inline constexpr size_t no_route = ~size_t{0};

// What a responder reports for each request it answers.
struct request_event {
    // In.ProtocolId as far as the responder read it (docs/wire.md §2.3, check 3): its first
    // protocol_id_bytes bytes (16 once bytes 8-15 were read: the id matched, or was refused on
    // them; 8 when bytes 0-7 alone refused it; 0 before check 3), the rest zero.
    guid protocol_id;
    size_t route; // the route that served or refused it, or no_route
    const char* protocol_name; // that route's protocol_name<P>(), "" when none
    uint32_t version; // the request's version, once read (0 before check 5)
    request_check refused_by; // the check that refused it, or none
    ntstatus handler_status; // what the handler returned (success when it did not run)
    ntstatus status; // what the responder answered
    uint8_t protocol_id_bytes; // how many of protocol_id's bytes are In's: 0, 8 or 16
};

// A trace hook: callable with each kind of event, noexcept. It runs on the negotiating thread, at
// PASSIVE_LEVEL in a driver, inside the handshake: it must not block long or negotiate itself.
template <class H>
concept trace_hook = requires(H& h, const offer_event& o, const request_event& r) {
    { h(o) } noexcept;
    { h(r) } noexcept;
};

// A transport that reports each offer to a hook: negotiate(traced(transport, hook), ...). It
// holds the hook by reference, and the transport by reference when given an lvalue or by value
// when given a temporary (traced(kshake::mock::connected_pin(pin), hook) can be kept).
template <class Transport, class Hook>
struct traced_transport {
    // References (the transport when given an lvalue) are the point: it lives for one call.
    Transport transport; // NOLINT(cppcoreguidelines-avoid-const-or-ref-data-members)
    Hook& hook; // NOLINT(cppcoreguidelines-avoid-const-or-ref-data-members)

    auto operator()(const handshake& in, handshake& out) noexcept(noexcept(transport(in, out)))
        -> decltype(transport(in, out)) {
        return transport(in, out);
    }
    auto operator()(const handshake& in, handshake& out) const
        noexcept(noexcept(transport(in, out))) -> decltype(transport(in, out)) {
        return transport(in, out);
    }
};

template <class Transport, trace_hook Hook>
[[nodiscard]] constexpr traced_transport<Transport, Hook> traced(Transport&& transport,
                                                                 Hook& hook) noexcept {
    return {static_cast<Transport&&>(transport), hook};
}

// A line of text for an event, for a log: no heap, at most trace_string::capacity characters.
struct trace_string {
    static constexpr size_t capacity = 255;
    char text[capacity + 1];
    size_t length;

    [[nodiscard]] constexpr const char* c_str() const noexcept { return text; }
    [[nodiscard]] constexpr const char* data() const noexcept { return text; }
    [[nodiscard]] constexpr size_t size() const noexcept { return length; }
};

} // namespace kshake

// The text writer, the traced-transport test and the responder's record, which name the types
// above.
#include "detail/trace_parts.hpp"

namespace kshake {

// "offer 1 {id} "name" v2: STATUS_REVISION_MISMATCH (refused)" and the like.
[[nodiscard]] constexpr trace_string to_string(const offer_event& e) noexcept {
    detail::trace_writer w;
    w.put("kshake offer ");
    w.put_number(e.index);
    w.put(" ");
    w.put(to_string(e.protocol_id).c_str());
    w.put_name(e.protocol_name);
    w.put(" v");
    w.put_number(e.version);
    w.put(": ");
    w.put(to_string(e.status).c_str());
    if (e.status == status::success) {
        w.put(" (agreed)");
    } else if (e.broken_rule != answer_rule::none) {
        w.put(" (the peer answered ");
        w.put(to_string(e.transport_status).c_str());
        w.put(" but broke ");
        w.put(rule_name(e.broken_rule));
        w.put(")");
    } else if (e.transport_status == e.status) {
        w.put(" (refused)");
    }
    return w.s;
}

// "request {id} v3 route 1 "name": STATUS_REVISION_MISMATCH (check 5 ...)" and the like.
[[nodiscard]] constexpr trace_string to_string(const request_event& e) noexcept {
    detail::trace_writer w;
    w.put("kshake request ");
    guid_string id = to_string(e.protocol_id);
    if (e.protocol_id_bytes == 8U) {
        // Bytes 8-15 (the registry form's last two groups) were not read: "????".
        for (size_t i = 20; i + 1 < guid_registry_length; ++i) {
            id.text[i] = id.text[i] == '-' ? '-' : '?';
        }
    }
    w.put(id.c_str());
    if (e.version != 0U) {
        w.put(" v");
        w.put_number(e.version);
    }
    if (e.route != no_route) {
        w.put(" route ");
        w.put_number(e.route);
        w.put_name(e.protocol_name);
    }
    w.put(": ");
    w.put(to_string(e.status).c_str());
    if (e.refused_by != request_check::none) {
        w.put(" (");
        w.put(check_name(e.refused_by));
        w.put(")");
    } else if (e.handler_status != status::success) {
        w.put(" (the handler returned ");
        w.put(to_string(e.handler_status).c_str());
        w.put(")");
    }
    return w.s;
}

} // namespace kshake
