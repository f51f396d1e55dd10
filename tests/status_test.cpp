#include <kshake/status.hpp>

#include <doctest/doctest.h>

#include "text_of.hpp"

#include <string_view>

namespace st = kshake::status;

TEST_CASE("status values equal ntstatus.h") {
    CHECK(st::success == 0);
    CHECK(static_cast<std::uint32_t>(st::invalid_device_request) == 0xC0000010U);
    CHECK(static_cast<std::uint32_t>(st::invalid_parameter) == 0xC000000DU);
    CHECK(static_cast<std::uint32_t>(st::invalid_buffer_size) == 0xC0000206U);
    CHECK(static_cast<std::uint32_t>(st::buffer_too_small) == 0xC0000023U);
    CHECK(static_cast<std::uint32_t>(st::revision_mismatch) == 0xC0000059U);
    CHECK(static_cast<std::uint32_t>(st::not_supported) == 0xC00000BBU);
    CHECK(static_cast<std::uint32_t>(st::device_not_connected) == 0xC000009DU);
    CHECK(static_cast<std::uint32_t>(st::device_protocol_error) == 0xC0000186U);
    CHECK(static_cast<std::uint32_t>(st::invalid_device_state) == 0xC0000184U);
    CHECK(static_cast<std::uint32_t>(st::pending) == 0x103U);
    CHECK(static_cast<std::uint32_t>(st::buffer_overflow) == 0x80000005U);
}

TEST_CASE("nt_success accepts success and informational values only") {
    CHECK(kshake::nt_success(st::success));
    CHECK(kshake::nt_success(st::pending));
    CHECK(kshake::nt_success(0x7FFFFFFF));
    CHECK_FALSE(kshake::nt_success(st::buffer_overflow)); // a warning is not success
    CHECK_FALSE(kshake::nt_success(st::invalid_parameter));
    CHECK_FALSE(kshake::nt_success(st::device_not_connected));
    static_assert(!kshake::nt_success(st::unsuccessful));
}

TEST_CASE("every named status has its ntstatus.h name, and the names are unique") {
    CHECK(std::string_view{kshake::status_name(st::success)} == "STATUS_SUCCESS");
    CHECK(std::string_view{kshake::status_name(st::invalid_device_request)} ==
          "STATUS_INVALID_DEVICE_REQUEST");
    CHECK(std::string_view{kshake::status_name(st::invalid_buffer_size)} ==
          "STATUS_INVALID_BUFFER_SIZE");
    CHECK(std::string_view{kshake::status_name(st::revision_mismatch)} ==
          "STATUS_REVISION_MISMATCH");
    CHECK(std::string_view{kshake::status_name(st::device_not_connected)} ==
          "STATUS_DEVICE_NOT_CONNECTED");
    CHECK(std::string_view{kshake::status_name(st::device_protocol_error)} ==
          "STATUS_DEVICE_PROTOCOL_ERROR");
    for (const auto& a : kshake::detail::status_names) {
        CHECK(std::string_view{a.name}.starts_with("STATUS_"));
        CHECK(kshake_test::text_of(kshake::to_string(a.value)) == a.name);
        int same_value = 0;
        int same_name = 0;
        for (const auto& b : kshake::detail::status_names) {
            same_value += a.value == b.value ? 1 : 0;
            same_name += std::string_view{a.name} == b.name ? 1 : 0;
        }
        CHECK(same_value == 1);
        CHECK(same_name == 1);
    }
}

TEST_CASE("an unknown status still prints, as hex") {
    CHECK(
        std::string_view{kshake::status_name(static_cast<kshake::ntstatus>(0xC00000ABU))}.empty());
    CHECK(kshake_test::text_of(kshake::to_string(static_cast<kshake::ntstatus>(0xC00000ABU))) ==
          "0xC00000AB");
    CHECK(kshake_test::text_of(kshake::to_string(0x42)) == "0x00000042");
    static_assert(kshake_test::text_of(kshake::to_string(st::not_found)) == "STATUS_NOT_FOUND");
}

TEST_CASE("to_string names a status as it names a GUID") {
    CHECK(kshake_test::text_of(kshake::to_string(st::revision_mismatch)) ==
          "STATUS_REVISION_MISMATCH");
    CHECK(kshake_test::text_of(kshake::to_string(static_cast<kshake::ntstatus>(0xC00000ABU))) ==
          "0xC00000AB");
    static_assert(kshake_test::text_of(kshake::to_string(st::success)) == "STATUS_SUCCESS");
}
