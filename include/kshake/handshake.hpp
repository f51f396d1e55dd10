// kshake::handshake — KSHANDSHAKE, byte for byte.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "guid.hpp"

namespace kshake {

// ks.h: typedef struct { GUID ProtocolId; PVOID Argument1; PVOID Argument2; } KSHANDSHAKE;
// 24 bytes on x86, 32 on x64 and arm64. Crossing to and from the platform type copies bytes
// (detail::read_handshake / write_handshake), never aliases them through a cast pointer.
struct handshake {
    guid protocol_id;
    void* argument1;
    void* argument2;
};

static_assert(detail::is_trivially_copyable_v<handshake> &&
              detail::is_standard_layout_v<handshake>);
static_assert(KSHAKE_OFFSETOF(handshake, protocol_id) == 0, "kshake: ProtocolId is at offset 0");
static_assert(KSHAKE_OFFSETOF(handshake, argument1) == 16, "kshake: Argument1 is at offset 16");
static_assert(KSHAKE_OFFSETOF(handshake, argument2) == 16 + sizeof(void*),
              "kshake: Argument2 follows Argument1");
static_assert(sizeof(handshake) == 16 + 2 * sizeof(void*),
              "kshake: handshake is 24 bytes on 32-bit targets, 32 on 64-bit");
static_assert(sizeof(void*) != 4 || sizeof(handshake) == 24);
static_assert(sizeof(void*) != 8 || sizeof(handshake) == 32);

namespace detail {

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

} // namespace detail

} // namespace kshake
