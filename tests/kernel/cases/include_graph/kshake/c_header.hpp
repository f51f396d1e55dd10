// A stand-in for a kshake header that breaks the kernel include rules with a C library header
// (the compiler's <stddef.h>, for size_t): a WDK project has it in km\crt, but kshake may not
// depend on it. The include-graph check must name it.
// SPDX-License-Identifier: MIT
#pragma once

#include "clean.hpp"

#include <stddef.h>

namespace kshake_case {
inline size_t twice(size_t x) noexcept { return x * 2; }
} // namespace kshake_case
