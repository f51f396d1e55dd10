// Defect (x86 built with -mrtd): a 64-bit division, which GCC turns into a call to libgcc's
// ___udivdi3 and, under -mrtd, calls as if it popped its arguments; libgcc's is cdecl.
// Expected: "libgcc helper".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

namespace {
__attribute__((noinline)) ULONGLONG per_processor(ULONGLONG total) {
    return total / KeQueryActiveProcessorCount(nullptr);
}
} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY(if (per_processor(KeQueryInterruptTime()) == 0) return STATUS_UNSUCCESSFUL);
