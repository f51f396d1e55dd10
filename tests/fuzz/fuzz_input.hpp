// A deterministic reader over a fuzzer's input, shared by the kshake fuzz targets.
// Reading past the end yields zeros, so every input (even an empty one) is a valid test case.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace kshake_fuzz {

class input {
  public:
    input(const std::uint8_t* data, std::size_t size) noexcept : data_{data}, size_{size} {}

    [[nodiscard]] std::uint8_t u8() noexcept { return at_ < size_ ? data_[at_++] : 0; }
    [[nodiscard]] std::uint16_t u16() noexcept {
        const auto lo = static_cast<unsigned>(u8());
        const auto hi = static_cast<unsigned>(u8());
        return static_cast<std::uint16_t>(lo | (hi << 8U));
    }
    [[nodiscard]] std::uint32_t u32() noexcept {
        const auto lo = static_cast<std::uint32_t>(u16());
        const auto hi = static_cast<std::uint32_t>(u16());
        return lo | (hi << 16U);
    }
    // Copies the next `n` bytes (zeros once the input is used up).
    void bytes(void* to, std::size_t n) noexcept {
        auto* p = static_cast<unsigned char*>(to);
        std::size_t have = size_ - at_;
        if (have > n) {
            have = n;
        }
        if (have > 0) {
            std::memcpy(p, data_ + at_, have);
        }
        if (n > have) {
            std::memset(p + have, 0, n - have);
        }
        at_ += have;
    }
    [[nodiscard]] std::size_t remaining() const noexcept { return size_ - at_; }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_{0};
};

// An invariant that must hold: if not, print what and where, then abort so that libFuzzer
// records the input.
inline void check(bool holds, const char* what, const char* file, int line) noexcept {
    if (holds) {
        return;
    }
    static_cast<void>(
        std::fprintf(stderr, "kshake fuzz invariant violated at %s:%d: %s\n", file, line, what));
    std::abort();
}

} // namespace kshake_fuzz

#define KSHAKE_FUZZ_CHECK(condition)                                                               \
    ::kshake_fuzz::check(static_cast<bool>(condition), #condition, __FILE__, __LINE__)
