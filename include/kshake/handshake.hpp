// kshake::handshake — KSHANDSHAKE, byte for byte.
// SPDX-License-Identifier: MIT
#pragma once

#include "guid.hpp"

#include <cstddef>
#include <type_traits>

namespace kshake {

// ks.h: typedef struct { GUID ProtocolId; PVOID Argument1; PVOID Argument2; } KSHANDSHAKE;
// 24 bytes on x86, 32 on x64 and arm64. avstream.hpp copies to and from the platform type with
// memcpy-equivalent std::bit_cast, so the two are never aliased through a cast pointer.
struct handshake {
    guid protocol_id;
    void* argument1;
    void* argument2;
};

static_assert(std::is_trivially_copyable_v<handshake> && std::is_standard_layout_v<handshake>);
static_assert(offsetof(handshake, protocol_id) == 0, "kshake: ProtocolId is at offset 0");
static_assert(offsetof(handshake, argument1) == 16, "kshake: Argument1 is at offset 16");
static_assert(offsetof(handshake, argument2) == 16 + sizeof(void*),
              "kshake: Argument2 follows Argument1");
static_assert(sizeof(handshake) == 16 + 2 * sizeof(void*),
              "kshake: handshake is 24 bytes on 32-bit targets, 32 on 64-bit");
static_assert(sizeof(void*) != 4 || sizeof(handshake) == 24);
static_assert(sizeof(void*) != 8 || sizeof(handshake) == 32);

} // namespace kshake
