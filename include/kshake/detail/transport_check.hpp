// kshake/detail/transport_check.hpp — a transport checked where negotiate() receives it, one
// kshake: message a mistake (kshake/transport.hpp).
// SPDX-License-Identifier: MIT
//
// kshake/transport.hpp includes it after the concept it names; it includes that header itself,
// so either may come first.
#pragma once

#include "../handshake.hpp"
#include "../status.hpp"
#include "../transport.hpp"
#include "freestanding.hpp"
#include "transport_rules.hpp"

namespace kshake::detail {

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

} // namespace kshake::detail
