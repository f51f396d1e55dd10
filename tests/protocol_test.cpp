#include <kshake/protocol.hpp>
#include <kshake/detail/protocol_check.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string_view>

using namespace kshake::literals;

namespace {

struct small_request {
    std::uint32_t value;
};
struct small_response {
    std::uint32_t value;
    std::uint16_t extra;
    std::uint16_t reserved; // where a compiler would pad: a payload has no implicit padding
};

struct plain {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555555"_guid;
    using request = small_request;
    using response = small_response;
};

struct ranged {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555556"_guid;
    using request = small_request;
    using response = small_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
    static constexpr const char* name = "ranged";
};

struct named_by_array {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555557"_guid;
    using request = small_request;
    using response = small_response;
    static constexpr char name[] = "by-array";
};

struct named_by_view {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555558"_guid;
    using request = small_request;
    using response = small_response;
    static constexpr std::string_view name = "by-view";
};

struct no_id {
    using request = small_request;
    using response = small_response;
};
struct id_not_a_guid {
    static constexpr int id = 4;
    using request = small_request;
    using response = small_response;
};
struct id_not_constant {
    static const kshake::guid id;
    using request = small_request;
    using response = small_response;
};
const kshake::guid id_not_constant::id{};
struct no_request {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555557"_guid;
    using response = small_response;
};
struct pointer_response {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555558"_guid;
    using request = small_request;
    using response = small_response*;
};
struct min_above_version {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-555555555559"_guid;
    using request = small_request;
    using response = small_response;
    static constexpr std::uint32_t version = 1;
    static constexpr std::uint32_t min_version = 2;
};
struct version_zero {
    static constexpr kshake::guid id = "11111111-2222-3333-4444-55555555555A"_guid;
    using request = small_request;
    using response = small_response;
    static constexpr std::uint32_t version = 0;
};

struct with_constructor {
    with_constructor() : value(1) {}
    std::uint32_t value;
};
struct with_member_initialiser {
    std::uint32_t value = 1;
};
struct mixed_access {
    std::uint32_t a;

    [[nodiscard]] std::uint32_t get_b() const { return b; }

  private:
    std::uint32_t b;
};
struct too_big {
    unsigned char bytes[kshake::max_payload_size + 1];
};
struct largest {
    unsigned char bytes[kshake::max_payload_size];
};
struct alignas(16) over_aligned {
    std::uint32_t value;
};
struct empty_payload {};
struct implicit_padding {
    std::uint8_t flag; // 3 bytes of padding would follow
    std::uint32_t count;
};
struct trailing_padding {
    std::uint32_t value;
    std::uint16_t extra; // 2 bytes of padding would follow
};
struct floating_point {
    float gain;
};
struct only_version : plain {
    static constexpr std::uint32_t version = 4;
};
struct nil_id {
    static constexpr kshake::guid id{};
    using request = small_request;
    using response = small_response;
};

} // namespace

TEST_CASE("payload accepts plain C structs up to the size and alignment limits") {
    static_assert(kshake::payload<small_request>);
    static_assert(kshake::payload<largest>);
    static_assert(kshake::payload<empty_payload>);
    static_assert(!kshake::payload<too_big>);
    static_assert(!kshake::payload<over_aligned>);
    static_assert(!kshake::payload<small_request*>);
    static_assert(!kshake::payload<int>);
    static_assert(!kshake::payload<const small_request>);
    static_assert(!kshake::payload<with_constructor>);
    static_assert(!kshake::payload<with_member_initialiser>);
    static_assert(!kshake::payload<mixed_access>);
    static_assert(!kshake::payload<implicit_padding>);
    static_assert(!kshake::payload<trailing_padding>);
    static_assert(!kshake::payload<floating_point>);
    CHECK(kshake::detail::check_payload<small_request>());
}

TEST_CASE("protocol accepts a complete declaration and rejects each missing piece") {
    static_assert(kshake::protocol<plain>);
    static_assert(kshake::protocol<ranged>);
    static_assert(!kshake::protocol<nil_id>);
    static_assert(!kshake::protocol<no_id>);
    static_assert(!kshake::protocol<id_not_a_guid>);
    static_assert(!kshake::protocol<id_not_constant>);
    static_assert(!kshake::protocol<no_request>);
    static_assert(!kshake::protocol<pointer_response>);
    static_assert(!kshake::protocol<min_above_version>);
    static_assert(!kshake::protocol<version_zero>);
    CHECK(kshake::detail::check_protocol<ranged>());
}

TEST_CASE("version defaults to 1 and min_version to version") {
    CHECK(kshake::version_v<plain> == 1U);
    CHECK(kshake::min_version_v<plain> == 1U);
    CHECK(kshake::version_v<ranged> == 3U);
    CHECK(kshake::min_version_v<ranged> == 2U);
    CHECK(kshake::min_version_v<only_version> == 4U);
}

TEST_CASE("at_version speaks exactly one version of the same protocol") {
    using v2 = kshake::at_version<ranged, 2>;
    static_assert(kshake::protocol<v2>);
    CHECK(v2::id == ranged::id);
    CHECK(kshake::version_v<v2> == 2U);
    CHECK(kshake::min_version_v<v2> == 2U);
    CHECK(std::string_view{kshake::protocol_name<v2>()} == "ranged");
    CHECK(std::string_view{kshake::protocol_name<named_by_array>()} == "by-array");
    CHECK(std::string_view{kshake::protocol_name<named_by_view>()} == "by-view");
    REQUIRE(kshake::protocol_name<plain>() != nullptr);
    CHECK(std::string_view{kshake::protocol_name<plain>()}.empty());
}
