// kshake/detail/checks.hpp — what a responder checks (docs/wire.md §2.3) and what an initiator
// checks of an answer (§2.5), by name, and the one table from a failed check to its status: the
// codecs and the responder refuse through it, a trace reports the same names (trace.hpp).
// SPDX-License-Identifier: MIT
#pragma once

#include "../status.hpp"
#include "freestanding.hpp"

namespace kshake {

// The check of docs/wire.md §2.3 that refused a request; `none` when it was served.
enum class request_check : uint8_t {
    none = 0,
    in_out_null = 1,           // In or Out is null
    no_context = 2,            // the pin is null or has no context
    unknown_protocol = 3,      // no route serves In.ProtocolId
    envelope_null = 4,         // In.Argument1 or In.Argument2 is null
    version = 5,               // the request's version is in no route's range
    request_size = 6,          // the request envelope is shorter than the route's request
    response_capacity = 7,     // the response envelope is smaller than the route's response
    response_overlaps_out = 8, // the response envelope would overwrite Out
    handler = 9,               // the handler returned a failure status
};

// The rule of docs/wire.md §2.5 that a success answer broke; `none` for an accepted offer and for
// a refusal.
enum class answer_rule : uint8_t {
    none = 0,
    status_code = 1,      // R0: a success code other than STATUS_SUCCESS
    protocol_id = 2,      // R1: Out.ProtocolId is not the offered id
    argument1 = 3,        // R2: Out.Argument1 is not the initiator's response envelope
    argument2 = 4,        // R3: Out.Argument2 is not null
    response_size = 5,    // R4: the response size is not envelope_size<response>
    response_version = 6, // R5: the response version is not the offered version
};

namespace detail {

// The tables of docs/wire.md §2.3 and §2.5, beside the enumerations: a check's status and name,
// a rule's name. Switches with no default, under -Wswitch as an error (with or without the
// build's flags): a new check or rule does not compile until each table has its case. After a
// switch only a value that is no enumerator remains.
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
#endif

// Named in status_of for a check that refuses with no status of its own: not a constant
// expression, so such a use does not compile.
inline void check_without_a_status_of_its_own() noexcept {}

// The status a check answers when it refuses (docs/wire.md §2.3's last column). `none` refuses
// nothing and check 9 answers with the handler's own status: naming either here does not compile.
[[nodiscard]] consteval ntstatus status_of(request_check c) noexcept {
    switch (c) {
    case request_check::in_out_null:
        return status::invalid_parameter;
    case request_check::no_context:
        return status::invalid_device_state;
    case request_check::unknown_protocol:
        return status::invalid_device_request;
    case request_check::envelope_null:
        return status::invalid_parameter;
    case request_check::version:
        return status::revision_mismatch;
    case request_check::request_size:
        return status::invalid_buffer_size;
    case request_check::response_capacity:
        return status::buffer_too_small;
    case request_check::response_overlaps_out:
        return status::invalid_parameter;
    case request_check::none:
    case request_check::handler:
        break;
    }
    check_without_a_status_of_its_own();
    return status::unsuccessful;
}

// check_name's text (trace.hpp); "" for a value that is no enumerator.
[[nodiscard]] constexpr const char* name_of(request_check c) noexcept {
    switch (c) {
    case request_check::none:
        return "none: served";
    case request_check::in_out_null:
        return "check 1 of wire.md 2.3: In or Out is null";
    case request_check::no_context:
        return "check 2 of wire.md 2.3: the pin is null or has no context";
    case request_check::unknown_protocol:
        return "check 3 of wire.md 2.3: no route serves the protocol id";
    case request_check::envelope_null:
        return "check 4 of wire.md 2.3: a null envelope";
    case request_check::version:
        return "check 5 of wire.md 2.3: the request's version is in no route's range";
    case request_check::request_size:
        return "check 6 of wire.md 2.3: the request envelope is too short";
    case request_check::response_capacity:
        return "check 7 of wire.md 2.3: the response envelope is too small";
    case request_check::response_overlaps_out:
        return "check 8 of wire.md 2.3: the response envelope overlaps Out";
    case request_check::handler:
        return "check 9 of wire.md 2.3: the handler refused";
    }
    return "";
}

// rule_name's text (trace.hpp); "" for a value that is no enumerator.
[[nodiscard]] constexpr const char* name_of(answer_rule r) noexcept {
    switch (r) {
    case answer_rule::none:
        return "none";
    case answer_rule::status_code:
        return "rule R0 of wire.md 2.5: a success code other than STATUS_SUCCESS";
    case answer_rule::protocol_id:
        return "rule R1 of wire.md 2.5: Out.ProtocolId is not the offered id";
    case answer_rule::argument1:
        return "rule R2 of wire.md 2.5: Out.Argument1 is not the initiator's response envelope";
    case answer_rule::argument2:
        return "rule R3 of wire.md 2.5: Out.Argument2 is not null";
    case answer_rule::response_size:
        return "rule R4 of wire.md 2.5: the response size is not envelope_size<response>";
    case answer_rule::response_version:
        return "rule R5 of wire.md 2.5: the response version is not the offered version";
    }
    return "";
}

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

// How KSHAKE_DETAIL_REFUSE_AT below returns a failed check's status. Optimised under clang it calls
// a function of its own, so that each failed check is one conditional tail jump: returning the
// constant in place makes clang-19 load every check's status into the return register before the
// check, on the path that passes too (docs/benchmarks.md, "What the measurements changed in
// kshake"). g++ compiles the constant just as well and keeps a stack frame for a call, and an
// unoptimised build would give each refusal a frame (docs/driver.md, "Stack usage").
#if defined(__clang__) && defined(__OPTIMIZE__)
template <ntstatus S>
[[gnu::noinline, gnu::cold]] constexpr ntstatus refuse() noexcept {
    return S;
}
#define KSHAKE_DETAIL_REFUSE(s) ::kshake::detail::refuse<(s)>()
#else
#define KSHAKE_DETAIL_REFUSE(s) (s)
#endif

// A check of docs/wire.md §2.3 that fails: `return KSHAKE_DETAIL_REFUSE_AT(request_check::x,
// trace);`. The trace (none, or a responder's detail::request_trace) hears which check, and the
// status is that check's own, from the one table (detail::status_of).
#define KSHAKE_DETAIL_REFUSE_AT(check, trace)                                                      \
    (((trace).refused(check), ...), KSHAKE_DETAIL_REFUSE(::kshake::detail::status_of(check)))

} // namespace detail

} // namespace kshake
