// kshake::guid — a GUID with the Windows layout, parsed and checked at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "config.hpp"

#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace kshake {

// Field for field the Windows GUID (guiddef.h), so a kshake::guid and a GUID are the same 16
// bytes on every target. The defaulted <=> is the documented total order: data1, then data2,
// then data3 (each as an unsigned number), then data4 byte by byte. It is therefore *not* the
// order of memcmp on a little-endian machine, and not the order of the text form for data1–3.
struct guid {
    std::uint32_t data1;
    std::uint16_t data2;
    std::uint16_t data3;
    std::uint8_t data4[8];

    friend constexpr bool operator==(const guid&, const guid&) noexcept = default;
    friend constexpr std::strong_ordering operator<=>(const guid&, const guid&) noexcept = default;
};

static_assert(sizeof(guid) == 16, "kshake: guid must be 16 bytes, as GUID is");
static_assert(alignof(guid) == 4, "kshake: guid must be 4-byte aligned, as GUID is");
static_assert(offsetof(guid, data1) == 0 && offsetof(guid, data2) == 4 &&
                  offsetof(guid, data3) == 6 && offsetof(guid, data4) == 8,
              "kshake: guid fields must sit where GUID's do");
static_assert(std::is_trivially_copyable_v<guid> && std::is_standard_layout_v<guid>);

// Length of "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and of its registry form in braces.
inline constexpr std::size_t guid_text_length = 36;
inline constexpr std::size_t guid_registry_length = 38;
// A buffer that holds the registry form and its terminating NUL.
inline constexpr std::size_t guid_registry_buffer_size = guid_registry_length + 1;

namespace detail {

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
[[nodiscard]] constexpr bool read_hex(std::string_view text, std::size_t at, std::size_t digits,
                                      std::uint32_t& value) noexcept {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        const int d = hex_value(text[at + i]);
        if (d < 0) {
            return false;
        }
        v = (v << 4U) | static_cast<std::uint32_t>(d);
    }
    value = v;
    return true;
}

} // namespace detail

// Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", optionally enclosed in one pair of braces, in
// either hex case. Returns false and leaves `out` untouched on any other text (wrong length, a
// non-hex digit, a hyphen out of place, an unmatched brace, an embedded NUL, empty text).
[[nodiscard]] constexpr bool try_parse_guid(std::string_view text, guid& out) noexcept {
    if (text.size() == guid_registry_length) {
        if (text.front() != '{' || text.back() != '}') {
            return false;
        }
        text = text.substr(1, guid_text_length);
    }
    if (text.size() != guid_text_length) {
        return false;
    }
    if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
        return false;
    }
    std::uint32_t d1 = 0;
    std::uint32_t d2 = 0;
    std::uint32_t d3 = 0;
    std::uint32_t b = 0;
    guid g{};
    if (!detail::read_hex(text, 0, 8, d1) || !detail::read_hex(text, 9, 4, d2) ||
        !detail::read_hex(text, 14, 4, d3)) {
        return false;
    }
    g.data1 = d1;
    g.data2 = static_cast<std::uint16_t>(d2);
    g.data3 = static_cast<std::uint16_t>(d3);
    // data4: two bytes before the last hyphen, six after it.
    constexpr std::size_t data4_at[8] = {19, 21, 24, 26, 28, 30, 32, 34};
    for (std::size_t i = 0; i < 8; ++i) {
        if (!detail::read_hex(text, data4_at[i], 2, b)) {
            return false;
        }
        g.data4[i] = static_cast<std::uint8_t>(b);
    }
    out = g;
    return true;
}

[[nodiscard]] constexpr std::optional<guid> parse_guid(std::string_view text) noexcept {
    guid g{};
    if (!try_parse_guid(text, g)) {
        return std::nullopt;
    }
    return g;
}

// Writes the registry form "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (upper-case hex) and a NUL
// into `buffer`. Needs guid_registry_buffer_size bytes; with fewer (or a null buffer) it
// writes nothing and returns false.
constexpr bool format_guid(const guid& g, char* buffer, std::size_t size) noexcept {
    if (buffer == nullptr || size < guid_registry_buffer_size) {
        return false;
    }
    constexpr char digits[] = "0123456789ABCDEF";
    std::size_t at = 0;
    const auto put_hex = [&](std::uint32_t value, std::size_t count) {
        for (std::size_t i = count; i > 0; --i) {
            buffer[at + i - 1] = digits[value & 0xFU];
            value >>= 4U;
        }
        at += count;
    };
    buffer[at++] = '{';
    put_hex(g.data1, 8);
    buffer[at++] = '-';
    put_hex(g.data2, 4);
    buffer[at++] = '-';
    put_hex(g.data3, 4);
    buffer[at++] = '-';
    put_hex(g.data4[0], 2);
    put_hex(g.data4[1], 2);
    buffer[at++] = '-';
    for (std::size_t i = 2; i < 8; ++i) {
        put_hex(g.data4[i], 2);
    }
    buffer[at++] = '}';
    buffer[at] = '\0';
    return true;
}

// The registry form by value, for diagnostics: no heap, usable in constant expressions.
struct guid_string {
    char text[guid_registry_buffer_size];

    [[nodiscard]] constexpr const char* c_str() const noexcept { return text; }
    [[nodiscard]] constexpr std::string_view view() const noexcept {
        return {text, guid_registry_length};
    }
};

[[nodiscard]] constexpr guid_string to_string(const guid& g) noexcept {
    guid_string s{};
    static_cast<void>(format_guid(g, s.text, sizeof s.text));
    return s;
}

// A platform GUID (guiddef.h's, or any struct shaped like it). Structural rather than named, so
// the conversions work whatever the include order and can be tested without Windows headers.
template <class G>
concept platform_guid = std::is_trivially_copyable_v<G> && sizeof(G) == sizeof(guid) &&
                        !std::is_same_v<std::remove_cv_t<G>, guid> && requires(const G& g) {
                            g.Data1;
                            g.Data2;
                            g.Data3;
                            g.Data4[0];
                        };

// Conversions copy the bytes (std::bit_cast), never reinterpret a pointer.
template <platform_guid G>
[[nodiscard]] constexpr guid from_platform(const G& g) noexcept {
    return std::bit_cast<guid>(g);
}

template <platform_guid G>
[[nodiscard]] constexpr G to_platform(const guid& g) noexcept {
    return std::bit_cast<G>(g);
}

namespace detail {

// A string literal as a template argument, so a malformed literal can fail a static_assert
// with a readable message.
template <std::size_t N>
struct guid_literal_text {
    char chars[N];

    consteval guid_literal_text(const char (&text)[N]) noexcept : chars{} {
        for (std::size_t i = 0; i < N; ++i) {
            chars[i] = text[i];
        }
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};

} // namespace detail

namespace literals {

// "6994AD04-93EF-11D0-A3CC-00A0C9223196"_guid. A malformed literal does not compile.
template <detail::guid_literal_text Text>
consteval guid operator""_guid() noexcept {
    constexpr std::optional<guid> parsed = parse_guid(Text.view());
    static_assert(parsed.has_value(),
                  "kshake: malformed GUID literal: write \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" "
                  "(36 hex digits and hyphens, optionally in braces)");
    // value_or, not *parsed: after the static_assert above, a second error about reading an
    // empty optional would only bury the first.
    return parsed.value_or(guid{});
}

} // namespace literals

} // namespace kshake
