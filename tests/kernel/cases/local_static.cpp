// Defect: a function-local static with a dynamic initialiser (a guard variable; racy under
// -fno-threadsafe-statics, and against kshake's kernel rules).
// Expected: "guard variable".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

namespace {
__attribute__((noinline)) ULONG processors() {
    static const ULONG count = KeQueryActiveProcessorCount(nullptr);
    return count;
}
} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY(if (processors() == 0) return STATUS_UNSUCCESSFUL);
