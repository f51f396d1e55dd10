// kshake/detail/guid_text.hpp — reading GUID text (kshake/guid.hpp): hex digits, text that knows
// its size, the 36- and 38-character forms parsed into a guid, and the "..."_guid literal's
// text as a template argument, parsed in a constant and checked with kshake's messages.
// SPDX-License-Identifier: MIT
//
// Part of kshake/guid.hpp, which includes it after guid, its text lengths and parsed_guid and
// before the functions that call it; not a header to include on its own.
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

// A string literal as a template argument, so a malformed literal can fail a static_assert
// with a readable message. constexpr rather than consteval: MSVC has rejected consteval
// constructors and literal operators in contexts other compilers accept (C7595). Any character
// type is taken, so that L"..."_guid reaches kshake's message rather than "no matching literal
// operator".
template <class Char, size_t N>
struct guid_literal_text {
    Char chars[N]{};

    constexpr guid_literal_text(const Char (&text)[N]) noexcept {
        for (size_t i = 0; i < N; ++i) {
            chars[i] = text[i];
        }
    }
};

template <guid_literal_text Text>
consteval guid checked_narrow_guid_literal() noexcept {
    constexpr parsed_guid parsed = [] {
        guid g{};
        return parse_guid_text(Text.chars, sizeof Text.chars - 1, g) ? parsed_guid{g}
                                                                     : parsed_guid{};
    }();
    static_assert(parsed.has_value(),
                  "kshake: malformed GUID literal: write \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" "
                  "(36 hex digits and hyphens, optionally in braces)");
    // value_or, not *parsed: after the static_assert above, a second error about reading an
    // empty parsed_guid would only bury the first.
    return parsed.value_or(guid{});
}

template <guid_literal_text Text>
consteval guid checked_guid_literal() noexcept {
    if constexpr (!detail::is_same_v<detail::remove_cvref_t<decltype(Text.chars[0])>, char>) {
        static_assert(detail::is_same_v<detail::remove_cvref_t<decltype(Text.chars[0])>, char>,
                      "kshake: a _guid literal is a plain string: write \"xxxxxxxx-xxxx-xxxx-"
                      "xxxx-xxxxxxxxxxxx\"_guid, without an L, u8, u or U prefix");
        return guid{};
    } else {
        return checked_narrow_guid_literal<Text>();
    }
}

// One constant per literal text. Initialising a constexpr variable is always a constant
// evaluation, so the parse (and a malformed literal's error) happens at compile time on every
// compiler without relying on a consteval literal operator.
template <guid_literal_text Text>
inline constexpr guid guid_literal_v = checked_guid_literal<Text>();

} // namespace kshake::detail
