// kshake/detail/handshake_bytes.hpp — a handshake read from and written to the platform's
// KSHANDSHAKE as bytes (kshake/handshake.hpp).
// SPDX-License-Identifier: MIT
//
// kshake/handshake.hpp includes it after handshake; it includes that header itself, so either
// may come first.
#pragma once

#include "../handshake.hpp"
#include "freestanding.hpp"

namespace kshake::detail {

// A type that crosses as a KSHANDSHAKE: its size, copied byte for byte (KSHANDSHAKE itself, or
// kshake::handshake). What a callback's and a direct_pin's handshake type must be.
template <class H>
concept handshake_shaped = sizeof(H) == sizeof(handshake) && detail::is_trivially_copyable_v<H>;

// A handshake crossing to or from the platform's KSHANDSHAKE (the responder's In and Out,
// avstream.hpp's transports) is read and written as bytes, never through a cast pointer; field
// by field, because g++ 12 copies a whole 32-byte handshake through vector registers and a
// stack temporary that the hot path then reloads (docs/benchmarks.md, "What the measurements
// changed in kshake"). A peer's In is read once (no double fetch).
[[nodiscard]] inline handshake read_handshake(const void* from) noexcept {
    const auto* const bytes = static_cast<const unsigned char*>(from);
    handshake h; // NOLINT(cppcoreguidelines-pro-type-member-init): every field is copied below
    copy_bytes(&h.protocol_id, bytes, sizeof h.protocol_id);
    copy_bytes(static_cast<void*>(&h.argument1), bytes + KSHAKE_OFFSETOF(handshake, argument1),
               sizeof h.argument1);
    copy_bytes(static_cast<void*>(&h.argument2), bytes + KSHAKE_OFFSETOF(handshake, argument2),
               sizeof h.argument2);
    return h;
}

inline void write_handshake(void* to, const handshake& h) noexcept {
    auto* const bytes = static_cast<unsigned char*>(to);
    copy_bytes(bytes, &h.protocol_id, sizeof h.protocol_id);
    copy_bytes(bytes + KSHAKE_OFFSETOF(handshake, argument1),
               static_cast<const void*>(&h.argument1), sizeof h.argument1);
    copy_bytes(bytes + KSHAKE_OFFSETOF(handshake, argument2),
               static_cast<const void*>(&h.argument2), sizeof h.argument2);
}

} // namespace kshake::detail
