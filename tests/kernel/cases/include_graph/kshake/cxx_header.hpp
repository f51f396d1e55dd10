// A stand-in for a kshake header that breaks the kernel include rules with a C++ standard library
// header, as kshake's headers did before issue 11 (<cstdint>): a WDK kernel project has no C++
// standard library on its include path. The include-graph check must name it and the chain.
// SPDX-License-Identifier: MIT
#pragma once

#include "clean.hpp"

#include <cstdint>

namespace kshake_case {
inline std::uint32_t twice(std::uint32_t x) noexcept { return x * 2U; }
} // namespace kshake_case
