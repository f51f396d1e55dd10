// Defect: a "kshake" header (tests/kernel/cases/include_graph/kshake/c_header.hpp) includes a C
// library header, <stddef.h>. Expected: "include-graph: kshake/c_header.hpp includes <stddef.h>".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

#include <kshake/c_header.hpp>

KSHAKE_MINIMAL_DRIVER_ENTRY(if (kshake_case::twice(2) != 4) return STATUS_UNSUCCESSFUL);
