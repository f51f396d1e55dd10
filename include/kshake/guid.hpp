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

} // namespace kshake

// The text and literal machinery works on guid and parsed_guid above and is called by the
// functions below, so it comes in between the two.
#include "detail/guid_text.hpp"

namespace kshake {

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

namespace literals {

// "6994AD04-93EF-11D0-A3CC-00A0C9223196"_guid. A malformed literal does not compile.
template <detail::guid_literal_text Text>
constexpr guid operator""_guid() noexcept {
    return detail::guid_literal_v<Text>;
}

} // namespace literals

} // namespace kshake
