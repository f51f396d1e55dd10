// kshake::direct_pin — a transport that calls a peer's PFNKSPINHANDSHAKE-shaped callback itself,
// as KsPinHandshake does once it has found the connected pin: for user-mode tests and
// benchmarks without the mock's lock and log, and for a driver's own self-test.
// Portable and kernel-safe: no standard header, no heap, no lock, no I/O.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/direct_pin_check.hpp"
#include "detail/freestanding.hpp"
#include "handshake.hpp"
#include "status.hpp"
#include "transport.hpp"

namespace kshake {

// A transport to a peer pin's handshake callback: `callback(pin, &In, &Out)` through the pointer,
// with In and Out the callback's own handshake type (KSHANDSHAKE in a driver), each crossing by
// copy as avstream::connected_pin's do. Out starts as zeros and reaches `out` only on exactly
// STATUS_SUCCESS (docs/wire.md §2.5: a failure leaves the caller's `out` as it was). No status of
// its own: the callback's is returned as it is. The callback must not be null (it is called, not
// tested: this transport adds nothing to a negotiation beyond the copies).
//
//   kshake::direct_pin(&R::callback<my_pin*>, &peer)      calls that callback
//   kshake::direct_pin(&peer.registered, &peer)           calls what peer.registered holds at
//                                                          each call (Registered = true), as
//                                                          ks.sys reads the callback a pin
//                                                          registered when the handshake comes
//   kshake::direct_pin(kshake::avstream::handshake_callback<R>, Pin)   a driver's self-test
template <class Pin, class Handshake = handshake, class Status = ntstatus, bool Registered = false>
class direct_pin {
    static_assert(detail::check_direct_pin<Handshake, Status>());

  public:
    using callback_type = Status (*)(Pin, Handshake*, Handshake*);
    // The callback, or with Registered where to read it at each call.
    using source_type = detail::conditional_t<Registered, const callback_type*, callback_type>;

    constexpr direct_pin(source_type callback, Pin pin) noexcept : callback_{callback}, pin_{pin} {}

    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        Handshake platform_in; // NOLINT(cppcoreguidelines-pro-type-member-init): copied into
        detail::write_handshake(&platform_in, in);
        // Zeros, as connected_pin's Out: filled here rather than copied from `out` (zeros too),
        // which g++ 12 compiles more cheaply (docs/benchmarks.md, "What the measurements changed
        // in kshake").
        Handshake platform_out{};
        callback_type callback = nullptr;
        if constexpr (Registered) {
            callback = *callback_;
        } else {
            callback = callback_;
        }
        const auto s = static_cast<ntstatus>(callback(pin_, &platform_in, &platform_out));
        if (s == status::success) {
            out = detail::read_handshake(&platform_out);
        }
        return s;
    }

  private:
    source_type callback_;
    Pin pin_;
};

// direct_pin(callback, pin): the types from the callback (a noexcept one, as a responder's is, or
// a plain PFNKSPINHANDSHAKE); direct_pin(&registered, pin): from where a pin keeps the callback it
// registered, a PFNKSPINHANDSHAKE (KsPinRegisterHandshakeCallback's parameter type, not noexcept).
// The pin converts to the callback's pin type.
template <class Pin, class Handshake, class Status>
direct_pin(Status (*)(Pin, Handshake*, Handshake*) noexcept,
           typename detail::type_identity<Pin>::type) -> direct_pin<Pin, Handshake, Status>;
template <class Pin, class Handshake, class Status>
direct_pin(Status (*)(Pin, Handshake*, Handshake*), typename detail::type_identity<Pin>::type)
    -> direct_pin<Pin, Handshake, Status>;
template <class Pin, class Handshake, class Status>
direct_pin(Status (*const*)(Pin, Handshake*, Handshake*), typename detail::type_identity<Pin>::type)
    -> direct_pin<Pin, Handshake, Status, true>;

} // namespace kshake
