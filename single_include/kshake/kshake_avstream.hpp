// kshake 0.1.0: single-header edition of <kshake/avstream.hpp>.
//
// GENERATED FILE: DO NOT EDIT. tools/amalgamate.py wrote it from include/kshake/;
// edit those headers and run `python3 tools/amalgamate.py` (CI fails when this is stale).
// Not part of kshake.hpp: it includes kshake.hpp (keep the two side by side)
// and adds <kshake/avstream.hpp> and the parts only it needs.
//
// Needs a C++20 compiler and the Microsoft GSL headers on the include path.
// Copyright (c) 2026 kshake contributors. MIT licence (LICENSE in kshake's source);
// keep this notice with every copy of this file.
// SPDX-License-Identifier: MIT
#pragma once

#include "kshake.hpp"

// ---- begin kshake/avstream.hpp -----------------------------------------------------------------
#ifndef KSHAKE_SINGLE_PART_KSHAKE_AVSTREAM_HPP
#define KSHAKE_SINGLE_PART_KSHAKE_AVSTREAM_HPP
// kshake over the real AVStream: transports that call KsPinHandshake and IOCTL_KS_HANDSHAKE,
// installing a responder with KsPinRegisterHandshakeCallback, and a trace hook that prints through
// DbgPrintEx. Kernel mode only.
// Include <ntddk.h>, then <ks.h>, then this header; write KSHAKE_DEFINE_KERNEL_TERMINATE(); in
// one .cpp of the driver. See docs/driver.md.
//
// IRQL: everything here is PASSIVE_LEVEL, as KsPinHandshake, KsSynchronousIoControlDevice and
// KsPinRegisterHandshakeCallback are. Nothing here allocates, blocks on a lock or keeps a pointer
// past a call: the envelopes a negotiation sends live in the initiator's frame for one call.

#if !defined(_KS_) || !defined(_NTDDK_)
#error                                                                                             \
    "kshake: avstream.hpp needs the platform's kernel-streaming headers: include <ntddk.h> and then <ks.h> before it (user-mode tests use kshake/mock.hpp instead)"
#endif

// ---- begin kshake/detail/kernel_terminate.hpp --------------------------------------------------
#ifndef KSHAKE_SINGLE_PART_KSHAKE_DETAIL_KERNEL_TERMINATE_HPP
#define KSHAKE_SINGLE_PART_KSHAKE_DETAIL_KERNEL_TERMINATE_HPP
// kshake — std::terminate for a kernel image: a bug check.

// GSL (gsl/assert) reports a broken Expects/Ensures by calling std::terminate() on g++ and
// clang; only under MSVC in kernel mode does it use __fastfail instead. A driver image has no C++
// runtime to supply std::terminate, so a mingw/clang-built driver needs its own, and the only
// sane "terminate" in kernel mode is to stop the machine: a bug check.
//
// Use: include this (or kshake/avstream.hpp) after <ntddk.h> or <wdm.h>, and write
//     KSHAKE_DEFINE_KERNEL_TERMINATE();
// at namespace scope in exactly ONE translation unit of the driver (it defines an external
// function; two definitions are a link error, none is an undefined reference to std::terminate).

#if !KSHAKE_KERNEL_MODE
#error                                                                                             \
    "kshake/detail/kernel_terminate.hpp is for kernel-mode builds (define _KERNEL_MODE or KSHAKE_KERNEL_MODE=1)"
#endif
#if !defined(_WDMDDK_) && !defined(_NTDDK_) && !defined(_WDM_)
#error "kshake: include <ntddk.h> (or <wdm.h>) before kshake's kernel headers"
#endif

namespace kshake::detail {

// The bug check MSVC's GSL reaches through __fastfail(RANGE_CHECKS_FAILURE): bug check 0x139
// KERNEL_SECURITY_CHECK_FAILURE with parameter 1 = 0 (GSL's RANGE_CHECKS_FAILURE), so a crash
// dump reads the same whichever compiler built the driver. Parameters 2 and 3 (trap frame and
// exception record under __fastfail) are 0 as there are none; parameter 4 is the address the
// failed contract returned to, which names the caller in the dump.
inline constexpr ULONG kernel_terminate_bug_check = 0x139; // KERNEL_SECURITY_CHECK_FAILURE
inline constexpr ULONG_PTR kernel_terminate_code = 0;      // GSL's RANGE_CHECKS_FAILURE

[[noreturn]] inline void kernel_terminate(ULONG_PTR where) noexcept {
    KeBugCheckEx(kernel_terminate_bug_check, kernel_terminate_code, 0, 0, where);
}

} // namespace kshake::detail

#if defined(_MSC_VER)
// MSVC (and clang-cl): GSL's kernel mode fails fast itself and never calls std::terminate.
#define KSHAKE_DEFINE_KERNEL_TERMINATE() static_assert(true, "")
#else
// Defining std::terminate is what a C++ runtime does; in a driver kshake's header is that
// runtime. gsl/assert's <exception> has already declared it noreturn on these compilers (clang
// rejects [[noreturn]] on a later declaration, so none is written here). The trailing
// static_assert only swallows the caller's semicolon.
#define KSHAKE_DEFINE_KERNEL_TERMINATE()                                                           \
    namespace std {                                                                                \
    void terminate() noexcept {                                                                    \
        ::kshake::detail::kernel_terminate(                                                        \
            reinterpret_cast<ULONG_PTR>(__builtin_return_address(0)));                             \
    }                                                                                              \
    }                                                                                              \
    static_assert(true, "")
#endif
#endif // KSHAKE_SINGLE_PART_KSHAKE_DETAIL_KERNEL_TERMINATE_HPP
// ---- end kshake/detail/kernel_terminate.hpp ----------------------------------------------------

// ---- begin kshake/detail/ks_callback.hpp -------------------------------------------------------
#ifndef KSHAKE_SINGLE_PART_KSHAKE_DETAIL_KS_CALLBACK_HPP
#define KSHAKE_SINGLE_PART_KSHAKE_DETAIL_KS_CALLBACK_HPP
// kshake/detail/ks_callback.hpp — the PFNKSPINHANDSHAKE that kshake::avstream::handshake_callback
// and install give a responder (kshake/avstream.hpp). Kernel mode only.
//
// kshake/avstream.hpp includes it once it has checked that <ntddk.h> and <ks.h> came first; a
// translation unit without them (a build of every header, tools/lint.sh) sees nothing here.

#if defined(_KS_) && defined(_NTDDK_)

namespace kshake::detail {

// The PFNKSPINHANDSHAKE of a responder: its callback, or with a hook its traced_callback.
template <class Responder, auto&... Hook>
consteval PFNKSPINHANDSHAKE ks_handshake_callback() noexcept {
    if constexpr (sizeof...(Hook) == 0) {
        return &Responder::template callback<PKSPIN, KSHANDSHAKE, NTSTATUS>;
    } else if constexpr (sizeof...(Hook) == 1) {
        return &Responder::template traced_callback<Hook..., PKSPIN, KSHANDSHAKE, NTSTATUS>;
    } else {
        static_assert(sizeof...(Hook) <= 1,
                      "kshake: handshake_callback<R, hook> and install<R, hook> take at most one "
                      "trace hook");
        return nullptr;
    }
}

} // namespace kshake::detail

#endif
#endif // KSHAKE_SINGLE_PART_KSHAKE_DETAIL_KS_CALLBACK_HPP
// ---- end kshake/detail/ks_callback.hpp ---------------------------------------------------------

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
#endif // KSHAKE_SINGLE_PART_KSHAKE_AVSTREAM_HPP
// ---- end kshake/avstream.hpp -------------------------------------------------------------------
