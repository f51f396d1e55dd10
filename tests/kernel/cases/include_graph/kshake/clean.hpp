// A stand-in for a kshake header that keeps the kernel include rules: it includes only
// <gsl/assert> (and what GSL itself includes). Used by the include-graph check's cases, with
// -I tests/kernel/cases/include_graph given as "kshake's" include folder.
// SPDX-License-Identifier: MIT
#pragma once

#include <gsl/assert>

namespace kshake_case {
inline int checked_twice(int x) noexcept {
    Expects(x < 1000);
    return x * 2;
}
} // namespace kshake_case
