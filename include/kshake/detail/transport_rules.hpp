// kshake/detail/transport_rules.hpp — the rule of kshake::transport (kshake/transport.hpp) that
// `out` is taken by reference, so that the peer's answer is not lost in a copy.
// SPDX-License-Identifier: MIT
#pragma once

#include "../handshake.hpp"
#include "freestanding.hpp"

namespace kshake::detail {

// A call operator that also takes a temporary as `out` takes it by value or by const&
// (or, generic, by forwarding reference): the peer's answer would be written into a copy and
// lost, and every negotiation would fail with STATUS_DEVICE_PROTOCOL_ERROR.
template <class T>
concept takes_out_by_copy = requires(T& t, const handshake& in) { t(in, handshake{}); };

} // namespace kshake::detail
