// expect: kshake: direct_pin: the callback's handshake type must have KSHANDSHAKE's layout
// kshake::direct_pin over a callback whose handshake type is not KSHANDSHAKE-shaped.
// SPDX-License-Identifier: MIT
#include "fixtures.hpp"
struct my_pin { void* Context; };
#ifdef KSHAKE_VALID_TWIN
using hs = kshake::handshake;
#else
struct hs { kshake::guid id; void* a; };
#endif
inline kshake::ntstatus cb(my_pin*, hs*, hs*) noexcept { return 0; }
inline my_pin p{nullptr};
inline const kshake::direct_pin t(&cb, &p);
