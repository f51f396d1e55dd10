// kshake 0.1.0: single-header edition of <kshake/kshake.hpp>.
//
// GENERATED FILE: DO NOT EDIT. tools/amalgamate.py wrote it from include/kshake/;
// edit those headers and run `python3 tools/amalgamate.py` (CI fails when this is stale).
//
// Needs a C++20 compiler and the Microsoft GSL headers on the include path.
// SPDX-License-Identifier: MIT
#pragma once

// Defined only by the single header: tells which edition a translation unit got.
#define KSHAKE_SINGLE_HEADER 1

// ---- begin kshake/kshake.hpp -------------------------------------------------------------------
// kshake — typed, compile-time-checked kernel-streaming pin handshakes.
// The umbrella header: every portable part. avstream.hpp (kernel) and mock.hpp (user-mode
// tests) are included on their own.

// ---- begin kshake/config.hpp -------------------------------------------------------------------
// kshake — typed kernel-streaming pin handshakes.

// The project version lives here and in meson.build's project() call only;
// tests/version_test.cpp fails when the two disagree.
#define KSHAKE_VERSION_MAJOR 0
#define KSHAKE_VERSION_MINOR 1
#define KSHAKE_VERSION_PATCH 0

// Kernel mode is decided once, here, and every other header asks KSHAKE_KERNEL_MODE.
// The WDK defines _KERNEL_MODE; mingw kernel builds pass -DKSHAKE_KERNEL_MODE=1 (or define
// _KERNEL_MODE themselves).
#if !defined(KSHAKE_KERNEL_MODE)
#if defined(_KERNEL_MODE)
#define KSHAKE_KERNEL_MODE 1
#else
#define KSHAKE_KERNEL_MODE 0
#endif
#endif

#if defined(_MSC_VER)
// Mixing kernel and user-mode builds of kshake in one image is an ODR violation; make it a
// link error instead (the wil technique).
#if KSHAKE_KERNEL_MODE
#pragma detect_mismatch("KSHAKE_KERNEL_MODE", "1")
#else
#pragma detect_mismatch("KSHAKE_KERNEL_MODE", "0")
#endif
#endif

#if __cplusplus < 202002L && (!defined(_MSVC_LANG) || _MSVC_LANG < 202002L)
#error "kshake: C++20 or later is required (-std=c++20, /std:c++20)"
#endif
// ---- end kshake/config.hpp ---------------------------------------------------------------------

// ---- begin kshake/guid.hpp ---------------------------------------------------------------------
// kshake::guid — a GUID with the Windows layout, parsed and checked at compile time.

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
    return *parsed;
}

} // namespace literals

} // namespace kshake
// ---- end kshake/guid.hpp -----------------------------------------------------------------------

// ---- begin kshake/status.hpp -------------------------------------------------------------------
// kshake::ntstatus — NTSTATUS values with the numbers of ntstatus.h, and their names.

namespace kshake {

// NTSTATUS is a LONG: 32 bits, signed, on every Windows target.
using ntstatus = std::int32_t;

namespace detail {
[[nodiscard]] constexpr ntstatus make_status(std::uint32_t bits) noexcept {
    return static_cast<ntstatus>(bits);
}
} // namespace detail

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
inline constexpr ntstatus invalid_device_state = detail::make_status(0xC0000184U);
inline constexpr ntstatus device_protocol_error = detail::make_status(0xC0000186U);
inline constexpr ntstatus invalid_buffer_size = detail::make_status(0xC0000206U);
inline constexpr ntstatus not_found = detail::make_status(0xC0000225U);
} // namespace status

// NT_SUCCESS: success and informational values (0x00000000–0x7FFFFFFF).
[[nodiscard]] constexpr bool nt_success(ntstatus s) noexcept { return s >= 0; }

namespace detail {
struct status_entry {
    ntstatus value;
    std::string_view name;
};

inline constexpr status_entry status_names[] = {
    {status::success, "STATUS_SUCCESS"},
    {status::pending, "STATUS_PENDING"},
    {status::buffer_overflow, "STATUS_BUFFER_OVERFLOW"},
    {status::unsuccessful, "STATUS_UNSUCCESSFUL"},
    {status::not_implemented, "STATUS_NOT_IMPLEMENTED"},
    {status::invalid_parameter, "STATUS_INVALID_PARAMETER"},
    {status::invalid_device_request, "STATUS_INVALID_DEVICE_REQUEST"},
    {status::buffer_too_small, "STATUS_BUFFER_TOO_SMALL"},
    {status::revision_mismatch, "STATUS_REVISION_MISMATCH"},
    {status::insufficient_resources, "STATUS_INSUFFICIENT_RESOURCES"},
    {status::device_not_connected, "STATUS_DEVICE_NOT_CONNECTED"},
    {status::not_supported, "STATUS_NOT_SUPPORTED"},
    {status::invalid_device_state, "STATUS_INVALID_DEVICE_STATE"},
    {status::device_protocol_error, "STATUS_DEVICE_PROTOCOL_ERROR"},
    {status::invalid_buffer_size, "STATUS_INVALID_BUFFER_SIZE"},
    {status::not_found, "STATUS_NOT_FOUND"},
};
} // namespace detail

// "STATUS_SUCCESS" and so on for the values above; empty for any other value.
[[nodiscard]] constexpr std::string_view status_name(ntstatus s) noexcept {
    for (const auto& entry : detail::status_names) {
        if (entry.value == s) {
            return entry.name;
        }
    }
    return {};
}

// A status for a log line: its name when kshake knows it, else "0xC00000AB". No heap.
struct status_string {
    char text[32];

    [[nodiscard]] constexpr const char* c_str() const noexcept { return text; }
    [[nodiscard]] constexpr std::string_view view() const noexcept {
        std::size_t n = 0;
        while (text[n] != '\0') {
            ++n;
        }
        return {text, n};
    }
};

[[nodiscard]] constexpr status_string describe(ntstatus s) noexcept {
    status_string out{};
    const std::string_view name = status_name(s);
    if (!name.empty()) {
        for (std::size_t i = 0; i < name.size(); ++i) {
            out.text[i] = name[i];
        }
        return out;
    }
    constexpr char digits[] = "0123456789ABCDEF";
    auto bits = static_cast<std::uint32_t>(s);
    out.text[0] = '0';
    out.text[1] = 'x';
    for (std::size_t i = 9; i >= 2; --i) {
        out.text[i] = digits[bits & 0xFU];
        bits >>= 4U;
    }
    return out;
}

} // namespace kshake
// ---- end kshake/status.hpp ---------------------------------------------------------------------

// ---- begin kshake/handshake.hpp ----------------------------------------------------------------
// kshake::handshake — KSHANDSHAKE, byte for byte.

namespace kshake {

// ks.h: typedef struct { GUID ProtocolId; PVOID Argument1; PVOID Argument2; } KSHANDSHAKE;
// 24 bytes on x86, 32 on x64 and arm64. avstream.hpp copies to and from the platform type with
// memcpy-equivalent std::bit_cast, so the two are never aliased through a cast pointer.
struct handshake {
    guid protocol_id;
    void* argument1;
    void* argument2;
};

static_assert(std::is_trivially_copyable_v<handshake> && std::is_standard_layout_v<handshake>);
static_assert(offsetof(handshake, protocol_id) == 0, "kshake: ProtocolId is at offset 0");
static_assert(offsetof(handshake, argument1) == 16, "kshake: Argument1 is at offset 16");
static_assert(offsetof(handshake, argument2) == 16 + sizeof(void*),
              "kshake: Argument2 follows Argument1");
static_assert(sizeof(handshake) == 16 + 2 * sizeof(void*),
              "kshake: handshake is 24 bytes on 32-bit targets, 32 on 64-bit");
static_assert(sizeof(void*) != 4 || sizeof(handshake) == 24);
static_assert(sizeof(void*) != 8 || sizeof(handshake) == 32);

} // namespace kshake
// ---- end kshake/handshake.hpp ------------------------------------------------------------------

// ---- begin kshake/protocol.hpp -----------------------------------------------------------------
// kshake::protocol — what a private pin protocol is, checked at compile time.

#include <concepts>

namespace kshake {

// Payloads travel by value inside kernel-stack envelopes (negotiate() holds a request and a
// response on the caller's stack, and the x86 kernel stack is 12 KiB), so they are bounded.
inline constexpr std::size_t max_payload_size = 2048;
// The envelope puts the body at byte 8 on every target, which holds only for bodies aligned to
// at most 8 (see docs/wire.md).
inline constexpr std::size_t max_payload_alignment = 8;

// A payload is a plain C struct: copied byte for byte across the wire, zero-filled before a
// handler sees it (a trivial default constructor is what makes T{} zero its padding, so no
// kernel stack bytes leak to the peer).
template <class T>
concept payload = std::is_class_v<T> && !std::is_const_v<T> && !std::is_volatile_v<T> &&
                  std::is_trivial_v<T> && std::is_standard_layout_v<T> &&
                  sizeof(T) <= max_payload_size && alignof(T) <= max_payload_alignment;

namespace detail {

template <class P>
concept has_id = requires {
    requires std::same_as<std::remove_cvref_t<decltype(P::id)>, guid>;
    // P::id must be a constant: it is read at compile time to build route tables.
    typename std::integral_constant<std::uint32_t, P::id.data1>;
};

template <class P>
concept has_payload_types = requires {
    typename P::request;
    typename P::response;
};

template <class P>
concept declares_version = requires {
    requires std::convertible_to<decltype(P::version), std::uint32_t>;
    typename std::integral_constant<std::uint32_t, P::version>;
};

template <class P>
concept declares_min_version = requires {
    requires std::convertible_to<decltype(P::min_version), std::uint32_t>;
    typename std::integral_constant<std::uint32_t, P::min_version>;
};

template <class P>
consteval std::uint32_t version_of() noexcept {
    if constexpr (declares_version<P>) {
        return P::version;
    } else {
        return 1;
    }
}

template <class P>
consteval std::uint32_t min_version_of() noexcept {
    if constexpr (declares_min_version<P>) {
        return P::min_version;
    } else {
        return version_of<P>();
    }
}

template <class P>
concept valid_versions = (!requires { P::version; } || declares_version<P>) &&
                         (!requires { P::min_version; } || declares_min_version<P>) &&
                         min_version_of<P>() >= 1 && min_version_of<P>() <= version_of<P>();

} // namespace detail

// A protocol: `static constexpr kshake::guid id`, `using request`, `using response` (payloads),
// and optionally `static constexpr std::uint32_t version` (default 1) and `min_version`
// (default: version). Version 0 never appears on the wire.
template <class P>
concept protocol = detail::has_id<P> && detail::has_payload_types<P> &&
                   payload<typename P::request> && payload<typename P::response> &&
                   detail::valid_versions<P>;

// The version an initiator speaks, and the lowest one a responder serves.
template <protocol P>
inline constexpr std::uint32_t version_v = detail::version_of<P>();
template <protocol P>
inline constexpr std::uint32_t min_version_v = detail::min_version_of<P>();

template <protocol P>
using request_t = typename P::request;
template <protocol P>
using response_t = typename P::response;

// The same protocol spoken at exactly version V: what negotiate_first offers when it falls back
// from one version to the next, e.g. negotiate_first<at_version<pool, 3>, at_version<pool, 2>>.
template <protocol P, std::uint32_t V>
struct at_version : P {
    static constexpr std::uint32_t version = V;
    static constexpr std::uint32_t min_version = V;
};

// A protocol's display name: `static constexpr std::string_view name` when it has one.
template <protocol P>
[[nodiscard]] constexpr std::string_view protocol_name() noexcept {
    if constexpr (requires { std::string_view{P::name}; }) {
        return std::string_view{P::name};
    } else {
        return {};
    }
}

namespace detail {

// The same rules as the concepts above, one at a time, each with a message a driver writer can
// act on. Each failing branch stops the chain so that one mistake gives one error.
template <class T>
consteval bool check_payload() noexcept {
    if constexpr (std::is_pointer_v<T>) {
        static_assert(!std::is_pointer_v<T>,
                      "kshake: a payload must be a struct, not a pointer: put the pointer in a "
                      "struct, or use kshake::raw_codec for interface pointers");
        return false;
    } else if constexpr (!std::is_class_v<T>) {
        static_assert(std::is_class_v<T>,
                      "kshake: a payload must be a struct (wrap the value in a struct)");
        return false;
    } else if constexpr (std::is_const_v<T> || std::is_volatile_v<T>) {
        static_assert(!std::is_const_v<T> && !std::is_volatile_v<T>,
                      "kshake: a payload type must not be const or volatile");
        return false;
    } else if constexpr (!std::is_trivially_copyable_v<T>) {
        static_assert(std::is_trivially_copyable_v<T>,
                      "kshake: a payload must be trivially copyable (no user-defined copy, move "
                      "or destructor): it is copied byte for byte between drivers");
        return false;
    } else if constexpr (!std::is_trivial_v<T>) {
        static_assert(std::is_trivial_v<T>,
                      "kshake: a payload must be a plain C struct with a trivial default "
                      "constructor (no constructors, no default member initialisers)");
        return false;
    } else if constexpr (!std::is_standard_layout_v<T>) {
        static_assert(std::is_standard_layout_v<T>,
                      "kshake: a payload must be standard layout (a plain C struct: no virtual "
                      "functions, one access level, no base classes with data)");
        return false;
    } else if constexpr (sizeof(T) > max_payload_size) {
        static_assert(sizeof(T) <= max_payload_size,
                      "kshake: a payload must be at most kshake::max_payload_size (2048) bytes: "
                      "envelopes live on the kernel stack; pass a pointer to a larger buffer in "
                      "the payload instead");
        return false;
    } else if constexpr (alignof(T) > max_payload_alignment) {
        static_assert(alignof(T) <= max_payload_alignment,
                      "kshake: a payload must be aligned to at most 8 bytes (the envelope body "
                      "sits at byte 8)");
        return false;
    } else {
        return true;
    }
}

template <class P>
consteval bool check_protocol() noexcept {
    if constexpr (!requires { P::id; }) {
        static_assert(requires { P::id; },
                      "kshake: a protocol needs `static constexpr kshake::guid id = "
                      "\"...\"_guid;`");
        return false;
    } else if constexpr (!has_id<P>) {
        static_assert(has_id<P>,
                      "kshake: a protocol's id must be a `static constexpr kshake::guid`");
        return false;
    } else if constexpr (!requires { typename P::request; }) {
        static_assert(requires { typename P::request; },
                      "kshake: a protocol needs `using request = <payload struct>;`");
        return false;
    } else if constexpr (!requires { typename P::response; }) {
        static_assert(requires { typename P::response; },
                      "kshake: a protocol needs `using response = <payload struct>;`");
        return false;
    } else if constexpr (!check_payload<typename P::request>() ||
                         !check_payload<typename P::response>()) {
        return false;
    } else if constexpr (requires { P::version; } && !declares_version<P>) {
        static_assert(declares_version<P>,
                      "kshake: a protocol's version must be a `static constexpr std::uint32_t`");
        return false;
    } else if constexpr (requires { P::min_version; } && !declares_min_version<P>) {
        static_assert(declares_min_version<P>,
                      "kshake: a protocol's min_version must be a `static constexpr "
                      "std::uint32_t`");
        return false;
    } else if constexpr (min_version_of<P>() == 0) {
        static_assert(min_version_of<P>() != 0,
                      "kshake: protocol versions start at 1 (0 never appears on the wire)");
        return false;
    } else if constexpr (min_version_of<P>() > version_of<P>()) {
        static_assert(min_version_of<P>() <= version_of<P>(),
                      "kshake: a protocol's min_version must not exceed its version");
        return false;
    } else {
        return true;
    }
}

} // namespace detail

} // namespace kshake
// ---- end kshake/protocol.hpp -------------------------------------------------------------------

// ---- end kshake/kshake.hpp ---------------------------------------------------------------------
