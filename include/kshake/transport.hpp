// kshake::transport — anything that performs one handshake with a peer pin.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "handshake.hpp"
#include "status.hpp"

namespace kshake {

// `ntstatus t(const handshake& in, handshake& out) noexcept`: sends `in` to the peer, which
// fills `out`; success only if the peer accepted. avstream.hpp's transports call KsPinHandshake
// or send IOCTL_KS_HANDSHAKE; mock.hpp's call a mock pin; a lambda will do in a test.
template <class T>
concept transport = requires(T& t, const handshake& in, handshake& out) {
    { t(in, out) } noexcept -> detail::same_as<ntstatus>;
};

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
            "noexcept` (e.g. kshake::mock::over_connection(pin) or "
            "kshake::avstream::connected_pin(pin))");
        return false;
    } else if constexpr (!requires(type& t, const handshake& in, handshake& out) {
                             { t(in, out) } -> detail::same_as<ntstatus>;
                         }) {
        static_assert(
            requires(type& t, const handshake& in, handshake& out) {
                { t(in, out) } -> detail::same_as<ntstatus>;
            }, "kshake: a transport must return kshake::ntstatus (the NTSTATUS of the "
               "handshake), not another type");
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
