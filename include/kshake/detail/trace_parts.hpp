// kshake/detail/trace_parts.hpp — what kshake/trace.hpp is built from: the writer behind
// to_string's lines, the test that tells a traced transport, and the record a responder fills
// for its request_event.
// SPDX-License-Identifier: MIT
//
// Part of kshake/trace.hpp, which includes it after the event and string types and before
// to_string; not a header to include on its own.
#pragma once

#include "../guid.hpp"
#include "../status.hpp"
#include "checks.hpp"
#include "freestanding.hpp"

namespace kshake::detail {

// to_string's line: appends until trace_string::capacity, then drops the rest.
struct trace_writer {
    trace_string s{};

    constexpr void put(const char* text) noexcept {
        for (size_t i = 0; text[i] != '\0' && s.length < trace_string::capacity; ++i) {
            s.text[s.length++] = text[i];
        }
    }
    constexpr void put_number(uint64_t value) noexcept {
        char digits[21]{'0'};
        size_t n = value == 0U ? 1 : 0;
        for (; value != 0U; value /= 10U) {
            digits[n++] = static_cast<char>('0' + (value % 10U));
        }
        char text[21]{};
        for (size_t i = 0; i < n; ++i) {
            text[i] = digits[n - 1 - i];
        }
        put(text);
    }
    constexpr void put_name(const char* name) noexcept {
        if (name != nullptr && name[0] != '\0') {
            put(" \"");
            put(name);
            put("\"");
        }
    }
};

// Whether negotiate's transport came from traced(), so that it reports each offer to its hook.
template <class T>
inline constexpr bool is_traced_transport = false;
template <class Transport, class Hook>
inline constexpr bool is_traced_transport<traced_transport<Transport, Hook>> = true;

// The trace of a request, carried through a responder's one serving sequence
// (detail/serve_route.hpp): a plain responder passes none, so its calls are empty folds and compile
// to nothing.
struct request_trace {
    request_event event{guid{},          no_route,        "", 0, request_check::none,
                        status::success, status::success, 0};
    void read_id(size_t offset, uint64_t half) noexcept {
        copy_bytes(reinterpret_cast<unsigned char*>(&event.protocol_id) + offset, &half,
                   sizeof half);
        event.protocol_id_bytes = static_cast<uint8_t>(offset + sizeof half);
    }
    constexpr void route(size_t index, const char* name) noexcept {
        event.route = index;
        event.protocol_name = name;
    }
    constexpr void version(uint32_t v) noexcept { event.version = v; }
    constexpr void refused(request_check c) noexcept { event.refused_by = c; }
    constexpr void handled(ntstatus s) noexcept {
        event.handler_status = s;
        if (!nt_success(s)) {
            event.refused_by = request_check::handler;
        }
    }
};

} // namespace kshake::detail
