// kshake over the real AVStream: transports that call KsPinHandshake and IOCTL_KS_HANDSHAKE,
// and installing a responder with KsPinRegisterHandshakeCallback. Kernel mode only.
// Include <ntddk.h>, then <ks.h>, then this header. See docs/driver.md.
// SPDX-License-Identifier: MIT
#pragma once

#if !defined(_KS_) || !defined(_NTDDK_)
#error "kshake: avstream.hpp needs the platform's kernel-streaming headers: include <ntddk.h> and then <ks.h> before it (user-mode tests use kshake/mock.hpp instead)"
#endif

#include "detail/kernel_terminate.hpp"
#include "kshake.hpp"

#include <bit>
#include <cstddef>
#include <type_traits>

// The platform's types and kshake's must be the same bytes: conversions copy them.
static_assert(sizeof(KSHANDSHAKE) == sizeof(kshake::handshake) &&
                  offsetof(KSHANDSHAKE, ProtocolId) == offsetof(kshake::handshake, protocol_id) &&
                  offsetof(KSHANDSHAKE, Argument1) == offsetof(kshake::handshake, argument1) &&
                  offsetof(KSHANDSHAKE, Argument2) == offsetof(kshake::handshake, argument2),
              "kshake: KSHANDSHAKE and kshake::handshake must have the same layout");
static_assert(sizeof(GUID) == sizeof(kshake::guid) && kshake::platform_guid<GUID>,
              "kshake: GUID and kshake::guid must have the same layout");
static_assert(sizeof(NTSTATUS) == sizeof(kshake::ntstatus), "kshake: NTSTATUS is 32 bits");

// kshake's status constants are ntstatus.h's values.
static_assert(kshake::status::success == STATUS_SUCCESS);
static_assert(kshake::status::pending == STATUS_PENDING);
static_assert(kshake::status::buffer_overflow == STATUS_BUFFER_OVERFLOW);
static_assert(kshake::status::unsuccessful == STATUS_UNSUCCESSFUL);
static_assert(kshake::status::not_implemented == STATUS_NOT_IMPLEMENTED);
static_assert(kshake::status::invalid_parameter == STATUS_INVALID_PARAMETER);
static_assert(kshake::status::invalid_device_request == STATUS_INVALID_DEVICE_REQUEST);
static_assert(kshake::status::buffer_too_small == STATUS_BUFFER_TOO_SMALL);
static_assert(kshake::status::revision_mismatch == STATUS_REVISION_MISMATCH);
static_assert(kshake::status::insufficient_resources == STATUS_INSUFFICIENT_RESOURCES);
static_assert(kshake::status::device_not_connected == STATUS_DEVICE_NOT_CONNECTED);
static_assert(kshake::status::not_supported == STATUS_NOT_SUPPORTED);
static_assert(kshake::status::invalid_device_state == STATUS_INVALID_DEVICE_STATE);
static_assert(kshake::status::device_protocol_error == STATUS_DEVICE_PROTOCOL_ERROR);
static_assert(kshake::status::invalid_buffer_size == STATUS_INVALID_BUFFER_SIZE);
static_assert(kshake::status::not_found == STATUS_NOT_FOUND);

namespace kshake::avstream {

[[nodiscard]] inline KSHANDSHAKE to_ks(const handshake& h) noexcept {
    return std::bit_cast<KSHANDSHAKE>(h);
}
[[nodiscard]] inline handshake from_ks(const KSHANDSHAKE& h) noexcept {
    return std::bit_cast<handshake>(h);
}

// A transport over a connected pin: KsPinHandshake hands In to the connected pin's handshake
// callback. PASSIVE_LEVEL; the caller must hold the pin (e.g. in its Connect/SetDataFormat
// dispatch, or under the filter's control mutex) so the connection cannot go away mid-call.
class connected_pin {
  public:
    explicit connected_pin(PKSPIN pin) noexcept : pin_{pin} {}

    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        KSHANDSHAKE ks_in = to_ks(in);
        KSHANDSHAKE ks_out = to_ks(out);
        const NTSTATUS s = KsPinHandshake(pin_, &ks_in, &ks_out);
        if (NT_SUCCESS(s)) {
            out = from_ks(ks_out);
        }
        return s;
    }

  private:
    PKSPIN pin_;
};

// A transport over a pin that is not connected, through its file object: IOCTL_KS_HANDSHAKE
// sent with KsSynchronousIoControlDevice as a kernel-mode requestor (user-mode requestors are
// refused by ks.sys), both lengths sizeof(KSHANDSHAKE); a success that returns any other byte
// count breaks the IOCTL's contract and gives STATUS_DEVICE_PROTOCOL_ERROR.
class file_object {
  public:
    explicit file_object(PFILE_OBJECT file) noexcept : file_{file} {}

    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        KSHANDSHAKE ks_in = to_ks(in);
        KSHANDSHAKE ks_out = to_ks(out);
        ULONG returned = 0;
        const NTSTATUS s = KsSynchronousIoControlDevice(
            file_, KernelMode, IOCTL_KS_HANDSHAKE, &ks_in, sizeof(KSHANDSHAKE), &ks_out,
            sizeof(KSHANDSHAKE), &returned);
        if (!NT_SUCCESS(s)) {
            return s;
        }
        if (returned != sizeof(KSHANDSHAKE)) {
            return status::device_protocol_error;
        }
        out = from_ks(ks_out);
        return s;
    }

  private:
    PFILE_OBJECT file_;
};

// The responder's PFNKSPINHANDSHAKE. The pin's Context must point to the responder's context.
template <class Responder>
inline constexpr PFNKSPINHANDSHAKE handshake_callback =
    &Responder::template callback<PKSPIN, KSHANDSHAKE, NTSTATUS>;

// Installs a responder on a pin, typically in the pin's Create dispatch.
template <class Responder>
void install(PKSPIN pin) noexcept {
    KsPinRegisterHandshakeCallback(pin, handshake_callback<Responder>);
}

} // namespace kshake::avstream
