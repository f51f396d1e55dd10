#include <kshake/guid.hpp>

#include <doctest/doctest.h>

#include "text_of.hpp"

#include <array>
#include <memory>
#include <string>
#include <cstdint>
#include <cstring>
#include <string_view>

using namespace kshake::literals;
using kshake::guid;

namespace {

constexpr guid iid_iunknown = "{00000000-0000-0000-C000-000000000046}"_guid;
constexpr guid pcm_subtype = "00000001-0000-0010-8000-00aa00389b71"_guid;

// A struct shaped like guiddef.h's GUID on an LLP64 Windows target (unsigned long is 32 bits
// there, so it is spelled uint32_t here).
struct windows_like_guid {
    std::uint32_t Data1;
    std::uint16_t Data2;
    std::uint16_t Data3;
    unsigned char Data4[8];
};

} // namespace

TEST_CASE("IID_IUnknown parses to the documented fields") {
    CHECK(iid_iunknown.data1 == 0U);
    CHECK(iid_iunknown.data2 == 0U);
    CHECK(iid_iunknown.data3 == 0U);
    CHECK(iid_iunknown.data4[0] == 0xC0U);
    for (std::size_t i = 1; i < 7; ++i) {
        CHECK(iid_iunknown.data4[i] == 0U);
    }
    CHECK(iid_iunknown.data4[7] == 0x46U);
}

TEST_CASE("KSDATAFORMAT_SUBTYPE_PCM parses to its fields in either hex case") {
    CHECK(pcm_subtype.data1 == 1U);
    CHECK(pcm_subtype.data2 == 0U);
    CHECK(pcm_subtype.data3 == 0x10U);
    constexpr std::array<std::uint8_t, 8> expected{0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
    for (std::size_t i = 0; i < 8; ++i) {
        CHECK(pcm_subtype.data4[i] == expected[i]);
    }
    CHECK(pcm_subtype == "00000001-0000-0010-8000-00AA00389B71"_guid);
    CHECK(pcm_subtype == "{00000001-0000-0010-8000-00Aa00389b71}"_guid);
}

TEST_CASE("the byte layout is that of a Windows GUID on a little-endian target") {
    constexpr guid g = "04030201-0605-0807-0910-111213141516"_guid;
    std::array<unsigned char, 16> bytes{};
    std::memcpy(bytes.data(), &g, sizeof g);
    constexpr std::array<unsigned char, 16> expected{0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                                     0x07, 0x08, 0x09, 0x10, 0x11, 0x12,
                                                     0x13, 0x14, 0x15, 0x16};
    CHECK(bytes == expected);
}

TEST_CASE("parsing works in constant expressions") {
    static_assert(kshake::parse_guid("6994AD04-93EF-11D0-A3CC-00A0C9223196").has_value());
    static_assert(kshake::parse_guid("6994AD04-93EF-11D0-A3CC-00A0C9223196")->data1 == 0x6994AD04U);
    static_assert(!kshake::parse_guid("6994AD04-93EF-11D0-A3CC-00A0C922319").has_value());
    static_assert("6994ad04-93ef-11d0-a3cc-00a0c9223196"_guid.data4[7] == 0x96U);
    static_assert(kshake_test::text_of(kshake::to_string(iid_iunknown)) ==
                  "{00000000-0000-0000-C000-000000000046}");
    CHECK(kshake::parse_guid("6994AD04-93EF-11D0-A3CC-00A0C9223196").has_value());
}

TEST_CASE("every malformed text is rejected and leaves the output untouched") {
    using namespace std::string_view_literals;
    constexpr std::string_view malformed[] = {
        ""sv,
        "{"sv,
        "}"sv,
        "{}"sv,
        "00000000-0000-0000-C000-00000000004"sv,      // 35 characters
        "00000000-0000-0000-C000-0000000000466"sv,    // 37 characters
        "00000000-0000-0000-C000-00000000004G"sv,     // non-hex digit
        "0000000x-0000-0000-C000-000000000046"sv,     // non-hex digit in data1
        "00000000-0000-0000-C0 0-000000000046"sv,     // space
        "000000000-000-0000-C000-000000000046"sv,     // hyphen out of place
        "00000000-0000-0000-C000+000000000046"sv,     // wrong separator
        "00000000-0000-0000-C0000000000000046-"sv,    // hyphen at the end
        "{00000000-0000-0000-C000-000000000046"sv,    // opening brace only
        "00000000-0000-0000-C000-000000000046}"sv,    // closing brace only
        "(00000000-0000-0000-C000-000000000046)"sv,   // wrong brackets
        "}00000000-0000-0000-C000-000000000046{"sv,   // braces reversed
        "{{00000000-0000-0000-C000-000000000046}}"sv, // two pairs
        "00000000-0000-0000-C000-00000000\0"
        "046"sv, // embedded NUL
        "\0"
        "0000000-0000-0000-C000-000000000046"sv,  // leading NUL
        "00000000-0000-0000-C000-0000000000-6"sv,     // hyphen inside data4
        "+0000000-0000-0000-C000-000000000046"sv,     // sign
        " 00000000-0000-0000-C000-00000000004"sv,     // leading space
    };
    for (const std::string_view text : malformed) {
        CAPTURE(text);
        const guid sentinel = "01234567-89AB-CDEF-0123-456789ABCDEF"_guid;
        guid out = sentinel;
        CHECK_FALSE(kshake::try_parse_guid(text, out));
        CHECK(out == sentinel);
        CHECK_FALSE(kshake::parse_guid(text).has_value());
    }
}

TEST_CASE("text is parsed from a pointer and a length, NUL-terminated, or anything with data() and "
          "size()") {
    constexpr const char* text = "{6994AD04-93EF-11D0-A3CC-00A0C9223196}trailing";
    constexpr guid expected = "6994AD04-93EF-11D0-A3CC-00A0C9223196"_guid;
    guid out{};
    CHECK(kshake::try_parse_guid(text, 38, out));
    CHECK(out == expected);
    CHECK(kshake::try_parse_guid(text + 1, 36, out));
    CHECK_FALSE(kshake::try_parse_guid(text, 46, out)); // the whole text is not a GUID
    CHECK_FALSE(kshake::try_parse_guid(text, out));     // NUL-terminated: the same
    CHECK(kshake::try_parse_guid("6994ad04-93ef-11d0-a3cc-00a0c9223196", out));
    CHECK(out == expected);
    CHECK(kshake::try_parse_guid(std::string_view{text, 38}, out));
    CHECK(kshake::try_parse_guid(std::string{text, 38}, out));
    static_assert(kshake::parse_guid(text, 38) == expected);
    static_assert(kshake::parse_guid(text, 38).value() == expected);
    static_assert(kshake::parse_guid(std::string_view{text + 1, 36}).value_or(guid{}) == expected);
    static_assert(!kshake::parse_guid(text, 37).has_value());
    static_assert(kshake::parse_guid(text, 37).value_or(iid_iunknown) == iid_iunknown);
}

TEST_CASE("a null text is refused and NUL-terminated text is read no further than 39 characters") {
    const guid sentinel = "01234567-89AB-CDEF-0123-456789ABCDEF"_guid;
    guid out = sentinel;
    CHECK_FALSE(kshake::try_parse_guid(nullptr, out));
    CHECK_FALSE(kshake::try_parse_guid(nullptr, 36, out));
    CHECK_FALSE(kshake::parse_guid(static_cast<const char*>(nullptr)).has_value());
    CHECK(out == sentinel);
    // 39 characters and no NUL: refused after reading exactly those (ASan sees any read past).
    const auto unterminated = std::make_unique<char[]>(kshake::guid_registry_buffer_size);
    std::memset(unterminated.get(), '0', kshake::guid_registry_buffer_size);
    CHECK_FALSE(kshake::try_parse_guid(unterminated.get(), out));
    CHECK(out == sentinel);
}

TEST_CASE("parse, format and parse again round-trips") {
    constexpr guid samples[] = {
        iid_iunknown,
        pcm_subtype,
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"_guid,
        "00000000-0000-0000-0000-000000000000"_guid,
        "6994AD04-93EF-11D0-A3CC-00A0C9223196"_guid,
        "a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90"_guid,
    };
    for (const guid& g : samples) {
        char text[kshake::guid_registry_buffer_size];
        REQUIRE(kshake::format_guid(g, text, sizeof text));
        CHECK(text[0] == '{');
        CHECK(text[37] == '}');
        CHECK(text[38] == '\0');
        CHECK(kshake::parse_guid(std::string_view{text}) == g);
        CHECK(kshake::parse_guid(std::string_view{text + 1, 36}) == g);
        CHECK(kshake_test::text_of(kshake::to_string(g)) == std::string_view{text});
    }
}

TEST_CASE("formatting writes upper-case hex and refuses a short buffer without writing") {
    CHECK(kshake_test::text_of(kshake::to_string("a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90"_guid)) ==
          "{A1B2C3D4-E5F6-0718-293A-4B5C6D7E8F90}");
    std::array<char, kshake::guid_registry_buffer_size> buffer{};
    buffer.fill('#');
    CHECK_FALSE(kshake::format_guid(iid_iunknown, buffer.data(), buffer.size() - 1));
    for (const char c : buffer) {
        CHECK(c == '#');
    }
    CHECK_FALSE(kshake::format_guid(iid_iunknown, nullptr, 100));
    CHECK(kshake::format_guid(iid_iunknown, buffer.data(), buffer.size()));
}

TEST_CASE(
    "==, <, >, <=, >= and compare() form a strict total order over data1, data2, data3, data4") {
    constexpr guid ordered[] = {
        "00000000-0000-0000-0000-000000000000"_guid, "00000000-0000-0000-0000-000000000001"_guid,
        "00000000-0000-0000-0100-000000000000"_guid, "00000000-0000-0001-0000-000000000000"_guid,
        "00000000-0001-0000-0000-000000000000"_guid, "000000FF-0000-0000-0000-000000000000"_guid,
        "00000100-0000-0000-0000-000000000000"_guid, // data1 compares as a number, not as bytes
        "FFFFFFFF-0000-0000-0000-000000000000"_guid,
    };
    constexpr std::size_t n = std::size(ordered);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            CAPTURE(i);
            CAPTURE(j);
            CHECK((ordered[i] < ordered[j]) == (i < j));
            CHECK((ordered[i] == ordered[j]) == (i == j));
            CHECK((ordered[i] > ordered[j]) == (i > j));
            CHECK((ordered[i] <= ordered[j]) == (i <= j));
            CHECK((ordered[i] >= ordered[j]) == (i >= j));
            CHECK((kshake::compare(ordered[i], ordered[j]) < 0) == (i < j));
            CHECK((kshake::compare(ordered[i], ordered[j]) == 0) == (i == j));
            CHECK((kshake::compare(ordered[i], ordered[j]) > 0) == (i > j));
            // exactly one of <, ==, > holds (trichotomy), and < is irreflexive and transitive
            const int holds = int{ordered[i] < ordered[j]} + int{ordered[i] == ordered[j]} +
                              int{ordered[i] > ordered[j]};
            CHECK(holds == 1);
            for (const auto& third : ordered) {
                if (ordered[i] < ordered[j] && ordered[j] < third) {
                    CHECK(ordered[i] < third);
                }
            }
        }
    }
    static_assert(kshake::compare(iid_iunknown, iid_iunknown) == 0);
    static_assert(!(iid_iunknown < iid_iunknown) && iid_iunknown <= iid_iunknown);
}

TEST_CASE("conversion to and from a platform GUID copies the bytes") {
    constexpr auto platform = kshake::to_platform<windows_like_guid>(pcm_subtype);
    static_assert(platform.Data1 == 1U && platform.Data3 == 0x10U && platform.Data4[7] == 0x71U);
    static_assert(kshake::from_platform(platform) == pcm_subtype);
    CHECK(std::memcmp(&platform, &pcm_subtype, sizeof platform) == 0);
    static_assert(!kshake::platform_guid<guid>);
    static_assert(!kshake::platform_guid<int>);
}
