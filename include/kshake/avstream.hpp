// kshake over the real AVStream: transports that call KsPinHandshake and IOCTL_KS_HANDSHAKE,
// installing a responder with KsPinRegisterHandshakeCallback, and a trace hook that prints through
// DbgPrintEx. Kernel mode only.
// Include <ntddk.h>, then <ks.h>, then this header; write KSHAKE_DEFINE_KERNEL_TERMINATE(); in
// one .cpp of the driver. See docs/driver.md.
//
// IRQL: everything here is PASSIVE_LEVEL, as KsPinHandshake, KsSynchronousIoControlDevice and
// KsPinRegisterHandshakeCallback are. Nothing here allocates, blocks on a lock or keeps a pointer
// past a call: the envelopes a negotiation sends live in the initiator's frame for one call.
// SPDX-License-Identifier: MIT
#pragma once

#if !defined(_KS_) || !defined(_NTDDK_)
#error                                                                                             \
    "kshake: avstream.hpp needs the platform's kernel-streaming headers: include <ntddk.h> and then <ks.h> before it (user-mode tests use kshake/mock.hpp instead)"
#endif

#include "detail/kernel_terminate.hpp" // KSHAKE_DEFINE_KERNEL_TERMINATE: std::terminate as a bug check
#include "detail/ks_callback.hpp"
#include "kshake.hpp"

// The platform's types and kshake's must be the same bytes: conversions copy them.
static_assert(sizeof(KSHANDSHAKE) == sizeof(kshake::handshake) &&
                  KSHAKE_OFFSETOF(KSHANDSHAKE, ProtocolId) ==
                      KSHAKE_OFFSETOF(kshake::handshake, protocol_id) &&
                  KSHAKE_OFFSETOF(KSHANDSHAKE, Argument1) ==
                      KSHAKE_OFFSETOF(kshake::handshake, argument1) &&
                  KSHAKE_OFFSETOF(KSHANDSHAKE, Argument2) ==
                      KSHAKE_OFFSETOF(kshake::handshake, argument2),
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
static_assert(kshake::status::cancelled == STATUS_CANCELLED);
static_assert(kshake::status::invalid_device_state == STATUS_INVALID_DEVICE_STATE);
static_assert(kshake::status::device_protocol_error == STATUS_DEVICE_PROTOCOL_ERROR);
static_assert(kshake::status::invalid_buffer_size == STATUS_INVALID_BUFFER_SIZE);
static_assert(kshake::status::not_found == STATUS_NOT_FOUND);

namespace kshake::avstream {

[[nodiscard]] inline KSHANDSHAKE to_ks(const handshake& h) noexcept {
    KSHANDSHAKE ks; // NOLINT(cppcoreguidelines-pro-type-member-init): every field is copied
    detail::write_handshake(&ks, h);
    return ks;
}
[[nodiscard]] inline handshake from_ks(const KSHANDSHAKE& h) noexcept {
    return detail::read_handshake(&h);
}

// A transport over a connected pin: KsPinHandshake hands In to the connected pin's handshake
// callback. PASSIVE_LEVEL; call it where the connection cannot go away mid-call, e.g. in the
// pin's SetDeviceState dispatch (AVStream holds the filter control mutex there) as the sample
// driver does. Out is copied back only on STATUS_SUCCESS, the one status after which kshake reads
// it: what a refusing peer left in KsPinHandshake's Out is unspecified, and kshake's rule is that
// a failure leaves the caller's Out as it was.
class connected_pin {
  public:
    explicit connected_pin(PKSPIN pin) noexcept : pin_{pin} {}

    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        KSHANDSHAKE ks_in = to_ks(in);
        // The peer's Out starts as zeros (docs/wire.md §2.5), as kshake's own `out` does:
        // zero-filled here rather than copied from it, which g++ 12 compiles to fewer
        // instructions (docs/benchmarks.md, "What the measurements changed in kshake").
        KSHANDSHAKE ks_out{};
        const NTSTATUS s = KsPinHandshake(pin_, &ks_in, &ks_out);
        if (s == STATUS_SUCCESS) {
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
        KSHANDSHAKE ks_out{}; // zeros, as connected_pin's
        ULONG returned = 0;
        const NTSTATUS s = KsSynchronousIoControlDevice(file_, KernelMode, IOCTL_KS_HANDSHAKE,
                                                        &ks_in, sizeof(KSHANDSHAKE), &ks_out,
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

// The responder's PFNKSPINHANDSHAKE. The pin's Context must point to the responder's context
// (a Responder::context_type) for as long as the callback is installed. No calling convention is
// written: the callback has the build's default, which is what ks.h gives PFNKSPINHANDSHAKE
// (__stdcall on x86 under the WDK's /Gz or GCC's -mrtd); a mismatch would not compile here.
// handshake_callback<R, my_trace> is R's traced_callback, which reports each request to
// my_trace, a trace hook of static storage duration (kshake/trace.hpp; e.g. a dbgprint_trace).
template <class Responder, auto&... Hook>
inline constexpr PFNKSPINHANDSHAKE handshake_callback =
    detail::ks_handshake_callback<Responder, Hook...>();

// Installs a responder on a pin, in the pin's Create dispatch after Pin->Context is set.
// install<R, my_trace>(Pin) installs it traced: each request is reported to my_trace.
// PASSIVE_LEVEL.
template <class Responder, auto&... Hook>
void install(PKSPIN pin) noexcept {
    static_assert(
        requires { typename Responder::context_type; },
        "kshake: install<R> needs a kshake::responder<Context, routes...>");
    KsPinRegisterHandshakeCallback(pin, handshake_callback<Responder, Hook...>);
}

// A trace hook (kshake/trace.hpp) that prints each event as one line to the kernel debugger:
// DbgPrintEx(component, level, "%s\n", kshake::to_string(event).c_str()). The defaults are the
// component ID of kernel-streaming drivers and the informational level, so the lines reach the
// debugger when the IHVSTREAMING component filter mask has bit 3 set (in the debugger:
// `ed nt!Kd_IHVSTREAMING_Mask 0x8`; "Reading and Filtering Debugging Messages", WDK docs).
// No heap, no lock; the line, at most trace_string::capacity characters, is built on the stack
// (its cost: docs/driver.md, "Tracing a negotiation"). PASSIVE_LEVEL, as every handshake is.
//
//   inline constexpr kshake::avstream::dbgprint_trace my_trace{};
//   kshake::avstream::install<sink_responder, my_trace>(Pin);          // the responder's side
//   kshake::negotiate<P>(kshake::traced(kshake::avstream::connected_pin(Pin), my_trace), request);
struct dbgprint_trace {
    ULONG component = static_cast<ULONG>(DPFLTR_IHVSTREAMING_ID);
    ULONG level = DPFLTR_INFO_LEVEL;

    void operator()(const offer_event& e) const noexcept {
        static_cast<void>(DbgPrintEx(component, level, "%s\n", kshake::to_string(e).c_str()));
    }
    void operator()(const request_event& e) const noexcept {
        static_cast<void>(DbgPrintEx(component, level, "%s\n", kshake::to_string(e).c_str()));
    }
};
static_assert(trace_hook<const dbgprint_trace>);

} // namespace kshake::avstream
