// expect: kshake: direct_pin: the callback must return NTSTATUS or kshake::ntstatus
// kshake::direct_pin over a callback that returns a 64-bit integer, not an NTSTATUS.
// SPDX-License-Identifier: MIT
#include "fixtures.hpp"
struct my_pin { void* Context; };
#ifdef KSHAKE_VALID_TWIN
using st = kshake::ntstatus;
#else
using st = long long;
#endif
inline st cb(my_pin*, kshake::handshake*, kshake::handshake*) noexcept { return 0; }
inline my_pin p{nullptr};
inline const kshake::direct_pin t(&cb, &p);
