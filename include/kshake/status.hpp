// kshake::ntstatus — NTSTATUS values with the numbers of ntstatus.h, and their names.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "detail/make_status.hpp"

namespace kshake {

// NTSTATUS is a LONG: 32 bits, signed, on every Windows target.
using ntstatus = int32_t;

// What a handler may return for a status: kshake::ntstatus, or the Windows headers' NTSTATUS,
// which is `long` (also 32 bits where Windows code is compiled, but not std::int32_t's type).
template <class T>
concept status_type =
    (detail::is_same_v<T, int> || detail::is_same_v<T, long>) && sizeof(T) == sizeof(ntstatus);

// The names are lower-case because STATUS_* are macros in ntstatus.h: kshake::STATUS_SUCCESS
// could not be spelled in a driver. Values are those of ntstatus.h; avstream.hpp checks them
// against the platform's macros with static_asserts.
namespace status {
inline constexpr ntstatus success = detail::make_status(0x00000000U);
inline constexpr ntstatus pending = detail::make_status(0x00000103U);
inline constexpr ntstatus buffer_overflow = detail::make_status(0x80000005U);
inline constexpr ntstatus unsuccessful = detail::make_status(0xC0000001U);
inline constexpr ntstatus not_implemented = detail::make_status(0xC0000002U);
inline constexpr ntstatus invalid_parameter = detail::make_status(0xC000000DU);
inline constexpr ntstatus invalid_device_request = detail::make_status(0xC0000010U);
inline constexpr ntstatus buffer_too_small = detail::make_status(0xC0000023U);
inline constexpr ntstatus revision_mismatch = detail::make_status(0xC0000059U);
inline constexpr ntstatus insufficient_resources = detail::make_status(0xC000009AU);
inline constexpr ntstatus device_not_connected = detail::make_status(0xC000009DU);
inline constexpr ntstatus not_supported = detail::make_status(0xC00000BBU);
inline constexpr ntstatus cancelled = detail::make_status(0xC0000120U);
inline constexpr ntstatus invalid_device_state = detail::make_status(0xC0000184U);
inline constexpr ntstatus device_protocol_error = detail::make_status(0xC0000186U);
inline constexpr ntstatus invalid_buffer_size = detail::make_status(0xC0000206U);
inline constexpr ntstatus not_found = detail::make_status(0xC0000225U);
} // namespace status

// NT_SUCCESS: success and informational values (0x00000000–0x7FFFFFFF).
[[nodiscard]] constexpr bool nt_success(ntstatus s) noexcept { return s >= 0; }

} // namespace kshake

// The table status_name reads: it names the constants above.
#include "detail/status_names.hpp"

namespace kshake {

// "STATUS_SUCCESS" and so on for the values above; "" (never null) for any other value.
[[nodiscard]] constexpr const char* status_name(ntstatus s) noexcept {
    for (const auto& entry : detail::status_names) {
        if (entry.value == s) {
            return entry.name;
        }
    }
    return "";
}

// A status for a log line: its name when kshake knows it, else "0xC00000AB". No heap.
// `std::string_view{d.data(), d.size()}` views it in user mode.
struct status_string {
    char text[32];

    [[nodiscard]] constexpr const char* c_str() const noexcept { return text; }
    [[nodiscard]] constexpr const char* data() const noexcept { return text; }
    [[nodiscard]] constexpr size_t size() const noexcept {
        size_t n = 0;
        while (text[n] != '\0') {
            ++n;
        }
        return n;
    }
};

// The same text under the name kshake::to_string(guid) has: `to_string(s).c_str()` for a log
// line.
[[nodiscard]] constexpr status_string to_string(ntstatus s) noexcept {
    status_string out{};
    const char* const name = status_name(s);
    if (name[0] != '\0') {
        for (size_t i = 0; name[i] != '\0'; ++i) {
            out.text[i] = name[i];
        }
        return out;
    }
    constexpr char digits[] = "0123456789ABCDEF";
    auto bits = static_cast<uint32_t>(s);
    out.text[0] = '0';
    out.text[1] = 'x';
    for (size_t i = 9; i >= 2; --i) {
        out.text[i] = digits[bits & 0xFU];
        bits >>= 4U;
    }
    return out;
}

} // namespace kshake
