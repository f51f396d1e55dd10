// A GUID compare for the negotiation path.
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "freestanding.hpp"

namespace kshake::detail {

struct guid_halves {
    uint64_t low;
    uint64_t high;
};

// Two 64-bit compares instead of the defaulted ==, which g++ 12 -O2 compiles to three field
// compares and a byte-by-byte loop over data4 (docs/benchmarks.md, "What the measurements
// changed in kshake"). Every negotiation compares ids on both sides.
[[nodiscard]] constexpr bool same_guid(const guid& a, const guid& b) noexcept {
    const auto x = detail::bit_cast<guid_halves>(a);
    const auto y = detail::bit_cast<guid_halves>(b);
    return ((x.low ^ y.low) | (x.high ^ y.high)) == 0;
}

} // namespace kshake::detail
