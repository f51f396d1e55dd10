// kshake::protocol — what a private pin protocol is, checked at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "detail/protocol_rules.hpp"
#include "guid.hpp"

namespace kshake {

// Payloads travel by value inside stack envelopes (negotiate() holds a request and a response on
// the caller's stack, the responder a copy of each on the same stack, and the x86 kernel stack
// is 12 KiB), so they are bounded: KSHAKE_MAX_PAYLOAD_SIZE, 256 bytes in kernel mode and 2048
// in user mode unless the build defines it (config.hpp, docs/driver.md "Stack usage").
inline constexpr size_t max_payload_size = KSHAKE_MAX_PAYLOAD_SIZE;
// The envelope puts the body at byte 8 on every target, which holds only for bodies aligned to
// at most 8 (see docs/wire.md).
inline constexpr size_t max_payload_alignment = 8;

// A payload is a plain C struct: copied byte for byte across the wire. It has no implicit
// padding, so every byte that crosses is a member its sender set (or kshake zeroed), and its
// layout is the same under every compiler of a target (docs/wire.md §2.6). An empty struct is a
// payload too: its one byte travels as zero.
template <class T>
concept payload = detail::is_class_v<T> && detail::complete_type<T> && !detail::is_const_v<T> &&
                  !detail::is_volatile_v<T> && detail::is_trivial_v<T> &&
                  detail::copy_assignable<T> && detail::is_standard_layout_v<T> &&
                  (detail::has_unique_object_representations_v<T> || detail::is_empty_v<T>) &&
                  sizeof(T) <= max_payload_size && alignof(T) <= max_payload_alignment;

// A protocol: `static constexpr kshake::guid id`, `using request`, `using response` (payloads),
// and optionally `static constexpr uint32_t version` (default 1) and `min_version`
// (default: version). Version 0 never appears on the wire.
template <class P>
concept protocol =
    detail::has_id<P> && detail::has_non_nil_id<P> && detail::has_payload_types<P> &&
    payload<typename P::request> && payload<typename P::response> && detail::valid_versions<P> &&
    !detail::hides_a_member<P> && detail::wrapped_versions_valid<P>;

// The version an initiator speaks, and the lowest one a responder serves.
template <protocol P>
inline constexpr uint32_t version_v = detail::version_of<P>();
template <protocol P>
inline constexpr uint32_t min_version_v = detail::min_version_of<P>();

template <protocol P>
using request_t = typename P::request;
template <protocol P>
using response_t = typename P::response;

// The same protocol spoken at exactly version V: what negotiate_first offers when it falls back
// from one version to the next, e.g. negotiate_first<at_version<pool, 3>, at_version<pool, 2>>.
//
// P is not constrained here, so that a mistake in P reaches check_protocol's message for
// at_version<P, V> (which inherits it) instead of an anonymous constraint failure.
template <class P, uint32_t V>
struct at_version : detail::class_or_empty_t<P> {
    static constexpr uint32_t version = V;
    static constexpr uint32_t min_version = V;
};

// A protocol's display name: `static constexpr const char* name = "...";` (or a char array, or
// in user mode a std::string_view naming a string literal) when it has one, else "".
template <protocol P>
[[nodiscard]] constexpr const char* protocol_name() noexcept {
    if constexpr (detail::named_by_text<P>) {
        return static_cast<const char*>(P::name);
    } else if constexpr (detail::named_by_view<P>) {
        return static_cast<const char*>(P::name.data());
    } else {
        return "";
    }
}

} // namespace kshake
