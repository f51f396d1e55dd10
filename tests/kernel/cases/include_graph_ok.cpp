// The twin of the include-graph cases: a "kshake" header (tests/kernel/cases/include_graph/,
// given with -I as kshake's folder) that includes only <gsl/assert>. Must pass.
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

#include <kshake/clean.hpp>

KSHAKE_MINIMAL_DRIVER_ENTRY(if (kshake_case::checked_twice(2) != 4) return STATUS_UNSUCCESSFUL);
