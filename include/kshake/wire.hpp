// kshake/wire.hpp — the codecs a protocol may name and the wire contract's version. How each
// codec lays out KSHANDSHAKE's two pointers, byte by byte, is docs/wire.md; the code that does
// it is detail/codec.hpp.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"

namespace kshake {

// The version of the wire contract these headers implement (docs/wire.md §7). It is not sent:
// the contract fixes what every byte means, so two peers agree on it by being built to it.
inline constexpr uint32_t wire_contract_major = 1;
inline constexpr uint32_t wire_contract_minor = 0;

// The default codec: the request and the response each travel in an envelope
// {size, version, body} (docs/wire.md §2). A protocol without a `codec` member uses it.
struct envelope_codec {};

// Both pointers as they are, for a peer with its own convention (docs/wire.md §4):
// `using codec = kshake::raw_codec;`.
// A raw protocol has request = response = raw_arguments: the initiator's In.Argument1/2 reach
// the handler as they are, and the handler's answer becomes Out.Argument1/2. No version travels
// on the wire, pointers may be null, and nothing is dereferenced by kshake.
struct raw_codec {};

struct raw_arguments {
    void* argument1;
    void* argument2;
};

} // namespace kshake
