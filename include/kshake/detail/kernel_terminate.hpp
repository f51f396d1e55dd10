// kshake — std::terminate for a kernel image: a bug check.
// SPDX-License-Identifier: MIT
#pragma once

// GSL (gsl/assert) reports a broken Expects/Ensures by calling std::terminate() on g++ and
// clang; only under MSVC in kernel mode does it use __fastfail instead. A driver image has no C++
// runtime to supply std::terminate, so a mingw/clang-built driver needs its own, and the only
// sane "terminate" in kernel mode is to stop the machine: a bug check.
//
// Use: include this (or kshake/avstream.hpp) after <ntddk.h> or <wdm.h>, and write
//     KSHAKE_DEFINE_KERNEL_TERMINATE();
// at namespace scope in exactly ONE translation unit of the driver (it defines an external
// function; two definitions are a link error, none is an undefined reference to std::terminate).

#include "../config.hpp"

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
