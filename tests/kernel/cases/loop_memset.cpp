// Defect (x86 built with -mrtd but without -mstringop-strategy=rep_4byte): a plain loop that
// GCC recognises as memset and turns into a memset call it believes pops its arguments;
// ntoskrnl's memset is cdecl, so every call shifts the stack.
// Expected: "as if it popped its arguments".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

namespace {
__attribute__((noinline)) ULONG clear(PUCHAR bytes, ULONG count) {
    for (ULONG i = 0; i < count; ++i) {
        bytes[i] = 0;
    }
    return KeQueryActiveProcessorCount(nullptr);
}
} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY(if (clear(reinterpret_cast<PUCHAR>(RegistryPath->Buffer),
                                      RegistryPath->Length) == 0) return STATUS_UNSUCCESSFUL);
