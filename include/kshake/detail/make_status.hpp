// kshake/detail/make_status.hpp — an NTSTATUS value from the bits ntstatus.h writes, for the
// constants of kshake/status.hpp.
// SPDX-License-Identifier: MIT
#pragma once

#include "freestanding.hpp"

namespace kshake::detail {

// int32_t is kshake::ntstatus, which status.hpp declares after including this header.
[[nodiscard]] constexpr int32_t make_status(uint32_t bits) noexcept {
    return static_cast<int32_t>(bits);
}

} // namespace kshake::detail
