// kshake::transport — anything that performs one handshake with a peer pin.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "handshake.hpp"
#include "status.hpp"

namespace kshake {

namespace detail {
// A call operator that also takes a temporary as `out` takes it by value or by const&
// (or, generic, by forwarding reference): the peer's answer would be written into a copy and
// lost, and every negotiation would fail with STATUS_DEVICE_PROTOCOL_ERROR.
template <class T>
concept takes_out_by_copy = requires(T& t, const handshake& in) { t(in, handshake{}); };
} // namespace detail

// `ntstatus t(const handshake& in, handshake& out) noexcept`: sends `in` to the peer, which
// fills `out`; success only if the peer accepted. avstream.hpp's transports call KsPinHandshake
// or send IOCTL_KS_HANDSHAKE; mock.hpp's call a mock pin; a lambda will do in a test. It may
// return NTSTATUS (a 32-bit `long` on Windows targets) instead of kshake::ntstatus
// (status_type): the value is the same NTSTATUS either way.
template <class T>
concept transport = requires(T& t, const handshake& in, handshake& out) {
    { t(in, out) } noexcept -> status_type;
} && !detail::takes_out_by_copy<T>;

namespace detail {
// T as negotiate() received it: a const transport must be callable through a const reference.
template <class T>
consteval bool check_transport() noexcept {
    using type = detail::remove_reference_t<T>;
    if constexpr (!requires(type& t, const handshake& in, handshake& out) { t(in, out); }) {
        static_assert(
            requires(type& t, const handshake& in, handshake& out) { t(in, out); },
            "kshake: not a transport: it must be callable as "
            "`kshake::ntstatus t(const kshake::handshake& in, kshake::handshake& out) "
            "noexcept` (e.g. kshake::mock::connected_pin(pin) or "
            "kshake::avstream::connected_pin(pin))");
        return false;
    } else if constexpr (takes_out_by_copy<type>) {
        static_assert(!takes_out_by_copy<type>,
                      "kshake: a transport must take `out` as `kshake::handshake& out` (not by "
                      "value, const& or auto&&): the peer's answer is written there, and a copy "
                      "would lose it");
        return false;
    } else if constexpr (!requires(type& t, const handshake& in, handshake& out) {
                             { t(in, out) } -> status_type;
                         }) {
        static_assert(
            requires(type& t, const handshake& in, handshake& out) {
                { t(in, out) } -> status_type;
            }, "kshake: a transport must return kshake::ntstatus (the NTSTATUS of the "
               "handshake; NTSTATUS, a 32-bit long, works too), not another type");
        return false;
    } else if constexpr (!transport<type>) {
        static_assert(transport<type>,
                      "kshake: a transport must be noexcept: declare its call operator "
                      "`noexcept` (nothing on the negotiation path may throw)");
        return false;
    } else {
        return true;
    }
}
} // namespace detail

} // namespace kshake
