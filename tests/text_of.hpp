// kshake's fixed-size text results (guid_string, status_string) as std::string_view, the way a
// user-mode caller views them: through their data() and size().
// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace kshake_test {
[[nodiscard]] constexpr std::string_view text_of(const auto& text) noexcept {
    return {text.data(), text.size()};
}
} // namespace kshake_test
