// Defect: a stack frame of no static bound. The handshake routine takes a buffer from the stack
// whose size comes from the request (alloca; a variable-length array is the same), so no budget
// can hold it: -fstack-usage marks the frame "dynamic", and stack_usage.py rejects it.
// Expected (with --stack-budget): "dynamic stack frame".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

// Its own routine, not inlined, so the dynamic frame is its own line of the .su file.
__declspec(noinline) NTSTATUS CopyOnStack(PKSHANDSHAKE In, ULONG bytes) {
    auto* const scratch = static_cast<UCHAR*>(__builtin_alloca(bytes));
    for (ULONG i = 0; i < bytes; ++i) {
        scratch[i] = static_cast<UCHAR>(In->ProtocolId.Data4[i % 8]);
    }
    return scratch[bytes / 2] == 0 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

KSHAKE_MINIMAL_DRIVER_ENTRY({
    KSHANDSHAKE in{};
    const NTSTATUS status = CopyOnStack(&in, RegistryPath->Length);
    if (!NT_SUCCESS(status)) {
        return status;
    }
});
