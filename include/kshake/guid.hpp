// kshake::guid — a GUID with the Windows layout, parsed and checked at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"

#include <gsl/assert>

namespace kshake {

// Field for field the Windows GUID (guiddef.h), so a kshake::guid and a GUID are the same 16
// bytes on every target. The relational operators are the documented total order: data1, then
// data2, then data3 (each as an unsigned number), then data4 byte by byte. It is therefore
// *not* the order of memcmp on a little-endian machine, and not the order of the text form for
// data1-3. (No <=>: its result types live in <compare>, a standard header; see compare().)
struct guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];

    friend constexpr bool operator==(const guid&, const guid&) noexcept = default;
};

// Negative, zero or positive as a is before, equal to or after b in the order above.
[[nodiscard]] constexpr int compare(const guid& a, const guid& b) noexcept {
    if (a.data1 != b.data1) {
        return a.data1 < b.data1 ? -1 : 1;
    }
    if (a.data2 != b.data2) {
        return a.data2 < b.data2 ? -1 : 1;
    }
    if (a.data3 != b.data3) {
        return a.data3 < b.data3 ? -1 : 1;
    }
    for (size_t i = 0; i < 8; ++i) {
        if (a.data4[i] != b.data4[i]) {
            return a.data4[i] < b.data4[i] ? -1 : 1;
        }
    }
    return 0;
}
[[nodiscard]] constexpr bool operator<(const guid& a, const guid& b) noexcept {
    return compare(a, b) < 0;
}
[[nodiscard]] constexpr bool operator>(const guid& a, const guid& b) noexcept {
    return compare(a, b) > 0;
}
[[nodiscard]] constexpr bool operator<=(const guid& a, const guid& b) noexcept {
    return compare(a, b) <= 0;
}
[[nodiscard]] constexpr bool operator>=(const guid& a, const guid& b) noexcept {
    return compare(a, b) >= 0;
}

static_assert(sizeof(guid) == 16, "kshake: guid must be 16 bytes, as GUID is");
static_assert(alignof(guid) == 4, "kshake: guid must be 4-byte aligned, as GUID is");
static_assert(KSHAKE_OFFSETOF(guid, data1) == 0 && KSHAKE_OFFSETOF(guid, data2) == 4 &&
                  KSHAKE_OFFSETOF(guid, data3) == 6 && KSHAKE_OFFSETOF(guid, data4) == 8,
              "kshake: guid fields must sit where GUID's do");
static_assert(detail::is_trivially_copyable_v<guid> && detail::is_standard_layout_v<guid>);

// Length of "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and of its registry form in braces.
inline constexpr size_t guid_text_length = 36;
inline constexpr size_t guid_registry_length = 38;
// A buffer that holds the registry form and its terminating NUL.
inline constexpr size_t guid_registry_buffer_size = guid_registry_length + 1;

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

} // namespace detail

namespace detail {
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
} // namespace detail

// Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", optionally enclosed in one pair of braces, in
// either hex case, from the `length` characters at `text`. Returns false and leaves `out`
// untouched on any other text (wrong length, a non-hex digit, a hyphen out of place, an
// unmatched brace, an embedded NUL, empty text, a null `text`). Reads no character past
// text[length - 1].
[[nodiscard]] constexpr bool try_parse_guid(const char* text, size_t length, guid& out) noexcept {
    return text != nullptr && detail::parse_guid_text(text, length, out);
}

// The same for NUL-terminated text. Reads at most guid_registry_buffer_size characters, so
// text without a NUL within them is refused without reading further.
[[nodiscard]] constexpr bool try_parse_guid(const char* text, guid& out) noexcept {
    if (text == nullptr) {
        return false;
    }
    size_t length = 0;
    while (length < guid_registry_buffer_size && text[length] != '\0') {
        ++length;
    }
    return length < guid_registry_buffer_size && try_parse_guid(text, length, out);
}

// The same for text that knows its size (std::string_view, std::string, ...).
template <detail::sized_text Text>
[[nodiscard]] constexpr bool try_parse_guid(const Text& text, guid& out) noexcept {
    return try_parse_guid(static_cast<const char*>(text.data()), static_cast<size_t>(text.size()),
                          out);
}

// parse_guid's answer: a guid, or none. Shaped like std::optional<guid>, which kernel code
// cannot include.
class parsed_guid {
  public:
    constexpr parsed_guid() noexcept = default;
    constexpr explicit parsed_guid(const guid& g) noexcept : value_{g}, has_value_{true} {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_value_; }
    constexpr explicit operator bool() const noexcept { return has_value_; }
    // The guid, or `fallback` when the text was not one.
    [[nodiscard]] constexpr guid value_or(const guid& fallback) const noexcept {
        return has_value_ ? value_ : fallback;
    }
    // The guid; asking an empty one fails fast (GSL Expects), never UB.
    [[nodiscard]] constexpr const guid& value() const noexcept {
        Expects(has_value_);
        return value_;
    }
    // As value(), as kshake::result's are.
    [[nodiscard]] constexpr const guid& operator*() const noexcept { return value(); }
    [[nodiscard]] constexpr const guid* operator->() const noexcept { return &value(); }

    friend constexpr bool operator==(const parsed_guid& p, const guid& g) noexcept {
        return p.has_value_ && p.value_ == g;
    }

  private:
    guid value_{};
    bool has_value_{false};
};

[[nodiscard]] constexpr parsed_guid parse_guid(const char* text, size_t length) noexcept {
    guid g{};
    return try_parse_guid(text, length, g) ? parsed_guid{g} : parsed_guid{};
}
[[nodiscard]] constexpr parsed_guid parse_guid(const char* text) noexcept {
    guid g{};
    return try_parse_guid(text, g) ? parsed_guid{g} : parsed_guid{};
}
template <detail::sized_text Text>
[[nodiscard]] constexpr parsed_guid parse_guid(const Text& text) noexcept {
    guid g{};
    return try_parse_guid(text, g) ? parsed_guid{g} : parsed_guid{};
}

// Writes the registry form "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (upper-case hex) and a NUL
// into `buffer`. Needs guid_registry_buffer_size bytes; with fewer (or a null buffer) it
// writes nothing and returns false.
constexpr bool format_guid(const guid& g, char* buffer, size_t size) noexcept {
    if (buffer == nullptr || size < guid_registry_buffer_size) {
        return false;
    }
    constexpr char digits[] = "0123456789ABCDEF";
    size_t at = 0;
    const auto put_hex = [&](uint32_t value, size_t count) {
        for (size_t i = count; i > 0; --i) {
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
    for (size_t i = 2; i < 8; ++i) {
        put_hex(g.data4[i], 2);
    }
    buffer[at++] = '}';
    buffer[at] = '\0';
    return true;
}

// The registry form by value, for diagnostics: no heap, usable in constant expressions.
// `std::string_view{s.data(), s.size()}` views it in user mode.
struct guid_string {
    char text[guid_registry_buffer_size];

    [[nodiscard]] constexpr const char* c_str() const noexcept { return text; }
    [[nodiscard]] constexpr const char* data() const noexcept { return text; }
    [[nodiscard]] static constexpr size_t size() noexcept { return guid_registry_length; }
};

[[nodiscard]] constexpr guid_string to_string(const guid& g) noexcept {
    guid_string s{};
    static_cast<void>(format_guid(g, s.text, sizeof s.text));
    return s;
}

// A platform GUID (guiddef.h's, or any struct shaped like it). Structural rather than named, so
// the conversions work whatever the include order and can be tested without Windows headers.
template <class G>
concept platform_guid = detail::is_trivially_copyable_v<G> && sizeof(G) == sizeof(guid) &&
                        !detail::is_same_v<detail::remove_cv_t<G>, guid> && requires(const G& g) {
                            g.Data1;
                            g.Data2;
                            g.Data3;
                            g.Data4[0];
                        };

// Conversions copy the bytes (a bit_cast), never reinterpret a pointer.
template <platform_guid G>
[[nodiscard]] constexpr guid from_platform(const G& g) noexcept {
    return detail::bit_cast<guid>(g);
}

template <platform_guid G>
[[nodiscard]] constexpr G to_platform(const guid& g) noexcept {
    return detail::bit_cast<G>(g);
}

namespace detail {

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

} // namespace detail

namespace literals {

// "6994AD04-93EF-11D0-A3CC-00A0C9223196"_guid. A malformed literal does not compile.
template <detail::guid_literal_text Text>
constexpr guid operator""_guid() noexcept {
    return detail::guid_literal_v<Text>;
}

} // namespace literals

} // namespace kshake
