// kshake/detail/guid_text.hpp — reading GUID text (kshake/guid.hpp): hex digits, text that knows
// its size, and the 36- and 38-character forms parsed into a guid.
// SPDX-License-Identifier: MIT
//
// Part of kshake/guid.hpp, which includes it after guid and its text lengths and before the
// functions that call it; not a header to include on its own.
#pragma once

#include "freestanding.hpp"

namespace kshake::detail {

[[nodiscard]] constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Reads `digits` hex digits starting at `text[at]`; false on any non-hex character.
[[nodiscard]] constexpr bool read_hex(const char* text, size_t at, size_t digits,
                                      uint32_t& value) noexcept {
    uint32_t v = 0;
    for (size_t i = 0; i < digits; ++i) {
        const int d = hex_value(text[at + i]);
        if (d < 0) {
            return false;
        }
        v = (v << 4U) | static_cast<uint32_t>(d);
    }
    value = v;
    return true;
}

// Text that knows its length: std::string_view, std::string, gsl::span<const char>, ...
template <class T>
concept sized_text = requires(const T& t) {
    { t.data() } -> convertible_to<const char*>;
    { t.size() } -> convertible_to<size_t>;
};

// try_parse_guid for text known not to be null. The literal operator parses through this one:
// g++ with -fsanitize=address does not treat a template parameter object's address compared
// with nullptr as a constant expression.
[[nodiscard]] constexpr bool parse_guid_text(const char* text, size_t length, guid& out) noexcept {
    if (length == guid_registry_length) {
        if (text[0] != '{' || text[guid_registry_length - 1] != '}') {
            return false;
        }
        ++text;
        length = guid_text_length;
    }
    if (length != guid_text_length) {
        return false;
    }
    if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
        return false;
    }
    uint32_t d1 = 0;
    uint32_t d2 = 0;
    uint32_t d3 = 0;
    uint32_t b = 0;
    guid g{};
    if (!detail::read_hex(text, 0, 8, d1) || !detail::read_hex(text, 9, 4, d2) ||
        !detail::read_hex(text, 14, 4, d3)) {
        return false;
    }
    g.data1 = d1;
    g.data2 = static_cast<uint16_t>(d2);
    g.data3 = static_cast<uint16_t>(d3);
    // data4: two bytes before the last hyphen, six after it.
    constexpr size_t data4_at[8] = {19, 21, 24, 26, 28, 30, 32, 34};
    for (size_t i = 0; i < 8; ++i) {
        if (!detail::read_hex(text, data4_at[i], 2, b)) {
            return false;
        }
        g.data4[i] = static_cast<uint8_t>(b);
    }
    out = g;
    return true;
}

} // namespace kshake::detail
