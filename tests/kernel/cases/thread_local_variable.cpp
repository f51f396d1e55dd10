// Defect (MSVC ABI): a thread_local variable. clang-cl (like cl) puts it in a .tls$ section and
// reads it through _tls_index (and on x86 the _tls_array offset), which the CRT's TLS support
// defines; a driver links no CRT, so this case defines them itself (as tls_directory.cpp writes
// out _tls_used) to get an image. Built by the clang-cl toolchains only: mingw's g++ emulates
// thread_local through libgcc, which needs kernel32.
// Expected: "thread-local".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

extern "C" ULONG _tls_index = 0;
#if defined(_M_IX86)
// The TEB offset of the TLS array: an absolute symbol in the CRT, data here (nothing runs).
extern "C" ULONG _tls_array = 0x2C;
#endif

namespace {
thread_local ULONG calls = 1;
} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY(if (++calls == 0) return STATUS_UNSUCCESSFUL);
