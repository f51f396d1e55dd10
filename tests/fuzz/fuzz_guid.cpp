// Fuzz target: the GUID parser and formatter (and to_string() for status values) on arbitrary
// bytes.
//   - try_parse_guid agrees with an independent reference parser on every input, accepts
//     exactly the 36-character form with or without one pair of braces, and leaves its output
//     untouched when it refuses; parse_guid agrees with it;
//   - whatever parses formats back to the upper-case registry form of the same text, and that
//     form parses back to the same GUID;
//   - any 16 bytes as a GUID survive format -> parse; format_guid refuses (and writes nothing
//     into) a buffer that is too small; == and <=> agree with a field-by-field reference;
//   - to_string() of any NTSTATUS is a NUL-terminated name or "0xXXXXXXXX" within its buffer.
// SPDX-License-Identifier: MIT
#include "../text_of.hpp"
#include "fuzz_input.hpp"

#include <kshake/guid.hpp>
#include <kshake/status.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace {

int reference_hex(char c) noexcept {
    const char* const digits = "0123456789abcdef";
    const char lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
    for (int i = 0; i < 16; ++i) {
        if (lower == digits[i] && c != '\0') {
            return i;
        }
    }
    return -1;
}

// Written from the documented grammar, not from guid.hpp.
bool reference_parse(std::string_view text, kshake::guid& g) noexcept {
    if (text.size() == 38) {
        if (text[0] != '{' || text[37] != '}') {
            return false;
        }
        text = text.substr(1, 36);
    }
    if (text.size() != 36) {
        return false;
    }
    unsigned char nibbles[32];
    std::size_t n = 0;
    for (std::size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') {
                return false;
            }
            continue;
        }
        const int d = reference_hex(text[i]);
        if (d < 0) {
            return false;
        }
        nibbles[n++] = static_cast<unsigned char>(d);
    }
    const auto take = [&nibbles](std::size_t from, std::size_t count) noexcept {
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < count; ++i) {
            v = v * 16U + nibbles[from + i];
        }
        return v;
    };
    g.data1 = take(0, 8);
    g.data2 = static_cast<std::uint16_t>(take(8, 4));
    g.data3 = static_cast<std::uint16_t>(take(12, 4));
    for (std::size_t i = 0; i < 8; ++i) {
        g.data4[i] = static_cast<std::uint8_t>(take(16 + (2 * i), 2));
    }
    return true;
}

bool same_fields(const kshake::guid& a, const kshake::guid& b) noexcept {
    return a.data1 == b.data1 && a.data2 == b.data2 && a.data3 == b.data3 &&
           std::memcmp(a.data4, b.data4, sizeof a.data4) == 0;
}

int reference_order(const kshake::guid& a, const kshake::guid& b) noexcept {
    if (a.data1 != b.data1) {
        return a.data1 < b.data1 ? -1 : 1;
    }
    if (a.data2 != b.data2) {
        return a.data2 < b.data2 ? -1 : 1;
    }
    if (a.data3 != b.data3) {
        return a.data3 < b.data3 ? -1 : 1;
    }
    for (std::size_t i = 0; i < 8; ++i) {
        if (a.data4[i] != b.data4[i]) {
            return a.data4[i] < b.data4[i] ? -1 : 1;
        }
    }
    return 0;
}

char upper(char c) noexcept {
    return (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
}

constexpr kshake::guid sentinel = {0xDEADBEEFU, 0xF00D, 0xCAFE, {1, 2, 3, 4, 5, 6, 7, 8}};

void check_text(std::string_view text) noexcept {
    kshake::guid parsed = sentinel;
    const bool ok = kshake::try_parse_guid(text, parsed);
    kshake::guid expected{};
    const bool reference_ok = reference_parse(text, expected);
    KSHAKE_FUZZ_CHECK(ok == reference_ok);
    const auto optional = kshake::parse_guid(text);
    KSHAKE_FUZZ_CHECK(optional.has_value() == ok);
    if (!ok) {
        KSHAKE_FUZZ_CHECK(same_fields(parsed, sentinel));
        return;
    }
    KSHAKE_FUZZ_CHECK(same_fields(parsed, expected) && optional.has_value() &&
                      same_fields(*optional, parsed));

    char formatted[kshake::guid_registry_buffer_size + 1];
    std::memset(formatted, '#', sizeof formatted);
    KSHAKE_FUZZ_CHECK(kshake::format_guid(parsed, formatted, kshake::guid_registry_buffer_size));
    KSHAKE_FUZZ_CHECK(formatted[38] == '\0' && formatted[39] == '#');
    const std::string_view body = text.size() == 38 ? text.substr(1, 36) : text;
    KSHAKE_FUZZ_CHECK(formatted[0] == '{' && formatted[37] == '}');
    for (std::size_t i = 0; i < 36; ++i) {
        KSHAKE_FUZZ_CHECK(formatted[1 + i] == upper(body[i]));
    }
    kshake::guid again{};
    KSHAKE_FUZZ_CHECK(kshake::try_parse_guid(formatted, 38, again) && again == parsed);
}

void check_value(const kshake::guid& g, const kshake::guid& other,
                 std::size_t short_size) noexcept {
    const kshake::guid_string s = kshake::to_string(g);
    KSHAKE_FUZZ_CHECK(s.text[38] == '\0' && std::strlen(s.c_str()) == 38);
    const auto back = kshake::parse_guid(kshake_test::text_of(s));
    KSHAKE_FUZZ_CHECK(back.has_value() && same_fields(*back, g) && *back == g);

    char small[kshake::guid_registry_buffer_size];
    std::memset(small, '#', sizeof small);
    KSHAKE_FUZZ_CHECK(!kshake::format_guid(g, small, short_size));
    KSHAKE_FUZZ_CHECK(!kshake::format_guid(g, nullptr, kshake::guid_registry_buffer_size));
    for (const char c : small) {
        KSHAKE_FUZZ_CHECK(c == '#');
    }

    const int order = reference_order(g, other);
    const int got = kshake::compare(g, other);
    KSHAKE_FUZZ_CHECK((order < 0) == (got < 0) && (order == 0) == (got == 0) &&
                      (order > 0) == (got > 0));
    KSHAKE_FUZZ_CHECK((g < other) == (order < 0) && (g > other) == (order > 0) &&
                      (g <= other) == (order <= 0) && (g >= other) == (order >= 0));
    KSHAKE_FUZZ_CHECK((g == other) == (order == 0));
}

void check_status(std::uint32_t bits) noexcept {
    const auto s = static_cast<kshake::ntstatus>(bits);
    const kshake::status_string d = kshake::to_string(s);
    const std::size_t length = ::strnlen(d.text, sizeof d.text);
    KSHAKE_FUZZ_CHECK(length < sizeof d.text && kshake_test::text_of(d).size() == length);
    const std::string_view name = kshake::status_name(s);
    if (!name.empty()) {
        KSHAKE_FUZZ_CHECK(kshake_test::text_of(d) == name);
        return;
    }
    char hex[11];
    const char* const digits = "0123456789ABCDEF";
    hex[0] = '0';
    hex[1] = 'x';
    for (std::size_t i = 0; i < 8; ++i) {
        hex[2 + i] = digits[(bits >> (28U - 4U * i)) & 0xFU];
    }
    hex[10] = '\0';
    KSHAKE_FUZZ_CHECK(kshake_test::text_of(d) == std::string_view(hex, 10));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The whole input is the text; its bytes also make GUID values and a status.
    check_text({reinterpret_cast<const char*>(data), size});
    kshake_fuzz::input in{data, size};
    kshake::guid a{};
    kshake::guid b{};
    in.bytes(&a, sizeof a);
    in.bytes(&b, sizeof b);
    check_value(a, b, in.u8() % kshake::guid_registry_buffer_size);
    check_value(a, a, 0);
    check_status(in.u32());
    return 0;
}
