// The twin of every negative case: the same driver without a defect. Must pass the checker.
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

KSHAKE_MINIMAL_DRIVER_ENTRY(static_cast<void>(0));
