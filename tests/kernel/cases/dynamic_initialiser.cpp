// Defect: a namespace-scope object whose constructor runs at start-up, i.e. never in a driver.
// Expected: "dynamic initialiser".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

namespace {
struct processor_count {
    ULONG value;
    processor_count() noexcept : value(KeQueryActiveProcessorCount(nullptr)) {}
};
processor_count processors;
} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY(if (processors.value == 0) return STATUS_UNSUCCESSFUL);
