// kshake::transport — anything that performs one handshake with a peer pin.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "detail/transport_rules.hpp"
#include "handshake.hpp"
#include "status.hpp"

namespace kshake {

// `ntstatus t(const handshake& in, handshake& out) noexcept`: sends `in` to the peer, which
// fills `out`; success only if the peer accepted. avstream.hpp's transports call KsPinHandshake
// or send IOCTL_KS_HANDSHAKE; mock.hpp's call a mock pin; a lambda will do in a test. It may
// return NTSTATUS (a 32-bit `long` on Windows targets) instead of kshake::ntstatus
// (status_type): the value is the same NTSTATUS either way.
template <class T>
concept transport = requires(T& t, const handshake& in, handshake& out) {
    { t(in, out) } noexcept -> status_type;
} && !detail::takes_out_by_copy<T>;

} // namespace kshake

// negotiate()'s check of a transport, which names the concept above.
#include "detail/transport_check.hpp"
