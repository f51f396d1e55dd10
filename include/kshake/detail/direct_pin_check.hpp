// kshake/detail/direct_pin_check.hpp — the callback types kshake::direct_pin takes
// (kshake/direct.hpp), checked once, one kshake: message a mistake.
// SPDX-License-Identifier: MIT
#pragma once

#include "../handshake.hpp"
#include "../status.hpp"
#include "freestanding.hpp"

namespace kshake::detail {

// direct_pin<Pin, Handshake, Status>, checked once where it is named, one message a mistake.
template <class Handshake, class Status>
consteval bool check_direct_pin() noexcept {
    if constexpr (!handshake_shaped<Handshake>) {
        static_assert(handshake_shaped<Handshake>,
                      "kshake: direct_pin: the callback's handshake type must have KSHANDSHAKE's "
                      "layout (KSHANDSHAKE or kshake::handshake)");
        return false;
    } else if constexpr (!status_type<Status>) {
        static_assert(status_type<Status>,
                      "kshake: direct_pin: the callback must return NTSTATUS or kshake::ntstatus "
                      "(a 32-bit signed integer)");
        return false;
    } else {
        return true;
    }
}

} // namespace kshake::detail
