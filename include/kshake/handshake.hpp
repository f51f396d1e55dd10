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

} // namespace kshake

// detail::read_handshake and write_handshake, named above, which need handshake complete.
#include "detail/handshake_bytes.hpp"
