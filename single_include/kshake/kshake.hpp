// kshake 0.1.0: single-header edition of <kshake/kshake.hpp>.
//
// GENERATED FILE: DO NOT EDIT. tools/amalgamate.py wrote it from include/kshake/;
// edit those headers and run `python3 tools/amalgamate.py` (CI fails when this is stale).
//
// Needs a C++20 compiler and the Microsoft GSL headers on the include path.
// Copyright (c) 2026 kshake contributors. MIT licence (LICENSE in kshake's source);
// keep this notice with every copy of this file.
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

// The largest request or response payload a protocol may declare (kshake::max_payload_size).
// Envelopes live on the stack of the thread that negotiates, and KsPinHandshake runs the peer's
// handler on that same stack, so kernel mode defaults to a limit that keeps the deepest
// negotiation within the budget docs/driver.md states for the 12 KiB x86 kernel stack. A driver
// that knows its stack may define a larger value before including kshake (every translation
// unit of the image the same: MSVC links a mismatch as an error, see below).
#if !defined(KSHAKE_MAX_PAYLOAD_SIZE)
#if KSHAKE_KERNEL_MODE
#define KSHAKE_MAX_PAYLOAD_SIZE 256
#else
#define KSHAKE_MAX_PAYLOAD_SIZE 2048
#endif
#endif

#define KSHAKE_DETAIL_STRINGIFY_(x) #x
#define KSHAKE_DETAIL_STRINGIFY(x) KSHAKE_DETAIL_STRINGIFY_(x)

#if defined(_MSC_VER)
#pragma detect_mismatch("KSHAKE_MAX_PAYLOAD_SIZE", KSHAKE_DETAIL_STRINGIFY(KSHAKE_MAX_PAYLOAD_SIZE))
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
// g++ and clang go on after #error (g++ with a thousand lines about C++20 syntax); a missing
// include is fatal, so the message above stays the whole story. (cl.exe stops at #error.)
#include "kshake: stopping here, C++20 is required"
#endif
// ---- end kshake/config.hpp ---------------------------------------------------------------------

// ---- begin kshake/guid.hpp ---------------------------------------------------------------------
// kshake::guid — a GUID with the Windows layout, parsed and checked at compile time.

// ---- begin kshake/detail/freestanding.hpp ------------------------------------------------------
// The little of the C++ standard library kshake needs, from compiler built-ins only.

// A WDK kernel project has no C++ standard library on its include path (Visual C++'s own
// include folder is not on it), and parts of the library call into a C++ runtime a driver does
// not link. So kshake includes no standard header in any mode, as wil's wistd_* headers do for
// the same reason: each name below is a built-in that g++ (12+), clang and MSVC share, or a few
// lines of templates. One code path for kernel and user mode; user-mode tests check that each
// name equals its std:: counterpart (tests/freestanding_test.cpp).

namespace kshake::detail {

// The fixed-width integers are the ones <cstdint> names on every target kshake builds for
// (Windows: ILP32/LLP64; Linux user-mode tests: LP64).
using size_t = decltype(sizeof(0));
using uint8_t = unsigned char;
using uint16_t = unsigned short;
using uint32_t = unsigned int;
using int32_t = int;
#if defined(__UINT64_TYPE__)
using uint64_t = __UINT64_TYPE__;
using uintptr_t = __UINTPTR_TYPE__;
#elif defined(_WIN64)
using uint64_t = unsigned long long;
using uintptr_t = unsigned long long;
#else
using uint64_t = unsigned long long;
using uintptr_t = unsigned int;
#endif
static_assert(sizeof(uint16_t) == 2 && sizeof(uint32_t) == 4 && sizeof(int32_t) == 4 &&
              sizeof(uint64_t) == 8 && sizeof(uintptr_t) == sizeof(void*));

template <class T, class U>
inline constexpr bool is_same_v = false;
template <class T>
inline constexpr bool is_same_v<T, T> = true;
template <class T, class U>
concept same_as = is_same_v<T, U> && is_same_v<U, T>;

template <class T>
struct type_identity {
    using type = T;
};

template <bool B, class T, class F>
struct conditional {
    using type = T;
};
template <class T, class F>
struct conditional<false, T, F> {
    using type = F;
};
template <bool B, class T, class F>
using conditional_t = typename conditional<B, T, F>::type;

template <class T>
struct remove_reference {
    using type = T;
};
template <class T>
struct remove_reference<T&> {
    using type = T;
};
template <class T>
struct remove_reference<T&&> {
    using type = T;
};
template <class T>
using remove_reference_t = typename remove_reference<T>::type;

template <class T>
struct remove_const {
    using type = T;
};
template <class T>
struct remove_const<const T> {
    using type = T;
};
template <class T>
using remove_const_t = typename remove_const<T>::type;

template <class T>
struct remove_volatile {
    using type = T;
};
template <class T>
struct remove_volatile<volatile T> {
    using type = T;
};
template <class T>
using remove_cv_t = typename remove_volatile<remove_const_t<T>>::type;
template <class T>
using remove_cvref_t = remove_cv_t<remove_reference_t<T>>;

template <class T>
struct remove_pointer {
    using type = T;
};
template <class T>
struct remove_pointer<T*> {
    using type = T;
};
template <class T>
struct remove_pointer<T* const> {
    using type = T;
};
template <class T>
struct remove_pointer<T* volatile> {
    using type = T;
};
template <class T>
struct remove_pointer<T* const volatile> {
    using type = T;
};
template <class T>
using remove_pointer_t = typename remove_pointer<T>::type;

template <class T>
inline constexpr bool is_const_v = false;
template <class T>
inline constexpr bool is_const_v<const T> = true;
template <class T>
inline constexpr bool is_volatile_v = false;
template <class T>
inline constexpr bool is_volatile_v<volatile T> = true;
template <class T>
inline constexpr bool is_reference_v = false;
template <class T>
inline constexpr bool is_reference_v<T&> = true;
template <class T>
inline constexpr bool is_reference_v<T&&> = true;
template <class T>
inline constexpr bool is_pointer_v = false;
template <class T>
inline constexpr bool is_pointer_v<T*> = true;
template <class T>
inline constexpr bool is_pointer_v<T* const> = true;
template <class T>
inline constexpr bool is_pointer_v<T* volatile> = true;
template <class T>
inline constexpr bool is_pointer_v<T* const volatile> = true;
template <class T>
inline constexpr bool is_void_v = is_same_v<remove_cv_t<T>, void>;
// Only function and reference types ignore a const added to them. cl.exe warns (C4180) about
// that const on a function type, as the MSVC STL, which uses the same test, knows.
#if defined(_MSC_VER) && !defined(__clang__)
#pragma warning(push)
#pragma warning(disable : 4180)
#endif
template <class T>
inline constexpr bool is_function_v = !is_const_v<const T> && !is_reference_v<T>;
#if defined(_MSC_VER) && !defined(__clang__)
#pragma warning(pop)
#endif
template <class T>
inline constexpr bool is_object_v = !is_function_v<T> && !is_reference_v<T> && !is_void_v<T>;

template <class T>
inline constexpr bool is_class_v = __is_class(T);
// __is_empty and __is_final need a complete class: ask complete_type first.
template <class T>
inline constexpr bool is_empty_v = __is_empty(T);
template <class T>
inline constexpr bool is_final_v = __is_final(T);
// A complete type (sizeof is valid). Like any completeness test, the answer is the one at the
// first place it is asked for a type; kshake asks it only where it is about to use the type.
template <class T>
concept complete_type = requires { sizeof(T); };
template <class T>
inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);
template <class T>
inline constexpr bool is_standard_layout_v = __is_standard_layout(T);
// std::is_trivial, as the MSVC STL spells it: trivially default-constructible and copyable.
template <class T>
inline constexpr bool is_trivial_v = __is_trivially_constructible(T) && __is_trivially_copyable(T);
// Every bit of a T is part of its value: no padding (and no floating-point member, whose equal
// values may differ in bits). Needs a complete type.
template <class T>
inline constexpr bool has_unique_object_representations_v = __has_unique_object_representations(T);

template <class T>
T&& declval() noexcept;

// Implicit conversion, tested by passing a From to a function taking a To (g++ 12 has no
// built-in for it). Only for the object and reference types kshake asks about.
template <class To>
void accept_implicitly(To) noexcept;
template <class From, class To>
inline constexpr bool is_convertible_v =
    is_void_v<To> ? is_void_v<From> : requires { accept_implicitly<To>(declval<From>()); };
template <class From, class To>
concept convertible_to =
    is_convertible_v<From, To> && requires { static_cast<To>(declval<From>()); };

// Forces a value to be a constant expression of type T (a narrowing one is refused):
// `typename constant<uint32_t, P::version>` in a requires-expression.
template <class T, T V>
struct constant {
    static constexpr T value = V;
};

template <size_t... Is>
struct index_sequence {
    static constexpr size_t size = sizeof...(Is);
};
#if defined(__GNUC__) && !defined(__clang__)
template <size_t N>
using make_index_sequence = index_sequence<__integer_pack(N)...>;
#else
template <class T, T... Is>
struct integer_sequence_of {
    using type = index_sequence<Is...>;
};
template <size_t N>
using make_index_sequence = typename __make_integer_seq<integer_sequence_of, size_t, N>::type;
#endif
template <class... Ts>
using index_sequence_for = make_index_sequence<sizeof...(Ts)>;

template <class To, class From>
    requires(sizeof(To) == sizeof(From) && is_trivially_copyable_v<To> &&
             is_trivially_copyable_v<From>)
[[nodiscard]] constexpr To bit_cast(const From& from) noexcept {
    return __builtin_bit_cast(To, from);
}

// copy_bytes under cl.exe, which has no __builtin_memcpy: declaring memcpy here could clash with
// the CRT's own declaration (dllimport in user mode), and cl's optimiser recognises the loop as
// a copy. Always defined, so the user-mode tests run it too (no compiler here is cl.exe).
inline void copy_bytes_in_a_loop(void* to, const void* from, size_t count) noexcept {
    auto* const target = static_cast<unsigned char*>(to);
    const auto* const source = static_cast<const unsigned char*>(from);
    for (size_t i = 0; i < count; ++i) {
        // cppcheck-suppress objectIndex ; every caller copies within the objects it names
        target[i] = source[i];
    }
}

// memcpy, which the compilers turn into moves for the small constant sizes kshake copies.
inline void copy_bytes(void* to, const void* from, size_t count) noexcept {
#if defined(_MSC_VER) && !defined(__clang__)
    copy_bytes_in_a_loop(to, from, count);
#else
    static_cast<void>(__builtin_memcpy(to, from, count));
#endif
}

} // namespace kshake::detail

// offsetof without <cstddef>: the built-in every supported compiler's own offsetof expands to.
#define KSHAKE_OFFSETOF(type, member) __builtin_offsetof(type, member)

namespace kshake {
// The fixed-width integers for payloads and protocol headers shared by a driver (no <cstdint>
// there) and its user-mode tests: the same types as std::uint32_t and the rest on every target.
using detail::int32_t;
using detail::size_t;
using detail::uint16_t;
using detail::uint32_t;
using detail::uint64_t;
using detail::uint8_t;
} // namespace kshake
// ---- end kshake/detail/freestanding.hpp --------------------------------------------------------

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
// ---- begin kshake/detail/guid_text.hpp ---------------------------------------------------------
// kshake/detail/guid_text.hpp — reading GUID text (kshake/guid.hpp): hex digits, text that knows
// its size, the 36- and 38-character forms parsed into a guid, and the "..."_guid literal's
// text as a template argument, parsed in a constant and checked with kshake's messages.
//
// Part of kshake/guid.hpp, which includes it after guid, its text lengths and parsed_guid and
// before the functions that call it; not a header to include on its own.

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
// ---- end kshake/detail/guid_text.hpp -----------------------------------------------------------

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
// ---- end kshake/guid.hpp -----------------------------------------------------------------------

// ---- begin kshake/status.hpp -------------------------------------------------------------------
// kshake::ntstatus — NTSTATUS values with the numbers of ntstatus.h, and their names.

// ---- begin kshake/detail/make_status.hpp -------------------------------------------------------
// kshake/detail/make_status.hpp — an NTSTATUS value from the bits ntstatus.h writes, for the
// constants of kshake/status.hpp.

namespace kshake::detail {

// int32_t is kshake::ntstatus, which status.hpp declares after including this header.
[[nodiscard]] constexpr int32_t make_status(uint32_t bits) noexcept {
    return static_cast<int32_t>(bits);
}

} // namespace kshake::detail
// ---- end kshake/detail/make_status.hpp ---------------------------------------------------------

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
// ---- begin kshake/detail/status_names.hpp ------------------------------------------------------
// kshake/detail/status_names.hpp — the name of each kshake::status constant, as ntstatus.h spells
// it, for kshake::status_name (kshake/status.hpp).
//
// Part of kshake/status.hpp, which includes it after the constants and before status_name; not a
// header to include on its own.

namespace kshake::detail {

struct status_entry {
    ntstatus value;
    const char* name;
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
    {status::cancelled, "STATUS_CANCELLED"},
    {status::invalid_device_state, "STATUS_INVALID_DEVICE_STATE"},
    {status::device_protocol_error, "STATUS_DEVICE_PROTOCOL_ERROR"},
    {status::invalid_buffer_size, "STATUS_INVALID_BUFFER_SIZE"},
    {status::not_found, "STATUS_NOT_FOUND"},
};

} // namespace kshake::detail
// ---- end kshake/detail/status_names.hpp --------------------------------------------------------

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
// ---- end kshake/status.hpp ---------------------------------------------------------------------

// ---- begin kshake/handshake.hpp ----------------------------------------------------------------
// kshake::handshake — KSHANDSHAKE, byte for byte.

namespace kshake {

// ks.h: typedef struct { GUID ProtocolId; PVOID Argument1; PVOID Argument2; } KSHANDSHAKE;
// 24 bytes on x86, 32 on x64 and arm64. Crossing to and from the platform type copies bytes
// (detail::read_handshake / write_handshake), never aliases them through a cast pointer.
struct handshake {
    guid protocol_id;
    void* argument1;
    void* argument2;
};

static_assert(detail::is_trivially_copyable_v<handshake> &&
              detail::is_standard_layout_v<handshake>);
static_assert(KSHAKE_OFFSETOF(handshake, protocol_id) == 0, "kshake: ProtocolId is at offset 0");
static_assert(KSHAKE_OFFSETOF(handshake, argument1) == 16, "kshake: Argument1 is at offset 16");
static_assert(KSHAKE_OFFSETOF(handshake, argument2) == 16 + sizeof(void*),
              "kshake: Argument2 follows Argument1");
static_assert(sizeof(handshake) == 16 + 2 * sizeof(void*),
              "kshake: handshake is 24 bytes on 32-bit targets, 32 on 64-bit");
static_assert(sizeof(void*) != 4 || sizeof(handshake) == 24);
static_assert(sizeof(void*) != 8 || sizeof(handshake) == 32);

} // namespace kshake

// detail::read_handshake and write_handshake, named above, which need handshake complete.
// ---- begin kshake/detail/handshake_bytes.hpp ---------------------------------------------------
// kshake/detail/handshake_bytes.hpp — a handshake read from and written to the platform's
// KSHANDSHAKE as bytes (kshake/handshake.hpp).
//
// kshake/handshake.hpp includes it after handshake; it includes that header itself, so either
// may come first.

namespace kshake::detail {

// A type that crosses as a KSHANDSHAKE: its size, copied byte for byte (KSHANDSHAKE itself, or
// kshake::handshake). What a callback's and a direct_pin's handshake type must be.
template <class H>
concept handshake_shaped = sizeof(H) == sizeof(handshake) && detail::is_trivially_copyable_v<H>;

// A handshake crossing to or from the platform's KSHANDSHAKE (the responder's In and Out,
// avstream.hpp's transports) is read and written as bytes, never through a cast pointer; field
// by field, because g++ 12 copies a whole 32-byte handshake through vector registers and a
// stack temporary that the hot path then reloads (docs/benchmarks.md, "What the measurements
// changed in kshake"). A peer's In is read once (no double fetch).
[[nodiscard]] inline handshake read_handshake(const void* from) noexcept {
    const auto* const bytes = static_cast<const unsigned char*>(from);
    handshake h; // NOLINT(cppcoreguidelines-pro-type-member-init): every field is copied below
    copy_bytes(&h.protocol_id, bytes, sizeof h.protocol_id);
    copy_bytes(static_cast<void*>(&h.argument1), bytes + KSHAKE_OFFSETOF(handshake, argument1),
               sizeof h.argument1);
    copy_bytes(static_cast<void*>(&h.argument2), bytes + KSHAKE_OFFSETOF(handshake, argument2),
               sizeof h.argument2);
    return h;
}

inline void write_handshake(void* to, const handshake& h) noexcept {
    auto* const bytes = static_cast<unsigned char*>(to);
    copy_bytes(bytes, &h.protocol_id, sizeof h.protocol_id);
    copy_bytes(bytes + KSHAKE_OFFSETOF(handshake, argument1),
               static_cast<const void*>(&h.argument1), sizeof h.argument1);
    copy_bytes(bytes + KSHAKE_OFFSETOF(handshake, argument2),
               static_cast<const void*>(&h.argument2), sizeof h.argument2);
}

} // namespace kshake::detail
// ---- end kshake/detail/handshake_bytes.hpp -----------------------------------------------------

// ---- end kshake/handshake.hpp ------------------------------------------------------------------

// ---- begin kshake/protocol.hpp -----------------------------------------------------------------
// kshake::protocol — what a private pin protocol is, checked at compile time.

// ---- begin kshake/detail/protocol_rules.hpp ----------------------------------------------------
// kshake/detail/protocol_rules.hpp — the rules behind kshake::payload and kshake::protocol
// (kshake/protocol.hpp), one concept each: a payload's assignment, a protocol's members present
// and public, its id a constant non-nil guid, its versions in order, the protocol at_version
// wraps, and the display name protocol_name reads.

namespace kshake {

// Defined in kshake/protocol.hpp, which needs the rules below first; they name it to look
// through it to the protocol it wraps.
template <class P, uint32_t V>
struct at_version;

namespace detail {

// Copied into and out of envelopes by assignment: a const or reference member deletes it.
template <class T>
concept copy_assignable = requires(T& to, const T& from) { to = from; };

// A static member: &P::m is a plain pointer (a non-static member gives a pointer to member, and
// reading it as a constant is a hard error in g++ 12 rather than an unsatisfied requirement).
template <class P>
concept id_is_static = requires { requires detail::is_pointer_v<decltype(&P::id)>; };
template <class P>
concept version_is_static = requires { requires detail::is_pointer_v<decltype(&P::version)>; };
template <class P>
concept min_version_is_static =
    requires { requires detail::is_pointer_v<decltype(&P::min_version)>; };

template <class P>
concept has_id = id_is_static<P> && requires {
    requires detail::same_as<detail::remove_cvref_t<decltype(P::id)>, guid>;
    // P::id must be a constant: it is read at compile time to build route tables.
    typename detail::constant<uint32_t, P::id.data1>;
};

// An initiator starts Out zeroed, so a nil id would match an answer the peer never wrote.
template <class P>
concept has_non_nil_id = !(P::id == guid{});

template <class P>
concept has_payload_types = requires {
    typename P::request;
    typename P::response;
};

template <class P>
concept declares_version = version_is_static<P> && requires {
    requires detail::convertible_to<decltype(P::version), uint32_t>;
    typename detail::constant<uint32_t, P::version>;
};

template <class P>
concept declares_min_version = min_version_is_static<P> && requires {
    requires detail::convertible_to<decltype(P::min_version), uint32_t>;
    typename detail::constant<uint32_t, P::min_version>;
};

// The names kshake reads from a protocol. Naming one through a class that inherits both P and
// this struct is ambiguous exactly when P declares that name, whatever its access, so a private
// member (a protocol declared `class`) is told apart from a missing one.
struct protocol_member_names {
    int id, request, response, version, min_version, codec;
};
template <class P>
struct protocol_member_lookup : P, protocol_member_names {};
template <class P>
concept can_probe_members = detail::is_class_v<P> && complete_type<P> && !detail::is_final_v<P>;

// P declares one of those names, but not as a public member kshake can read.
template <class P>
concept hides_a_member =
    can_probe_members<P> &&
    ((!requires { &protocol_member_lookup<P>::id; } && !requires { P::id; }) ||
     (!requires { &protocol_member_lookup<P>::request; } && !requires { typename P::request; } &&
      !requires { P::request; }) ||
     (!requires { &protocol_member_lookup<P>::response; } && !requires { typename P::response; } &&
      !requires { P::response; }) ||
     (!requires { &protocol_member_lookup<P>::version; } && !requires { P::version; }) ||
     (!requires { &protocol_member_lookup<P>::min_version; } && !requires { P::min_version; }) ||
     (!requires { &protocol_member_lookup<P>::codec; } && !requires { typename P::codec; } &&
      !requires { P::codec; }));

struct not_a_class {};
template <class P>
using class_or_empty_t = detail::conditional_t<detail::is_class_v<P>, P, not_a_class>;

template <class P>
consteval uint32_t version_of() noexcept {
    if constexpr (declares_version<P>) {
        return P::version;
    } else {
        return 1;
    }
}

template <class P>
consteval uint32_t min_version_of() noexcept {
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

// at_version<P, V> replaces P's version and min_version with V, which would hide a broken
// version in P itself: P's versions must hold too, however deeply it is wrapped.
template <class P>
inline constexpr bool wrapped_versions_valid = true;
template <class P, uint32_t V>
inline constexpr bool wrapped_versions_valid<at_version<P, V>> =
    valid_versions<P> && wrapped_versions_valid<P>;

template <class P>
struct wrapped_protocol;
template <class P, uint32_t V>
struct wrapped_protocol<at_version<P, V>> {
    using type = P;
};
template <class P>
concept is_at_version = requires { typename wrapped_protocol<P>::type; };

template <class P>
concept named_by_text = requires { static_cast<const char*>(P::name); };
template <class P>
concept named_by_view = requires { static_cast<const char*>(P::name.data()); };

} // namespace detail

} // namespace kshake
// ---- end kshake/detail/protocol_rules.hpp ------------------------------------------------------

namespace kshake {

// Payloads travel by value inside stack envelopes (negotiate() holds a request and a response on
// the caller's stack, the responder a copy of each on the same stack, and the x86 kernel stack
// is 12 KiB), so they are bounded: KSHAKE_MAX_PAYLOAD_SIZE, 256 bytes in kernel mode and 2048
// in user mode unless the build defines it (config.hpp, docs/driver.md "Stack usage").
inline constexpr size_t max_payload_size = KSHAKE_MAX_PAYLOAD_SIZE;
// The envelope puts the body at byte 8 on every target, which holds only for bodies aligned to
// at most 8 (see docs/wire.md).
inline constexpr size_t max_payload_alignment = 8;

// A payload is a plain C struct: copied byte for byte across the wire. It has no implicit
// padding, so every byte that crosses is a member its sender set (or kshake zeroed), and its
// layout is the same under every compiler of a target (docs/wire.md §2.6). An empty struct is a
// payload too: its one byte travels as zero.
template <class T>
concept payload = detail::is_class_v<T> && detail::complete_type<T> && !detail::is_const_v<T> &&
                  !detail::is_volatile_v<T> && detail::is_trivial_v<T> &&
                  detail::copy_assignable<T> && detail::is_standard_layout_v<T> &&
                  (detail::has_unique_object_representations_v<T> || detail::is_empty_v<T>) &&
                  sizeof(T) <= max_payload_size && alignof(T) <= max_payload_alignment;

// A protocol: `static constexpr kshake::guid id`, `using request`, `using response` (payloads),
// and optionally `static constexpr uint32_t version` (default 1) and `min_version`
// (default: version). Version 0 never appears on the wire.
template <class P>
concept protocol =
    detail::has_id<P> && detail::has_non_nil_id<P> && detail::has_payload_types<P> &&
    payload<typename P::request> && payload<typename P::response> && detail::valid_versions<P> &&
    !detail::hides_a_member<P> && detail::wrapped_versions_valid<P>;

// The version an initiator speaks, and the lowest one a responder serves.
template <protocol P>
inline constexpr uint32_t version_v = detail::version_of<P>();
template <protocol P>
inline constexpr uint32_t min_version_v = detail::min_version_of<P>();

template <protocol P>
using request_t = typename P::request;
template <protocol P>
using response_t = typename P::response;

// The same protocol spoken at exactly version V: what negotiate_first offers when it falls back
// from one version to the next, e.g. negotiate_first<at_version<pool, 3>, at_version<pool, 2>>.
//
// P is not constrained here, so that a mistake in P reaches check_protocol's message for
// at_version<P, V> (which inherits it) instead of an anonymous constraint failure.
template <class P, uint32_t V>
struct at_version : detail::class_or_empty_t<P> {
    static constexpr uint32_t version = V;
    static constexpr uint32_t min_version = V;
};

// A protocol's display name: `static constexpr const char* name = "...";` (or a char array, or
// in user mode a std::string_view naming a string literal) when it has one, else "".
template <protocol P>
[[nodiscard]] constexpr const char* protocol_name() noexcept {
    if constexpr (detail::named_by_text<P>) {
        return static_cast<const char*>(P::name);
    } else if constexpr (detail::named_by_view<P>) {
        return static_cast<const char*>(P::name.data());
    } else {
        return "";
    }
}

} // namespace kshake
// ---- end kshake/protocol.hpp -------------------------------------------------------------------

// ---- begin kshake/wire.hpp ---------------------------------------------------------------------
// kshake/wire.hpp — the codecs a protocol may name and the wire contract's version. How each
// codec lays out KSHANDSHAKE's two pointers, byte by byte, is docs/wire.md; the code that does
// it is detail/codec.hpp.

namespace kshake {

// The version of the wire contract these headers implement (docs/wire.md §7). It is not sent:
// the contract fixes what every byte means, so two peers agree on it by being built to it.
inline constexpr uint32_t wire_contract_major = 1;
inline constexpr uint32_t wire_contract_minor = 0;

// The default codec: the request and the response each travel in an envelope
// {size, version, body} (docs/wire.md §2). A protocol without a `codec` member uses it.
struct envelope_codec {};

// Both pointers as they are, for a peer with its own convention (docs/wire.md §4):
// `using codec = kshake::raw_codec;`.
// A raw protocol has request = response = raw_arguments: the initiator's In.Argument1/2 reach
// the handler as they are, and the handler's answer becomes Out.Argument1/2. No version travels
// on the wire, pointers may be null, and nothing is dereferenced by kshake.
struct raw_codec {};

struct raw_arguments {
    void* argument1;
    void* argument2;
};

} // namespace kshake
// ---- end kshake/wire.hpp -----------------------------------------------------------------------

// ---- begin kshake/transport.hpp ----------------------------------------------------------------
// kshake::transport — anything that performs one handshake with a peer pin.

// ---- begin kshake/detail/transport_rules.hpp ---------------------------------------------------
// kshake/detail/transport_rules.hpp — the rule of kshake::transport (kshake/transport.hpp) that
// `out` is taken by reference, so that the peer's answer is not lost in a copy.

namespace kshake::detail {

// A call operator that also takes a temporary as `out` takes it by value or by const&
// (or, generic, by forwarding reference): the peer's answer would be written into a copy and
// lost, and every negotiation would fail with STATUS_DEVICE_PROTOCOL_ERROR.
template <class T>
concept takes_out_by_copy = requires(T& t, const handshake& in) { t(in, handshake{}); };

} // namespace kshake::detail
// ---- end kshake/detail/transport_rules.hpp -----------------------------------------------------

namespace kshake {

// `ntstatus t(const handshake& in, handshake& out) noexcept`: sends `in` to the peer, which
// fills `out`; success only if the peer accepted. avstream.hpp's transports call KsPinHandshake
// or send IOCTL_KS_HANDSHAKE; mock.hpp's call a mock pin; a lambda will do in a test. It may
// return NTSTATUS (a 32-bit `long` on Windows targets) instead of kshake::ntstatus
// (status_type): the value is the same NTSTATUS either way.
template <class T>
concept transport = requires(T& t, const handshake& in, handshake& out) {
    { t(in, out) } noexcept -> status_type;
} && !detail::takes_out_by_copy<T>;

} // namespace kshake

// negotiate()'s check of a transport, which names the concept above.
// ---- begin kshake/detail/transport_check.hpp ---------------------------------------------------
// kshake/detail/transport_check.hpp — a transport checked where negotiate() receives it, one
// kshake: message a mistake (kshake/transport.hpp).
//
// kshake/transport.hpp includes it after the concept it names; it includes that header itself,
// so either may come first.

namespace kshake::detail {

// T as negotiate() received it: a const transport must be callable through a const reference.
template <class T>
consteval bool check_transport() noexcept {
    using type = detail::remove_reference_t<T>;
    if constexpr (!requires(type& t, const handshake& in, handshake& out) { t(in, out); }) {
        static_assert(
            requires(type& t, const handshake& in, handshake& out) { t(in, out); },
            "kshake: not a transport: it must be callable as "
            "`kshake::ntstatus t(const kshake::handshake& in, kshake::handshake& out) "
            "noexcept` (e.g. kshake::mock::connected_pin(pin) or "
            "kshake::avstream::connected_pin(pin))");
        return false;
    } else if constexpr (takes_out_by_copy<type>) {
        static_assert(!takes_out_by_copy<type>,
                      "kshake: a transport must take `out` as `kshake::handshake& out` (not by "
                      "value, const& or auto&&): the peer's answer is written there, and a copy "
                      "would lose it");
        return false;
    } else if constexpr (!requires(type& t, const handshake& in, handshake& out) {
                             { t(in, out) } -> status_type;
                         }) {
        static_assert(
            requires(type& t, const handshake& in, handshake& out) {
                { t(in, out) } -> status_type;
            }, "kshake: a transport must return kshake::ntstatus (the NTSTATUS of the "
               "handshake; NTSTATUS, a 32-bit long, works too), not another type");
        return false;
    } else if constexpr (!transport<type>) {
        static_assert(transport<type>,
                      "kshake: a transport must be noexcept: declare its call operator "
                      "`noexcept` (nothing on the negotiation path may throw)");
        return false;
    } else {
        return true;
    }
}

} // namespace kshake::detail
// ---- end kshake/detail/transport_check.hpp -----------------------------------------------------

// ---- end kshake/transport.hpp ------------------------------------------------------------------

// ---- begin kshake/result.hpp -------------------------------------------------------------------
// kshake::result — a status or a typed response; never throws, never hands out garbage.

// ---- begin kshake/detail/first_result_parts.hpp ------------------------------------------------
// kshake/detail/first_result_parts.hpp — what kshake::first_result (kshake/result.hpp) is built
// from: its response storage, the refusals of its offers, and the one way negotiate_first writes
// its outcome into it.

// ---- begin kshake/detail/pack.hpp --------------------------------------------------------------
// kshake/detail/pack.hpp — a template parameter pack indexed by position or by type, written
// once for the responder's routes, the initiator's offers and their results.

namespace kshake::detail {

template <class... Ts>
struct type_list {};

// The I-th type of a pack without recursion: a responder may hold 1024 routes, beyond the
// compilers' default template depth (900 for g++) for a recursive lookup.
template <size_t I, class T>
struct indexed_type {
    using type = T;
};
template <class Sequence, class... Ts>
struct indexed_types;
template <size_t... Is, class... Ts>
struct indexed_types<index_sequence<Is...>, Ts...> : indexed_type<Is, Ts>... {};
template <size_t I, class T>
indexed_type<I, T> select_indexed(const indexed_type<I, T>&);
template <size_t I, class... Ts>
using pack_element_t = typename decltype(select_indexed<I>(
    declval<indexed_types<index_sequence_for<Ts...>, Ts...>>()))::type;

// The I-th type of a pack, or void past its end (a handler's parameter beyond its arity).
template <size_t I, class... Ts>
struct element_or_void {
    using type = void;
};
template <size_t I, class... Ts>
    requires(I < sizeof...(Ts))
struct element_or_void<I, Ts...> {
    using type = pack_element_t<I, Ts...>;
};

// The position of T in Ts (the first, if it is there more than once); sizeof...(Ts) if absent.
template <class T, class... Ts>
inline constexpr size_t index_of = 0;
template <class T, class First, class... Rest>
inline constexpr size_t index_of<T, First, Rest...> =
    is_same_v<T, First> ? 0 : 1 + index_of<T, Rest...>;

// The I-th of a pack of values, without recursion (an unoptimised build gave each step of a
// recursive one a stack frame of its own).
template <size_t I, class... Ts>
[[nodiscard]] const pack_element_t<I, Ts...>& pack_value(const Ts&... values) noexcept {
    const void* const at[] = {static_cast<const void*>(&values)...};
    return *static_cast<const pack_element_t<I, Ts...>*>(at[I]);
}

} // namespace kshake::detail
// ---- end kshake/detail/pack.hpp ----------------------------------------------------------------

namespace kshake {

// Defined in kshake/result.hpp, which includes this header first.
template <protocol... Ps>
class first_result;

namespace detail {

// What a get() that fails its static_assert returns, so that no second error follows.
struct no_response {};

template <class... Ts>
inline constexpr size_t max_size_of = [] {
    size_t m = 1;
    ((m = sizeof(Ts) > m ? sizeof(Ts) : m), ...);
    return m;
}();

// The refusals of negotiate_first's offers, for first_result::status_of: written only for an
// offer that was refused, and read only for those (which offers were refused follows from
// index() and status()), so the accepted offer and the offers never sent cost no store. A
// single offer's status is the result's own, so it costs nothing there.
template <size_t N>
struct offer_statuses {
    ntstatus at[N];
};
template <>
struct offer_statuses<1> {};

// negotiate_first's way to write its outcome in place (detail/negotiation.hpp): first_result
// befriends it, so that its members stay private to everyone else.
struct first_result_access {
    template <size_t I, class... Ps>
    static void accept(first_result<Ps...>& r, const response_t<pack_element_t<I, Ps...>>& value,
                       uint32_t version) noexcept {
        r.status_ = status::success;
        r.index_ = static_cast<uint32_t>(I);
        r.version_ = version;
        copy_bytes(r.storage_, &value, sizeof value);
    }
    template <class... Ps>
    static constexpr first_result<Ps...> unwritten() noexcept {
        return first_result<Ps...>{typename first_result<Ps...>::unwritten{}};
    }
    // The offer's index as an argument, not a template parameter: one function for all offers
    // (a debug build gives each instantiation a stack frame).
    template <class... Ps>
    static void refuse(first_result<Ps...>& r, size_t offer, ntstatus failure) noexcept {
        r.status_ = failure;
        if constexpr (sizeof...(Ps) > 1) {
            r.statuses_.at[offer] = failure;
        }
    }
};

} // namespace detail

} // namespace kshake
// ---- end kshake/detail/first_result_parts.hpp --------------------------------------------------

// What an ignored negotiation says (the reason is printed with the unused-result warning).
#define KSHAKE_DETAIL_NODISCARD_RESULT                                                             \
    [[nodiscard("kshake: check the result: `if (!r) return r.status();`, then `*r` or `r->` is "   \
                "the peer's response")]]
#define KSHAKE_DETAIL_NODISCARD_FIRST_RESULT                                                       \
    [[nodiscard("kshake: check the result: `if (!r) return r.status();`, then "                    \
                "`r.accepted<P>()` or `r.index()` says which offer the peer took")]]

namespace kshake {

template <payload T>
class KSHAKE_DETAIL_NODISCARD_RESULT result {
  public:
    // A failure. Passing a success status here is a contract violation (fail fast).
    constexpr explicit result(ntstatus failure) noexcept : status_{failure} {
        Expects(!nt_success(failure));
    }
    constexpr result(const T& value, uint32_t version) noexcept
        : status_{status::success}, version_{version}, value_{value} {}

    [[nodiscard]] constexpr bool ok() const noexcept { return nt_success(status_); }
    constexpr explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] constexpr ntstatus status() const noexcept { return status_; }
    // The protocol version the peer answered with (0 on failure).
    [[nodiscard]] constexpr uint32_t version() const noexcept { return version_; }

    // The response; reading it from a failed result fails fast (GSL Expects), never UB.
    [[nodiscard]] constexpr const T& value() const noexcept {
        Expects(ok());
        return value_;
    }
    [[nodiscard]] constexpr const T& operator*() const noexcept { return value(); }
    [[nodiscard]] constexpr const T* operator->() const noexcept { return &value(); }

  private:
    ntstatus status_;
    uint32_t version_{0};
    T value_{};
};

// What negotiate_first<P1, P2, ...> returns: which offer the peer accepted and its response,
// or the status of the last refusal.
template <protocol... Ps>
class KSHAKE_DETAIL_NODISCARD_FIRST_RESULT first_result {
  public:
    static constexpr size_t none = sizeof...(Ps);

    // A failure of every offer: status() and each status_of(i) are `failure`.
    constexpr explicit first_result(ntstatus failure) noexcept : status_{failure} {
        Expects(!nt_success(failure));
        if constexpr (none > 1) {
            for (ntstatus& s : statuses_.at) {
                s = failure;
            }
        }
    }
    [[nodiscard]] constexpr bool ok() const noexcept { return index_ != none; }
    constexpr explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] constexpr ntstatus status() const noexcept { return status_; }
    [[nodiscard]] constexpr uint32_t version() const noexcept { return version_; }
    // How offer I ended, in the order offered: status::success for the accepted offer, its
    // refusal (the peer's status, or status::device_protocol_error for a broken answer), or
    // status::cancelled for an offer never sent because an earlier one ended the negotiation.
    // Fails fast for an index past the offers.
    [[nodiscard]] constexpr ntstatus status_of(size_t offer) const noexcept {
        Expects(offer < none);
        if constexpr (none == 1) {
            return status_;
        } else {
            // The offer that ended the negotiation: the accepted one, the first that ended with
            // a protocol error, or the last.
            size_t last = none - 1;
            if (index_ != none) {
                last = index_;
            } else if (status_ == status::device_protocol_error) {
                last = 0;
                while (last < none - 1 && statuses_.at[last] != status::device_protocol_error) {
                    ++last;
                }
            }
            if (offer < last) {
                return statuses_.at[offer];
            }
            return offer == last ? status_ : status::cancelled;
        }
    }
    // 0 for P1, 1 for P2, ...; `none` when every offer was refused.
    [[nodiscard]] constexpr size_t index() const noexcept { return index_; }

    template <class P>
    [[nodiscard]] constexpr bool accepted() const noexcept {
        static_assert((detail::is_same_v<P, Ps> || ...),
                      "kshake: that protocol is not one of this negotiate_first's offers: "
                      "accepted<P>() takes one of the P1, P2, ... given to negotiate_first");
        return index_ == detail::index_of<P, Ps...>;
    }

    // The accepted offer's response; asking for another offer's fails fast. The return types
    // are deduced so that a wrong index or protocol reaches the static_assert's message instead
    // of failing in the declaration.
    template <size_t I>
    [[nodiscard]] auto get() const noexcept {
        if constexpr (I >= none) {
            static_assert(I < none,
                          "kshake: negotiate_first result index out of range: get<I>() takes 0 "
                          "for the first offer, up to the number of offers minus 1");
            return detail::no_response{};
        } else {
            Expects(index_ == I);
            response_t<detail::pack_element_t<I, Ps...>> value{};
            detail::copy_bytes(&value, storage_, sizeof value);
            return value;
        }
    }
    template <class P>
    [[nodiscard]] auto get() const noexcept {
        if constexpr (!(detail::is_same_v<P, Ps> || ...)) {
            static_assert((detail::is_same_v<P, Ps> || ...),
                          "kshake: that protocol is not one of this negotiate_first's offers: "
                          "get<P>() takes one of the P1, P2, ... given to negotiate_first");
            return detail::no_response{};
        } else {
            return get<detail::index_of<P, Ps...>>();
        }
    }

  private:
    friend struct detail::first_result_access;

    // negotiate_first's outcome before its first offer: it writes each status it then reads.
    struct unwritten {};
    constexpr explicit first_result(unwritten) noexcept : status_{status::not_found} {}

    ntstatus status_{status::success};
    // 32 bits, so that the statuses below fit where a size_t's alignment left padding (as a
    // size_t, the larger object cost negotiate_first instructions: docs/benchmarks.md, "What
    // the measurements changed in kshake").
    uint32_t index_{static_cast<uint32_t>(none)};
    uint32_t version_{0};
    static constexpr size_t storage_size = detail::max_size_of<response_t<Ps>...>;
    // Read and written only by copy_bytes, so its alignment does not matter; an alignas here
    // would pad the class, which MSVC's /W4 reports (C4324).
    unsigned char storage_[storage_size]{};
    detail::offer_statuses<sizeof...(Ps)> statuses_;
};

} // namespace kshake
// ---- end kshake/result.hpp ---------------------------------------------------------------------

// ---- begin kshake/initiator.hpp ----------------------------------------------------------------
// kshake::negotiate — the initiating pin's side: offer a protocol, get a typed answer.

// ---- begin kshake/detail/codec.hpp -------------------------------------------------------------
// kshake/detail/codec.hpp — which codec a protocol uses (its `codec` member, else the
// envelope) and the code that implements it.

// ---- begin kshake/detail/envelope_wire.hpp -----------------------------------------------------
// kshake/detail/envelope_wire.hpp — the envelope codec (docs/wire.md §2): the envelope's layout,
// the initiator's exchange and the responder's checks of docs/wire.md §2.3 from check 4 on.

// ---- begin kshake/detail/checks.hpp ------------------------------------------------------------
// kshake/detail/checks.hpp — what a responder checks (docs/wire.md §2.3) and what an initiator
// checks of an answer (§2.5), by name, and the one table from a failed check to its status: the
// codecs and the responder refuse through it, a trace reports the same names (trace.hpp).

namespace kshake {

// The check of docs/wire.md §2.3 that refused a request; `none` when it was served.
enum class request_check : uint8_t {
    none = 0,
    in_out_null = 1,           // In or Out is null
    no_context = 2,            // the pin is null or has no context
    unknown_protocol = 3,      // no route serves In.ProtocolId
    envelope_null = 4,         // In.Argument1 or In.Argument2 is null
    version = 5,               // the request's version is in no route's range
    request_size = 6,          // the request envelope is shorter than the route's request
    response_capacity = 7,     // the response envelope is smaller than the route's response
    response_overlaps_out = 8, // the response envelope would overwrite Out
    handler = 9,               // the handler returned a failure status
};

// The rule of docs/wire.md §2.5 that a success answer broke; `none` for an accepted offer and for
// a refusal.
enum class answer_rule : uint8_t {
    none = 0,
    status_code = 1,      // R0: a success code other than STATUS_SUCCESS
    protocol_id = 2,      // R1: Out.ProtocolId is not the offered id
    argument1 = 3,        // R2: Out.Argument1 is not the initiator's response envelope
    argument2 = 4,        // R3: Out.Argument2 is not null
    response_size = 5,    // R4: the response size is not envelope_size<response>
    response_version = 6, // R5: the response version is not the offered version
};

namespace detail {

// The tables of docs/wire.md §2.3 and §2.5, beside the enumerations: a check's status and name,
// a rule's name. Switches with no default, under -Wswitch as an error (with or without the
// build's flags): a new check or rule does not compile until each table has its case. After a
// switch only a value that is no enumerator remains.
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
#endif

// Named in status_of for a check that refuses with no status of its own: not a constant
// expression, so such a use does not compile.
inline void check_without_a_status_of_its_own() noexcept {}

// The status a check answers when it refuses (docs/wire.md §2.3's last column). `none` refuses
// nothing and check 9 answers with the handler's own status: naming either here does not compile.
[[nodiscard]] consteval ntstatus status_of(request_check c) noexcept {
    switch (c) {
    case request_check::in_out_null:
        return status::invalid_parameter;
    case request_check::no_context:
        return status::invalid_device_state;
    case request_check::unknown_protocol:
        return status::invalid_device_request;
    case request_check::envelope_null:
        return status::invalid_parameter;
    case request_check::version:
        return status::revision_mismatch;
    case request_check::request_size:
        return status::invalid_buffer_size;
    case request_check::response_capacity:
        return status::buffer_too_small;
    case request_check::response_overlaps_out:
        return status::invalid_parameter;
    case request_check::none:
    case request_check::handler:
        break;
    }
    check_without_a_status_of_its_own();
    return status::unsuccessful;
}

// check_name's text (trace.hpp); "" for a value that is no enumerator.
[[nodiscard]] constexpr const char* name_of(request_check c) noexcept {
    switch (c) {
    case request_check::none:
        return "none: served";
    case request_check::in_out_null:
        return "check 1 of wire.md 2.3: In or Out is null";
    case request_check::no_context:
        return "check 2 of wire.md 2.3: the pin is null or has no context";
    case request_check::unknown_protocol:
        return "check 3 of wire.md 2.3: no route serves the protocol id";
    case request_check::envelope_null:
        return "check 4 of wire.md 2.3: a null envelope";
    case request_check::version:
        return "check 5 of wire.md 2.3: the request's version is in no route's range";
    case request_check::request_size:
        return "check 6 of wire.md 2.3: the request envelope is too short";
    case request_check::response_capacity:
        return "check 7 of wire.md 2.3: the response envelope is too small";
    case request_check::response_overlaps_out:
        return "check 8 of wire.md 2.3: the response envelope overlaps Out";
    case request_check::handler:
        return "check 9 of wire.md 2.3: the handler refused";
    }
    return "";
}

// rule_name's text (trace.hpp); "" for a value that is no enumerator.
[[nodiscard]] constexpr const char* name_of(answer_rule r) noexcept {
    switch (r) {
    case answer_rule::none:
        return "none";
    case answer_rule::status_code:
        return "rule R0 of wire.md 2.5: a success code other than STATUS_SUCCESS";
    case answer_rule::protocol_id:
        return "rule R1 of wire.md 2.5: Out.ProtocolId is not the offered id";
    case answer_rule::argument1:
        return "rule R2 of wire.md 2.5: Out.Argument1 is not the initiator's response envelope";
    case answer_rule::argument2:
        return "rule R3 of wire.md 2.5: Out.Argument2 is not null";
    case answer_rule::response_size:
        return "rule R4 of wire.md 2.5: the response size is not envelope_size<response>";
    case answer_rule::response_version:
        return "rule R5 of wire.md 2.5: the response version is not the offered version";
    }
    return "";
}

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

// How KSHAKE_DETAIL_REFUSE_AT below returns a failed check's status. Optimised under clang it calls
// a function of its own, so that each failed check is one conditional tail jump: returning the
// constant in place makes clang-19 load every check's status into the return register before the
// check, on the path that passes too (docs/benchmarks.md, "What the measurements changed in
// kshake"). g++ compiles the constant just as well and keeps a stack frame for a call, and an
// unoptimised build would give each refusal a frame (docs/driver.md, "Stack usage").
#if defined(__clang__) && defined(__OPTIMIZE__)
template <ntstatus S>
[[gnu::noinline, gnu::cold]] constexpr ntstatus refuse() noexcept {
    return S;
}
#define KSHAKE_DETAIL_REFUSE(s) ::kshake::detail::refuse<(s)>()
#else
#define KSHAKE_DETAIL_REFUSE(s) (s)
#endif

// A check of docs/wire.md §2.3 that fails: `return KSHAKE_DETAIL_REFUSE_AT(request_check::x,
// trace);`. The trace (none, or a responder's detail::request_trace) hears which check, and the
// status is that check's own, from the one table (detail::status_of).
#define KSHAKE_DETAIL_REFUSE_AT(check, trace)                                                      \
    (((trace).refused(check), ...), KSHAKE_DETAIL_REFUSE(::kshake::detail::status_of(check)))

} // namespace detail

} // namespace kshake
// ---- end kshake/detail/checks.hpp --------------------------------------------------------------

// ---- begin kshake/detail/same_guid.hpp ---------------------------------------------------------
// A GUID compare for the negotiation path.

namespace kshake::detail {

struct guid_halves {
    uint64_t low;
    uint64_t high;
};

// Two 64-bit compares instead of the defaulted ==, which g++ 12 -O2 compiles to three field
// compares and a byte-by-byte loop over data4 (docs/benchmarks.md, "What the measurements
// changed in kshake"). Every negotiation compares ids on both sides.
[[nodiscard]] constexpr bool same_guid(const guid& a, const guid& b) noexcept {
    const auto x = detail::bit_cast<guid_halves>(a);
    const auto y = detail::bit_cast<guid_halves>(b);
    return ((x.low ^ y.low) | (x.high ^ y.high)) == 0;
}

} // namespace kshake::detail
// ---- end kshake/detail/same_guid.hpp -----------------------------------------------------------

namespace kshake::detail {

// An envelope: { u32 size; u32 version; body } with the body at byte 8 on every target.
// `size` counts header and body: envelope_size<T> = 8 + sizeof(T).
struct envelope_header {
    uint32_t size;
    uint32_t version;
};

template <payload T>
struct envelope {
    uint32_t size;
    uint32_t version;
    T body;
};

inline constexpr size_t envelope_body_offset = sizeof(envelope_header);

template <payload T>
inline constexpr uint32_t envelope_size = static_cast<uint32_t>(envelope_body_offset + sizeof(T));

template <payload T>
consteval bool envelope_layout_holds() noexcept {
    return KSHAKE_OFFSETOF(envelope<T>, size) == 0 && KSHAKE_OFFSETOF(envelope<T>, version) == 4 &&
           KSHAKE_OFFSETOF(envelope<T>, body) == envelope_body_offset &&
           sizeof(envelope<T>) >= envelope_size<T>;
}

// A body as it crosses the wire. An empty struct's one byte is padding: it travels as zero.
template <payload T>
inline void write_body(void* to, const T& body) noexcept {
    if constexpr (detail::is_empty_v<T>) {
        *static_cast<unsigned char*>(to) = 0;
    } else {
        copy_bytes(to, &body, sizeof body);
    }
}

// [a, a + a_size) and [b, b + b_size) share a byte (sizes not 0) when a - b lies in
// (-a_size, b_size), i.e. when a - b + a_size - 1, in the address space's own modular
// arithmetic, is below a_size + b_size - 1: one subtraction and one compare (clang-19 sets and
// tests two flags for the two compares `a < b + b_size && b < a + a_size`), and no sum can
// overflow at the top of the address space.
[[nodiscard]] inline bool regions_overlap(const void* a, size_t a_size, const void* b,
                                          size_t b_size) noexcept {
    const auto a0 = reinterpret_cast<detail::uintptr_t>(a);
    const auto b0 = reinterpret_cast<detail::uintptr_t>(b);
    return a0 + (a_size - 1) - b0 < a_size + b_size - 1;
}

// The default codec (docs/wire.md §2).
//   In.ProtocolId = P::id, In.Argument1 -> the initiator's request envelope,
//   In.Argument2 -> the initiator's response envelope (size = its capacity, version = 0).
//   On success: the response envelope holds {envelope_size<response>, version used, body};
//   Out = {P::id, Argument1 -> that response envelope, Argument2 = nullptr}.
struct envelope_wire {
    // Initiator side: both envelopes live in the caller's frame for the one call.
    template <protocol P>
    class exchange {
      public:
        using request_type = request_t<P>;
        using response_type = response_t<P>;

        constexpr explicit exchange(const request_type& request) noexcept
            : request_{envelope_size<request_type>, version_v<P>, request},
              response_{envelope_size<response_type>, 0, {}} {
            static_assert(detail::envelope_layout_holds<request_type>() &&
                          detail::envelope_layout_holds<response_type>());
            // An empty body's one byte is padding, which `{}` and a copy may leave unset.
            if constexpr (detail::is_empty_v<request_type>) {
                detail::write_body(&request_.body, request);
            }
            if constexpr (detail::is_empty_v<response_type>) {
                detail::write_body(&response_.body, response_type{});
            }
        }
        exchange(const exchange&) = delete;
        exchange& operator=(const exchange&) = delete;
        ~exchange() = default;

        [[nodiscard]] handshake offer() noexcept { return {P::id, &request_, &response_}; }

        // Checks what the peer claims to have done; reads only the initiator's own buffer.
        [[nodiscard]] bool answer_is_valid(const handshake& out) const noexcept {
            // The response header as one 64-bit value: clang-19 compares the fields apart.
            return detail::same_guid(out.protocol_id, P::id) && out.argument1 == &response_ &&
                   out.argument2 == nullptr &&
                   (uint64_t{response_.version} << 32U | response_.size) ==
                       (uint64_t{version_v<P>} << 32U | envelope_size<response_type>);
        }

        // Which rule of docs/wire.md §2.5 an answer breaks first (for a trace), or none.
        [[nodiscard]] answer_rule broken_rule(const handshake& out) const noexcept {
            if (!detail::same_guid(out.protocol_id, P::id)) {
                return answer_rule::protocol_id;
            }
            if (out.argument1 != &response_) {
                return answer_rule::argument1;
            }
            if (out.argument2 != nullptr) {
                return answer_rule::argument2;
            }
            if (response_.size != envelope_size<response_type>) {
                return answer_rule::response_size;
            }
            if (response_.version != version_v<P>) {
                return answer_rule::response_version;
            }
            return answer_rule::none;
        }

        // The response a valid answer carries, read in place: negotiate() builds its result
        // from it and negotiate_first its outcome, so it is copied once. Call only after
        // answer_is_valid(out).
        [[nodiscard]] const response_type& answer(const handshake&) const noexcept {
            return response_.body;
        }

      private:
        envelope<request_type> request_;
        envelope<response_type> response_;
    };

    // Responder side: what decode_request() has checked and copied, for encode_response().
    template <protocol P>
    struct decoded {
        request_t<P> request;
        uint32_t version;
        void* response_envelope;
    };

    // Validates In without writing anything; `out` is only compared, never written. `trace`
    // (none, or a responder's detail::request_trace) hears the version and the check that
    // refused.
    template <protocol P, class... Trace>
    [[nodiscard]] static ntstatus decode_request(const handshake& in, const void* out,
                                                 decoded<P>& d, Trace&... trace) noexcept {
        // Written out rather than through read_request_header: the call was dearer on the hot
        // path (docs/benchmarks.md, "What the measurements changed in kshake"), and a debug
        // build gives it a stack frame.
        if (in.argument1 == nullptr || in.argument2 == nullptr) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::envelope_null, trace);
        }
        // Field by field (read whole, or through a helper returning it, it is loaded as 8 bytes
        // and the version shifted out, by g++ 12 and clang-19 alike): the version here, the size
        // by decode_request_with_header once the version has passed (read before, g++ 12 keeps
        // it in a register). docs/benchmarks.md, "What the measurements changed in kshake".
        envelope_header request_header; // NOLINT(cppcoreguidelines-pro-type-member-init)
        detail::copy_bytes(&request_header.version,
                           static_cast<const unsigned char*>(in.argument1) +
                               sizeof request_header.size,
                           sizeof request_header.version);
        return decode_request_with_header<P, false>(in, request_header, out, d, trace...);
    }

    // §2.3 check 4, then the request header copied once: false when an envelope is null (for
    // the routes of one id, which read the header before choosing one). Headers and body are
    // copied out before use: the peer's buffers may be unaligned and may change under us (a
    // double fetch is a classic kernel bug).
    [[nodiscard]] static bool read_request_header(const void* request_envelope,
                                                  const void* response_envelope,
                                                  envelope_header& header) noexcept {
        if (request_envelope == nullptr || response_envelope == nullptr) {
            return false;
        }
        detail::copy_bytes(&header, request_envelope, sizeof header);
        return true;
    }

    // The checks from the request version on, once the header has been copied: whole, by a
    // responder choosing among the routes of one id by its version; or only its version, by
    // decode_request (SizeCopied false), and then the size is copied here once the version has
    // passed.
    template <protocol P, bool SizeCopied = true, class... Trace>
    [[nodiscard]] static ntstatus
    decode_request_with_header(const handshake& in, const envelope_header& request_header,
                               const void* out, decoded<P>& d, Trace&... trace) noexcept {
        using request_type = request_t<P>;
        using response_type = response_t<P>;
        (trace.version(request_header.version), ...);
        if (request_header.version < min_version_v<P> || request_header.version > version_v<P>) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::version, trace);
        }
        uint32_t request_size; // NOLINT(cppcoreguidelines-init-variables): set on both branches
        if constexpr (SizeCopied) {
            request_size = request_header.size;
        } else {
            detail::copy_bytes(&request_size, in.argument1, sizeof request_size);
        }
        if (request_size < envelope_size<request_type>) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::request_size, trace);
        }
        // Only the response header's size (its first 4 bytes) is read: its version is the
        // initiator's business, and a peer may have mapped no more (docs/wire.md §2.3).
        uint32_t capacity = 0;
        detail::copy_bytes(&capacity, in.argument2, sizeof capacity);
        if (capacity < envelope_size<response_type>) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::response_capacity, trace);
        }
        // Writing the response must not overwrite Out itself. Out first, which g++ 12 compiles
        // more cheaply (docs/benchmarks.md, "kshake's dispatch").
        if (detail::regions_overlap(out, sizeof(handshake), in.argument2,
                                    envelope_size<response_type>)) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::response_overlaps_out, trace);
        }
        detail::copy_bytes(&d.request,
                           static_cast<const unsigned char*>(in.argument1) + envelope_body_offset,
                           sizeof(request_type));
        // A protocol of one version knows it now: a constant lets the compiler check the
        // header in place and write the response header as one immediate (clang-19 otherwise
        // loads the header whole and shifts the version out).
        d.version = min_version_v<P> == version_v<P> ? version_v<P> : request_header.version;
        d.response_envelope = in.argument2;
        return status::success;
    }

    template <protocol P>
    static void encode_response(const decoded<P>& d, const response_t<P>& response,
                                handshake& out) noexcept {
        const envelope_header header{envelope_size<response_t<P>>, d.version};
        auto* bytes = static_cast<unsigned char*>(d.response_envelope);
        detail::write_body(bytes + envelope_body_offset, response);
        detail::copy_bytes(bytes, &header, sizeof header);
        out = {P::id, d.response_envelope, nullptr};
    }
};

} // namespace kshake::detail
// ---- end kshake/detail/envelope_wire.hpp -------------------------------------------------------

// ---- begin kshake/detail/raw_wire.hpp ----------------------------------------------------------
// kshake/detail/raw_wire.hpp — the raw codec (docs/wire.md §4): In's two pointers reach the handler
// as they are, and its answer becomes Out's.

namespace kshake::detail {

// No version travels and nothing is dereferenced: the exchange only compares Out's id.
struct raw_wire {
    template <protocol P>
    class exchange {
      public:
        constexpr explicit exchange(const raw_arguments& request) noexcept : request_{request} {}
        exchange(const exchange&) = delete;
        exchange& operator=(const exchange&) = delete;
        ~exchange() = default;

        [[nodiscard]] handshake offer() const noexcept {
            return {P::id, request_.argument1, request_.argument2};
        }
        [[nodiscard]] static bool answer_is_valid(const handshake& out) noexcept {
            return detail::same_guid(out.protocol_id, P::id);
        }
        [[nodiscard]] static answer_rule broken_rule(const handshake& out) noexcept {
            return answer_is_valid(out) ? answer_rule::none : answer_rule::protocol_id;
        }
        // Call only after answer_is_valid(out).
        [[nodiscard]] static raw_arguments answer(const handshake& out) noexcept {
            return {out.argument1, out.argument2};
        }

      private:
        raw_arguments request_;
    };

    template <protocol P>
    struct decoded {
        raw_arguments request;
        uint32_t version;
    };

    template <protocol P, class... Trace>
    [[nodiscard]] static ntstatus decode_request(const handshake& in, const void*, decoded<P>& d,
                                                 Trace&... trace) noexcept {
        (trace.version(version_v<P>), ...);
        d.request = {in.argument1, in.argument2};
        d.version = version_v<P>;
        return status::success;
    }

    template <protocol P>
    static void encode_response(const decoded<P>&, const raw_arguments& response,
                                handshake& out) noexcept {
        out = {P::id, response.argument1, response.argument2};
    }
};

} // namespace kshake::detail
// ---- end kshake/detail/raw_wire.hpp ------------------------------------------------------------

namespace kshake::detail {

// A protocol picks its codec with `using codec = kshake::raw_codec;`; the default is the envelope.
template <protocol P>
struct codec_of {
    using type = envelope_codec;
};
template <protocol P>
    requires requires { typename P::codec; }
struct codec_of<P> {
    using type = typename P::codec;
};
template <protocol P>
using codec_t = typename codec_of<P>::type;

template <class Codec>
struct wire_of;
template <>
struct wire_of<envelope_codec> {
    using type = envelope_wire;
};
template <>
struct wire_of<raw_codec> {
    using type = raw_wire;
};
// The codec's implementation: its initiator's `exchange<P>` and its responder's `decoded<P>`,
// `decode_request` and `encode_response`.
template <protocol P>
using wire_t = typename wire_of<codec_t<P>>::type;

template <class P>
consteval bool check_codec() noexcept {
    using codec = codec_t<P>;
    if constexpr (!detail::is_same_v<codec, envelope_codec> &&
                  !detail::is_same_v<codec, raw_codec>) {
        static_assert(detail::is_same_v<codec, envelope_codec> ||
                          detail::is_same_v<codec, raw_codec>,
                      "kshake: a protocol's codec must be kshake::envelope_codec or "
                      "kshake::raw_codec");
        return false;
    } else if constexpr (detail::is_same_v<codec, raw_codec> &&
                         (!detail::is_same_v<request_t<P>, raw_arguments> ||
                          !detail::is_same_v<response_t<P>, raw_arguments>)) {
        static_assert(detail::is_same_v<request_t<P>, raw_arguments> &&
                          detail::is_same_v<response_t<P>, raw_arguments>,
                      "kshake: a raw_codec protocol must use kshake::raw_arguments as both its "
                      "request and its response");
        return false;
    } else {
        return true;
    }
}

} // namespace kshake::detail
// ---- end kshake/detail/codec.hpp ---------------------------------------------------------------

// ---- begin kshake/detail/negotiation.hpp -------------------------------------------------------
// kshake/detail/negotiation.hpp — the initiator's machinery (kshake/initiator.hpp): the checks
// of a negotiate or negotiate_first call, the trace report of an offer, and negotiate_first's
// offers one by one.

// ---- begin kshake/trace.hpp --------------------------------------------------------------------
// kshake::trace — why a negotiation went as it did, on both sides: an opt-in hook that sees each
// offer an initiator makes and each request a responder answers. No heap, no exceptions;
// without a hook the generated code is what it would be without this header.

namespace kshake {

// "check 5 of wire.md 2.3: the request's version is in no route's range" and so on; never null.
[[nodiscard]] constexpr const char* check_name(request_check c) noexcept {
    return detail::name_of(c);
}

// "rule R4 of wire.md 2.5: the response size is not envelope_size<response>" and so on; never null.
[[nodiscard]] constexpr const char* rule_name(answer_rule r) noexcept { return detail::name_of(r); }

// What an initiator reports for each offer it sends (negotiate: one, index 0; negotiate_first:
// one per offer sent, in order).
struct offer_event {
    size_t index; // the offer's position among negotiate_first's offers
    guid protocol_id; // what In.ProtocolId carried
    const char* protocol_name; // protocol_name<P>(): "" when the protocol has none
    uint32_t version; // the version offered
    ntstatus transport_status; // what the transport returned
    ntstatus status; // the offer's outcome: success, the refusal, or a protocol error
    answer_rule broken_rule; // for a success answer that broke §2.5, which rule
};

inline constexpr size_t no_route = ~size_t{0};

// What a responder reports for each request it answers.
struct request_event {
    // In.ProtocolId as far as the responder read it (docs/wire.md §2.3, check 3): its first
    // protocol_id_bytes bytes (16 once bytes 8-15 were read: the id matched, or was refused on
    // them; 8 when bytes 0-7 alone refused it; 0 before check 3), the rest zero.
    guid protocol_id;
    size_t route; // the route that served or refused it, or no_route
    const char* protocol_name; // that route's protocol_name<P>(), "" when none
    uint32_t version; // the request's version, once read (0 before check 5)
    request_check refused_by; // the check that refused it, or none
    ntstatus handler_status; // what the handler returned (success when it did not run)
    ntstatus status; // what the responder answered
    uint8_t protocol_id_bytes; // how many of protocol_id's bytes are In's: 0, 8 or 16
};

// A trace hook: callable with each kind of event, noexcept. It runs on the negotiating thread, at
// PASSIVE_LEVEL in a driver, inside the handshake: it must not block long or negotiate itself.
template <class H>
concept trace_hook = requires(H& h, const offer_event& o, const request_event& r) {
    { h(o) } noexcept;
    { h(r) } noexcept;
};

// A transport that reports each offer to a hook: negotiate(traced(transport, hook), ...). It
// holds the hook by reference, and the transport by reference when given an lvalue or by value
// when given a temporary (traced(kshake::mock::connected_pin(pin), hook) can be kept).
template <class Transport, class Hook>
struct traced_transport {
    // References (the transport when given an lvalue) are the point: it lives for one call.
    Transport transport; // NOLINT(cppcoreguidelines-avoid-const-or-ref-data-members)
    Hook& hook; // NOLINT(cppcoreguidelines-avoid-const-or-ref-data-members)

    auto operator()(const handshake& in, handshake& out) noexcept(noexcept(transport(in, out)))
        -> decltype(transport(in, out)) {
        return transport(in, out);
    }
    auto operator()(const handshake& in, handshake& out) const
        noexcept(noexcept(transport(in, out))) -> decltype(transport(in, out)) {
        return transport(in, out);
    }
};

template <class Transport, trace_hook Hook>
[[nodiscard]] constexpr traced_transport<Transport, Hook> traced(Transport&& transport,
                                                                 Hook& hook) noexcept {
    return {static_cast<Transport&&>(transport), hook};
}

// A line of text for an event, for a log: no heap, at most trace_string::capacity characters.
struct trace_string {
    static constexpr size_t capacity = 255;
    char text[capacity + 1];
    size_t length;

    [[nodiscard]] constexpr const char* c_str() const noexcept { return text; }
    [[nodiscard]] constexpr const char* data() const noexcept { return text; }
    [[nodiscard]] constexpr size_t size() const noexcept { return length; }
};

} // namespace kshake

// The text writer, the traced-transport test and the responder's record, which name the types
// above.
// ---- begin kshake/detail/trace_parts.hpp -------------------------------------------------------
// kshake/detail/trace_parts.hpp — what kshake/trace.hpp is built from: the writer behind
// to_string's lines, the test that tells a traced transport, and the record a responder fills
// for its request_event.
//
// Part of kshake/trace.hpp, which includes it after the event and string types and before
// to_string; not a header to include on its own.

namespace kshake::detail {

// to_string's line: appends until trace_string::capacity, then drops the rest.
struct trace_writer {
    trace_string s{};

    constexpr void put(const char* text) noexcept {
        for (size_t i = 0; text[i] != '\0' && s.length < trace_string::capacity; ++i) {
            s.text[s.length++] = text[i];
        }
    }
    constexpr void put_number(uint64_t value) noexcept {
        char digits[21]{'0'};
        size_t n = value == 0U ? 1 : 0;
        for (; value != 0U; value /= 10U) {
            digits[n++] = static_cast<char>('0' + (value % 10U));
        }
        char text[21]{};
        for (size_t i = 0; i < n; ++i) {
            text[i] = digits[n - 1 - i];
        }
        put(text);
    }
    constexpr void put_name(const char* name) noexcept {
        if (name != nullptr && name[0] != '\0') {
            put(" \"");
            put(name);
            put("\"");
        }
    }
};

// Whether negotiate's transport came from traced(), so that it reports each offer to its hook.
template <class T>
inline constexpr bool is_traced_transport = false;
template <class Transport, class Hook>
inline constexpr bool is_traced_transport<traced_transport<Transport, Hook>> = true;

// The trace of a request, carried through a responder's one serving sequence
// (detail/serve_route.hpp): a plain responder passes none, so its calls are empty folds and compile
// to nothing.
struct request_trace {
    request_event event{guid{},          no_route,        "", 0, request_check::none,
                        status::success, status::success, 0};
    void read_id(size_t offset, uint64_t half) noexcept {
        copy_bytes(reinterpret_cast<unsigned char*>(&event.protocol_id) + offset, &half,
                   sizeof half);
        event.protocol_id_bytes = static_cast<uint8_t>(offset + sizeof half);
    }
    constexpr void route(size_t index, const char* name) noexcept {
        event.route = index;
        event.protocol_name = name;
    }
    constexpr void version(uint32_t v) noexcept { event.version = v; }
    constexpr void refused(request_check c) noexcept { event.refused_by = c; }
    constexpr void handled(ntstatus s) noexcept {
        event.handler_status = s;
        if (!nt_success(s)) {
            event.refused_by = request_check::handler;
        }
    }
};

} // namespace kshake::detail
// ---- end kshake/detail/trace_parts.hpp ---------------------------------------------------------

namespace kshake {

// "offer 1 {id} "name" v2: STATUS_REVISION_MISMATCH (refused)" and the like.
[[nodiscard]] constexpr trace_string to_string(const offer_event& e) noexcept {
    detail::trace_writer w;
    w.put("kshake offer ");
    w.put_number(e.index);
    w.put(" ");
    w.put(to_string(e.protocol_id).c_str());
    w.put_name(e.protocol_name);
    w.put(" v");
    w.put_number(e.version);
    w.put(": ");
    w.put(to_string(e.status).c_str());
    if (e.status == status::success) {
        w.put(" (agreed)");
    } else if (e.broken_rule != answer_rule::none) {
        w.put(" (the peer answered ");
        w.put(to_string(e.transport_status).c_str());
        w.put(" but broke ");
        w.put(rule_name(e.broken_rule));
        w.put(")");
    } else if (e.transport_status == e.status) {
        w.put(" (refused)");
    }
    return w.s;
}

// "request {id} v3 route 1 "name": STATUS_REVISION_MISMATCH (check 5 ...)" and the like.
[[nodiscard]] constexpr trace_string to_string(const request_event& e) noexcept {
    detail::trace_writer w;
    w.put("kshake request ");
    guid_string id = to_string(e.protocol_id);
    if (e.protocol_id_bytes == 8U) {
        // Bytes 8-15 (the registry form's last two groups) were not read: "????".
        for (size_t i = 20; i + 1 < guid_registry_length; ++i) {
            id.text[i] = id.text[i] == '-' ? '-' : '?';
        }
    }
    w.put(id.c_str());
    if (e.version != 0U) {
        w.put(" v");
        w.put_number(e.version);
    }
    if (e.route != no_route) {
        w.put(" route ");
        w.put_number(e.route);
        w.put_name(e.protocol_name);
    }
    w.put(": ");
    w.put(to_string(e.status).c_str());
    if (e.refused_by != request_check::none) {
        w.put(" (");
        w.put(check_name(e.refused_by));
        w.put(")");
    } else if (e.handler_status != status::success) {
        w.put(" (the handler returned ");
        w.put(to_string(e.handler_status).c_str());
        w.put(")");
    }
    return w.s;
}

} // namespace kshake
// ---- end kshake/trace.hpp ----------------------------------------------------------------------

// ---- begin kshake/detail/protocol_check.hpp ----------------------------------------------------
// kshake/detail/protocol_check.hpp — kshake::payload's and kshake::protocol's rules checked one
// at a time at compile time, each with a message a driver writer can act on
// (kshake/protocol.hpp; called by the initiator's and the responder's checks).

namespace kshake::detail {

// The rules of kshake::payload and kshake::protocol, one at a time, each with a message a driver
// writer can act on. Each failing branch stops the chain so that one mistake gives one error.
template <class T>
consteval bool check_payload() noexcept {
    if constexpr (detail::is_reference_v<T>) {
        static_assert(!detail::is_reference_v<T>,
                      "kshake: a payload must be a struct type, not a reference: write "
                      "`using request = my_struct;` (kshake passes it by reference itself)");
        return false;
    } else if constexpr (detail::is_pointer_v<T>) {
        static_assert(!detail::is_pointer_v<T>,
                      "kshake: a payload must be a struct, not a pointer: put the pointer in a "
                      "struct, or use kshake::raw_codec for interface pointers");
        return false;
    } else if constexpr (!detail::is_class_v<T>) {
        static_assert(detail::is_class_v<T>,
                      "kshake: a payload must be a struct (wrap the value in a struct)");
        return false;
    } else if constexpr (!detail::complete_type<T>) {
        static_assert(detail::complete_type<T>,
                      "kshake: a payload must be a complete type: define the struct, not only "
                      "declare it, before the protocol is used");
        return false;
    } else if constexpr (detail::is_const_v<T> || detail::is_volatile_v<T>) {
        static_assert(!detail::is_const_v<T> && !detail::is_volatile_v<T>,
                      "kshake: a payload type must not be const or volatile: name the plain "
                      "struct (the handler's signature adds the const)");
        return false;
    } else if constexpr (!detail::is_trivially_copyable_v<T>) {
        static_assert(detail::is_trivially_copyable_v<T>,
                      "kshake: a payload must be trivially copyable (no user-defined copy, move "
                      "or destructor): it is copied byte for byte between drivers");
        return false;
    } else if constexpr (!detail::copy_assignable<T>) {
        static_assert(detail::copy_assignable<T>,
                      "kshake: a payload must be assignable (no const or reference members): it "
                      "is copied into and out of envelopes; drop the const, or hold a pointer "
                      "instead of a reference");
        return false;
    } else if constexpr (!detail::is_trivial_v<T>) {
        static_assert(detail::is_trivial_v<T>,
                      "kshake: a payload must be a plain C struct with a trivial default "
                      "constructor (no constructors, no default member initialisers)");
        return false;
    } else if constexpr (!detail::is_standard_layout_v<T>) {
        static_assert(detail::is_standard_layout_v<T>,
                      "kshake: a payload must be standard layout (a plain C struct: no virtual "
                      "functions, one access level, no base classes with data)");
        return false;
    } else if constexpr (!detail::has_unique_object_representations_v<T> &&
                         !detail::is_empty_v<T>) {
        static_assert(detail::has_unique_object_representations_v<T> || detail::is_empty_v<T>,
                      "kshake: a payload must have no implicit padding: every byte of it crosses "
                      "the wire, so padding would carry whatever the sender's stack held. Add "
                      "explicit reserved fields where the compiler pads (e.g. `kshake::uint8_t "
                      "reserved[3];` after a byte before a 32-bit member) and set them to zero. "
                      "A float or double member is refused too (equal values may differ in "
                      "bits): carry it as an integer (fixed point) or its bits in a "
                      "kshake::uint32_t / uint64_t");
        return false;
    } else if constexpr (sizeof(T) > max_payload_size) {
        static_assert(sizeof(T) <= max_payload_size,
                      "kshake: a payload must be at most kshake::max_payload_size bytes "
                      "(KSHAKE_MAX_PAYLOAD_SIZE: 256 in kernel mode, 2048 in user mode): "
                      "envelopes live on the kernel stack; pass a pointer to a larger buffer in "
                      "the payload instead");
        return false;
    } else if constexpr (alignof(T) > max_payload_alignment) {
        static_assert(alignof(T) <= max_payload_alignment,
                      "kshake: a payload must be aligned to at most 8 bytes (the envelope body "
                      "sits at byte 8): remove the alignas or the over-aligned member");
        return false;
    } else {
        return true;
    }
}

// The type of a member from its address (a pointer, or a pointer to member when non-static).
// Asked through &P::id rather than decltype(P::id): clang 19 crashes on the latter, after its
// first error, when the id was initialised from a plain string.
template <class T>
struct addressed_type {
    using type = void;
};
template <class T>
struct addressed_type<T*> {
    using type = T;
};
template <class T, class C>
struct addressed_type<T C::*> {
    using type = T;
};
template <class P>
concept id_is_a_guid = requires {
    requires detail::is_same_v<detail::remove_cv_t<typename addressed_type<decltype(&P::id)>::type>,
                               guid>;
};

// Request and response are checked by two names so that the instantiation notes say which one
// is wrong.
template <class P>
consteval bool check_request_payload() noexcept {
    return check_payload<typename P::request>();
}
template <class P>
consteval bool check_response_payload() noexcept {
    return check_payload<typename P::response>();
}

template <class P>
consteval bool check_protocol_rules() noexcept {
    if constexpr (!detail::is_class_v<P>) {
        static_assert(detail::is_class_v<P>,
                      "kshake: not a protocol: a protocol is a struct with `static constexpr "
                      "kshake::guid id`, `using request = ...;` and `using response = ...;`");
        return false;
    } else if constexpr (!detail::complete_type<P>) {
        static_assert(detail::complete_type<P>,
                      "kshake: a protocol must be a complete type: define the struct, not only "
                      "declare it, before it is used");
        return false;
    } else if constexpr (hides_a_member<P>) {
        static_assert(!hides_a_member<P>,
                      "kshake: a protocol's members must be public: kshake cannot read a private "
                      "id, request, response, version, min_version or codec (declare the protocol "
                      "as a `struct`, or add `public:`)");
        return false;
    } else if constexpr (!requires { P::id; }) {
        static_assert(
            requires { P::id; }, "kshake: a protocol needs `static constexpr kshake::guid id = "
                                 "\"...\"_guid;`");
        return false;
    } else if constexpr (!id_is_a_guid<P>) {
        static_assert(id_is_a_guid<P>,
                      "kshake: a protocol's id must be a kshake::guid: write `static constexpr "
                      "kshake::guid id = \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"_guid;`");
        return false;
    } else if constexpr (!has_id<P>) {
        static_assert(has_id<P>,
                      "kshake: a protocol's id must be a compile-time constant: declare it "
                      "`static constexpr kshake::guid id = ...;` (route tables are built from it)");
        return false;
    } else if constexpr (!has_non_nil_id<P>) {
        static_assert(has_non_nil_id<P>,
                      "kshake: a protocol's id must not be the nil GUID (GUID_NULL): an initiator "
                      "starts Out zeroed, so a peer that answers without writing Out would seem "
                      "to name it; create a GUID of your own (uuidgen)");
        return false;
    } else if constexpr (!requires { typename P::request; }) {
        static_assert(
            requires { typename P::request; },
            "kshake: a protocol needs `using request = <payload struct>;`");
        return false;
    } else if constexpr (!requires { typename P::response; }) {
        static_assert(
            requires { typename P::response; },
            "kshake: a protocol needs `using response = <payload struct>;`");
        return false;
    } else if constexpr (!check_request_payload<P>()) {
        return false;
    } else if constexpr (!check_response_payload<P>()) {
        return false;
    } else if constexpr (requires { P::version; } && !declares_version<P>) {
        static_assert(declares_version<P>,
                      "kshake: a protocol's version must be a `static constexpr kshake::uint32_t` "
                      "(std::uint32_t; ULONG in driver code), a non-negative constant");
        return false;
    } else if constexpr (requires { P::min_version; } && !declares_min_version<P>) {
        static_assert(declares_min_version<P>,
                      "kshake: a protocol's min_version must be a `static constexpr "
                      "kshake::uint32_t` (std::uint32_t; ULONG in driver code), a non-negative "
                      "constant");
        return false;
    } else if constexpr (min_version_of<P>() == 0) {
        static_assert(min_version_of<P>() != 0,
                      "kshake: protocol versions start at 1 (0 never appears on the wire): set "
                      "version and min_version to 1 or more");
        return false;
    } else if constexpr (min_version_of<P>() > version_of<P>()) {
        static_assert(min_version_of<P>() <= version_of<P>(),
                      "kshake: a protocol's min_version must not exceed its version: version is "
                      "the newest version spoken, min_version the oldest still served");
        return false;
    } else {
        return true;
    }
}

// The rules above, for P and, through at_version<P, V>, for the protocol it wraps first: a
// mistake in P is reported with P's own message.
template <class P>
consteval bool check_protocol() noexcept {
    if constexpr (is_at_version<P>) {
        if constexpr (!check_protocol<typename wrapped_protocol<P>::type>()) {
            return false;
        } else {
            return check_protocol_rules<P>();
        }
    } else {
        return check_protocol_rules<P>();
    }
}

} // namespace kshake::detail
// ---- end kshake/detail/protocol_check.hpp ------------------------------------------------------

namespace kshake::detail {
// request_t<P> when P has one, so that a bad P reaches check_protocol's messages instead of a
// "no matching function" error: the placeholder accepts any argument.
struct not_a_protocol_request {
    not_a_protocol_request() = default;
    template <class T>
    constexpr not_a_protocol_request(const T&) noexcept {}
};
template <class P>
struct request_or_placeholder {
    using type = not_a_protocol_request;
};
template <class P>
    requires requires { typename P::request; }
struct request_or_placeholder<P> {
    using type = typename P::request;
};
template <class P>
using request_or_placeholder_t = typename request_or_placeholder<P>::type;

template <class P>
struct response_or_placeholder {
    using type = not_a_protocol_request;
};
template <class P>
    requires requires { typename P::response; }
struct response_or_placeholder<P> {
    using type = typename P::response;
};
template <class P>
using response_or_placeholder_t =
    detail::conditional_t<protocol<P>, typename response_or_placeholder<P>::type,
                          not_a_protocol_request>;

// What first_result is instantiated with when the offers are not all protocols, so that
// negotiate_first's return type does not fail before check_offers can say why.
struct not_a_protocol {
    static constexpr guid id{
        0x6B736861U, 0x656B, 0x6E6F, {0x74, 0x61, 0x70, 0x72, 0x6F, 0x74, 0x6F, 0x63}};
    using request = not_a_protocol_request;
    using response = not_a_protocol_request;
};
template <class... Ps>
struct first_result_for {
    using type = first_result<not_a_protocol>;
};
template <protocol... Ps>
    requires(sizeof...(Ps) != 0)
struct first_result_for<Ps...> {
    using type = first_result<Ps...>;
};
template <class... Ps>
using first_result_t = typename first_result_for<Ps...>::type;

// Always false; named in the static_assert of a call whose requests do not fit, so that the
// protocols and the request types given show in the error.
template <class Protocol, class Request>
inline constexpr bool request_type_matches_protocol = false;
template <class... ProtocolsThenRequests>
inline constexpr bool one_request_per_offer_in_order = false;

// A request argument is the protocol's own request type, exactly: a struct derived from it
// would bind to `const P::request&` and lose its extra members on the wire without a word.
// (The placeholder of a non-protocol takes anything, so that the protocol's message comes.)
template <class Request, class Expected>
inline constexpr bool request_fits =
    is_same_v<Expected, not_a_protocol_request> || is_same_v<remove_cv_t<Request>, Expected>;

template <class... Ps>
struct offered_requests {
    template <class... Requests>
    static consteval bool fit() noexcept {
        if constexpr (sizeof...(Requests) != sizeof...(Ps)) {
            return false;
        } else {
            return (request_fits<Requests, request_or_placeholder_t<Ps>> && ...);
        }
    }
};

// Tells a traced transport's hook how an offer ended. Called only under `if constexpr
// (has_trace_hook<Transport>)`: without a hook not even an empty function is instantiated (a debug
// build would give it a stack frame; docs/driver.md, "Stack usage").
template <class Transport>
inline constexpr bool has_trace_hook = is_traced_transport<remove_cvref_t<Transport>>;

template <class P, class Transport, class Exchange>
void report_offer(Transport& transport, size_t index, const Exchange& exchange,
                  const handshake& out, ntstatus transport_status, ntstatus outcome) noexcept {
    answer_rule rule = answer_rule::none;
    if (transport_status == status::success) {
        if (outcome != status::success) {
            rule = exchange.broken_rule(out);
        }
    } else if (nt_success(transport_status)) {
        rule = answer_rule::status_code;
    }
    transport.hook(offer_event{index, P::id, protocol_name<P>(), version_v<P>, transport_status,
                               outcome, rule});
}

template <class P, class T>
consteval bool check_negotiation() noexcept {
    // NOLINTNEXTLINE(bugprone-branch-clone): apart, so a bad P never instantiates check_codec
    if constexpr (!check_protocol<P>()) {
        return false;
    } else if constexpr (!check_codec<P>()) {
        return false;
    } else {
        return check_transport<T>();
    }
}

template <class... Ps>
consteval bool offers_are_distinct() noexcept {
    constexpr guid ids[] = {Ps::id...};
    constexpr uint32_t versions[] = {version_v<Ps>...};
    for (size_t i = 0; i < sizeof...(Ps); ++i) {
        for (size_t j = i + 1; j < sizeof...(Ps); ++j) {
            if (ids[i] == ids[j] && versions[i] == versions[j]) {
                return false;
            }
        }
    }
    return true;
}

// check_codec only for a protocol, so that a bad offer gives one error, not two.
template <class P>
consteval bool check_offer() noexcept {
    if constexpr (!check_protocol<P>()) {
        return false;
    } else {
        return check_codec<P>();
    }
}

template <class... Ps>
consteval bool check_offers() noexcept {
    if constexpr (sizeof...(Ps) == 0) {
        static_assert(sizeof...(Ps) != 0,
                      "kshake: negotiate_first needs at least one protocol: "
                      "negotiate_first<P1, P2, ...>(transport, request1, request2, ...)");
        return false;
    } else if constexpr (!(check_offer<Ps>() && ...)) {
        return false;
    } else if constexpr (!offers_are_distinct<Ps...>()) {
        static_assert(offers_are_distinct<Ps...>(),
                      "kshake: negotiate_first offers the same protocol at the same version "
                      "twice; offer each (id, version) once, e.g. at_version<P, 2> then "
                      "at_version<P, 1>");
        return false;
    } else {
        return true;
    }
}

// Makes the I-th offer and writes its outcome into `outcome`: true when the negotiation ends
// there, because the peer accepted the offer or broke the wire rules answering it.
// Each offer is its own call, so its envelopes are dead before the next offer is made and the
// stack a negotiate_first needs does not grow with the number of offers (a recursive search
// kept every refused offer's envelopes alive: 2 payloads of stack more per offer; docs/driver.md,
// "Stack usage"). A valid envelope answer is copied once, from the envelope into the outcome.
template <size_t I, class... Ps, class Transport, class... Requests>
[[nodiscard]] bool make_offer(first_result<Ps...>& outcome, Transport& transport,
                              const Requests&... requests) noexcept {
    using P = pack_element_t<I, Ps...>;
    typename wire_t<P>::template exchange<P> exchange{pack_value<I>(requests...)};
    // The peer may write `out` and still fail; only a success lets the answer be read.
    handshake out{};
    const auto s = static_cast<ntstatus>(transport(exchange.offer(), out));
    if (s != status::success) {
        ntstatus failure = s; // as in negotiate
        if (s >= 0) [[unlikely]] {
            failure = status::device_protocol_error;
        }
        first_result_access::refuse(outcome, I, failure);
        if constexpr (has_trace_hook<Transport>) {
            report_offer<P>(transport, I, exchange, out, s, failure);
        }
        // A broken answer ends the negotiation: the peer may believe it agreed (docs/wire.md §2.5).
        return failure == status::device_protocol_error;
    }
    if (!exchange.answer_is_valid(out)) {
        first_result_access::refuse(outcome, I, status::device_protocol_error);
        if constexpr (has_trace_hook<Transport>) {
            report_offer<P>(transport, I, exchange, out, s, status::device_protocol_error);
        }
        return true;
    }
    first_result_access::accept<I>(outcome, exchange.answer(out), version_v<P>);
    if constexpr (has_trace_hook<Transport>) {
        report_offer<P>(transport, I, exchange, out, s, status::success);
    }
    return true;
}

// The offers in order until one is accepted or answered against the rules; the outcome holds
// the last refusal otherwise.
template <class... Ps, size_t... Is, class Transport, class... Requests>
[[nodiscard]] first_result<Ps...> offer_in_order(index_sequence<Is...>, Transport& transport,
                                                 const Requests&... requests) noexcept {
    // Every path below writes the status, and the statuses that status_of then reads.
    first_result<Ps...> outcome = first_result_access::unwritten<Ps...>();
    static_cast<void>((make_offer<Is>(outcome, transport, requests...) || ...));
    return outcome;
}
} // namespace kshake::detail
// ---- end kshake/detail/negotiation.hpp ---------------------------------------------------------

namespace kshake {

// Offers protocol P once. Success only when the peer accepted *and* its answer obeys the wire
// rules; a peer that breaks them gives status::device_protocol_error.
template <class P, class Transport>
KSHAKE_DETAIL_NODISCARD_RESULT auto
negotiate(Transport&& transport, const detail::request_or_placeholder_t<P>& request) noexcept
    -> result<detail::response_or_placeholder_t<P>> {
    using response_type = detail::response_or_placeholder_t<P>;
    if constexpr (!detail::check_negotiation<P, Transport>()) {
        return result<response_type>{status::invalid_parameter};
    } else {
        // make_offer's steps, with the result built straight from the response envelope: going
        // through a local response and version cost instructions on every negotiation
        // (docs/benchmarks.md, "What the measurements changed in kshake").
        typename detail::wire_t<P>::template exchange<P> exchange{request};
        // The peer may write `out` and still fail; only a success lets the answer be read.
        handshake out{};
        const auto s = static_cast<ntstatus>(transport(exchange.offer(), out));
        if (s != status::success) {
            // A failure status is the peer's refusal, passed on as it is; another success code
            // (STATUS_PENDING, an informational 0x4...) is no answer a synchronous handshake can
            // give: a broken answer (docs/wire.md §2.5). Written out rather than a helper, which
            // a debug build gives a stack frame; as a branch, which clang-19 does not turn into a
            // conditional move on the refusal's path.
            ntstatus failure = s;
            if (s >= 0) [[unlikely]] {
                failure = status::device_protocol_error;
            }
            if constexpr (detail::has_trace_hook<Transport>) {
                detail::report_offer<P>(transport, 0, exchange, out, s, failure);
            }
            return result<response_type>{failure};
        }
        if (!exchange.answer_is_valid(out)) {
            if constexpr (detail::has_trace_hook<Transport>) {
                detail::report_offer<P>(transport, 0, exchange, out, s,
                                        status::device_protocol_error);
            }
            return result<response_type>{status::device_protocol_error};
        }
        if constexpr (detail::has_trace_hook<Transport>) {
            detail::report_offer<P>(transport, 0, exchange, out, s, status::success);
        }
        return result<response_type>{exchange.answer(out), version_v<P>};
    }
}

// A request of another type than P::request (a derived struct included): one message rather
// than "no matching function" or a silently sliced request.
template <class P, class Transport, class Request>
    requires(!detail::request_fits<Request, detail::request_or_placeholder_t<P>>)
KSHAKE_DETAIL_NODISCARD_RESULT auto negotiate(Transport&&, const Request&) noexcept
    -> result<detail::response_or_placeholder_t<P>> {
    // A broken protocol is the first thing to fix (its request type may be what broke).
    if constexpr (detail::check_protocol<P>()) {
        static_assert(detail::request_type_matches_protocol<P, Request>,
                      "kshake: negotiate<P>(transport, request): the request must be a "
                      "P::request, the protocol's own request struct");
    }
    return result<detail::response_or_placeholder_t<P>>{status::invalid_parameter};
}

// Offers P1, then P2, ... in preference order (as ALPN does) and stops at the first the peer
// accepts. A refusal moves on to the next offer; when all are refused the result carries the
// last refusal's status. An offer that ends with STATUS_DEVICE_PROTOCOL_ERROR (a success answer
// that breaks the wire rules, or a transport reporting one) ends the negotiation there.
template <class... Ps, class Transport>
KSHAKE_DETAIL_NODISCARD_FIRST_RESULT detail::first_result_t<Ps...>
negotiate_first(Transport&& transport,
                const detail::request_or_placeholder_t<Ps>&... requests) noexcept {
    if constexpr (detail::check_offers<Ps...>() && detail::check_transport<Transport>()) {
        return detail::offer_in_order<Ps...>(detail::index_sequence_for<Ps...>{}, transport,
                                             requests...);
    } else {
        return detail::first_result_t<Ps...>{status::invalid_parameter};
    }
}

// Requests that do not match the offers one for one: one message rather than "no matching
// function".
template <class... Ps, class Transport, class... Requests>
    requires(!detail::offered_requests<Ps...>::template fit<Requests...>())
KSHAKE_DETAIL_NODISCARD_FIRST_RESULT detail::first_result_t<Ps...>
negotiate_first(Transport&&, const Requests&...) noexcept {
    if constexpr (detail::check_offers<Ps...>()) {
        static_assert(detail::one_request_per_offer_in_order<Ps..., Requests...>,
                      "kshake: negotiate_first<P1, P2, ...>(transport, request1, request2, ...) "
                      "takes one request per offered protocol, in the same order, each that "
                      "protocol's P::request");
    }
    return detail::first_result_t<Ps...>{status::invalid_parameter};
}

} // namespace kshake
// ---- end kshake/initiator.hpp ------------------------------------------------------------------

// ---- begin kshake/responder.hpp ----------------------------------------------------------------
// kshake::responder — the receiving pin's side: a compile-time table from protocol id to a
// typed handler, exposed as a PFNKSPINHANDSHAKE-shaped function.

// ---- begin kshake/detail/dispatch.hpp ----------------------------------------------------------
// kshake/detail/dispatch.hpp — how a responder finds what serves In's id (check 3 of
// docs/wire.md §2.3). A strategy is a type with one `find(context, in, out, trace...)`: it copies
// the id's bytes 0-7, its bytes 8-15 only once bytes 0-7 are those of one of its ids (or when its
// key is made of both halves), tells the trace each copy, and enters the matched id's entry or
// refuses. A strategy works on a list of ids (Ids, below); first_halves is a list of its own, so
// that ids sharing their bytes 0-7 are found through the same two strategies.
//
// find enters the entry itself rather than returning it, which the caller would have to test or
// call through a pointer on every negotiation (docs/benchmarks.md, "kshake's dispatch"). It is
// always inlined into the responder's dispatch, so an unoptimised build has no frame more for it;
// first_halves' compare of bytes 8-15 is a function of its own, one frame more in an unoptimised
// build (docs/driver.md, "Stack usage").

// ---- begin kshake/detail/route_groups.hpp ------------------------------------------------------
// A responder's routes grouped by protocol id: one id may be served by several routes, each for
// its own version range (typed versions, docs/wire.md §3). Computed at compile time.

// ---- begin kshake/detail/route_table.hpp -------------------------------------------------------
// A perfect hash from protocol id to route index, built at compile time.

namespace kshake::detail {

// A 64-bit fold of an id, for compile-time grouping (route_groups.hpp).
[[nodiscard]] constexpr uint64_t fold_guid(const guid& g, uint64_t multiplier) noexcept {
    const auto h = detail::bit_cast<guid_halves>(g);
    return h.low ^ (h.high * multiplier);
}

[[nodiscard]] constexpr unsigned bits_for(size_t n) noexcept {
    unsigned bits = 1;
    while ((size_t{1} << bits) < n) {
        ++bits;
    }
    return bits;
}

inline constexpr uint64_t bucket_multiplier = 0x9E3779B97F4A7C15ULL;
inline constexpr uint64_t fold_multipliers[] = {0xFF51AFD7ED558CCDULL, 0xC4CEB9FE1A85EC53ULL,
                                                0x94D049BB133111EBULL, 0xBF58476D1CE4E5B9ULL};

// The key a lookup hashes: the id's first 8 bytes (`fold` 0), both halves xored (1), or the
// second half multiplied in (2 on, fold_multipliers[fold - 2]); the cheapest that tells the ids
// apart is chosen when the table is built, so at run time `fold` is a constant.
[[nodiscard]] constexpr uint64_t route_key(unsigned fold, uint64_t low, uint64_t high) noexcept {
    return fold == 0 ? low : fold == 1 ? low ^ high : low ^ (high * fold_multipliers[fold - 2]);
}
inline constexpr unsigned route_key_folds =
    2 + (sizeof fold_multipliers / sizeof fold_multipliers[0]);

// The k-th odd multiplier. A narrow one is a sign-extended 32-bit immediate, so that x86-64
// multiplies by it with one `imul reg, reg, imm32` (a wide one needs a `movabs` first); but its
// product moves the top bits little for keys that differ only in their low bits (sequential
// ids), so the table falls back to wide multipliers when no narrow one places the keys.
[[nodiscard]] constexpr uint64_t route_multiplier(uint32_t k, bool wide) noexcept {
    uint64_t z = (uint64_t{k} + 1U) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    z = (z ^ (z >> 31U)) | 1U;
    if (wide) {
        return z;
    }
    const uint64_t narrow = z & 0xFFFFFFFFU;
    return (narrow & 0x80000000U) != 0 ? narrow | 0xFFFFFFFF00000000ULL : narrow; // sign-extended
}

// Hash and displace with one multiply (Pagh's h(x) = f(x) + d[g(x)] mod m): the product of an
// id's key and the multiplier picks a bucket by its low byte, and the id's slot is the product's
// top bits plus the bucket's displacement. Every key of a bucket moves by the same displacement,
// chosen so that all of them land in free slots. A lookup is a multiply, a byte extract, an add
// of a table word and a shift, then one compare at the slot, whatever the number of routes
// (up to single_level_limit routes, no buckets: a multiply and a shift). The displacement is
// kept shifted into the top bits, so the shift wraps it and no mask is needed.
// A sorted table would cost log2(N) compares, which the flat-dispatch target forbids.
template <size_t N>
struct route_table {
    static_assert(N >= 2 && N < 65535, "kshake: a responder holds 1 to 65534 routes");
    static constexpr size_t single_level_limit = 16;
    static constexpr bool single_level = N <= single_level_limit;
    // Single level: at least 8 slots a route, so that a multiplier without collisions is quick
    // to find. Two levels: 2 slots a route (load 1/2) and 256 buckets, the product's low byte
    // (one `movzx`); beyond 4096 routes, N/16 buckets by mask.
    static constexpr unsigned slot_bits = bits_for(N) + (single_level ? 3U : 1U);
    static constexpr size_t slots = size_t{1} << slot_bits;
    static constexpr size_t buckets =
        single_level ? 1 : (N <= 4096 ? 256 : (size_t{1} << (bits_for(N) - 4U)));
    static constexpr uint16_t empty = static_cast<uint16_t>(N);

    unsigned fold{};
    uint64_t multiplier{};
    uint64_t displacement[buckets]{};
    uint16_t route_at[slots]{};
    bool built{false};

    // From the product rather than the key: the same partition (an odd multiplier permutes the
    // low byte), but g++ 12 then keeps the pin's context in its argument register across the
    // lookup instead of moving it.
    [[nodiscard]] static constexpr size_t bucket_of(uint64_t product) noexcept {
        if constexpr (buckets == 256) {
            return static_cast<uint8_t>(product);
        } else {
            return static_cast<size_t>(product & (buckets - 1));
        }
    }
    [[nodiscard]] static constexpr size_t slot_of(uint64_t product,
                                                  uint64_t displacement) noexcept {
        return static_cast<size_t>((product + displacement) >> (64U - slot_bits));
    }
};

enum class placement { placed, retry, keys_collide };

// Places the keys under one multiplier: retry when a bucket finds no free displacement, or when
// two keys of a bucket share their top bits (no displacement parts them); keys_collide when two
// keys are equal, which no multiplier parts.
template <size_t N>
// NOLINTNEXTLINE(readability-function-cognitive-complexity): compile-time only; one pass
consteval placement place_routes(route_table<N>& t, const uint64_t (&keys)[N]) noexcept {
    using table = route_table<N>;
    for (size_t s = 0; s < table::slots; ++s) {
        t.route_at[s] = table::empty;
    }
    uint64_t product[N]{};
    for (size_t i = 0; i < N; ++i) {
        product[i] = keys[i] * t.multiplier;
    }
    if constexpr (table::single_level) {
        for (size_t i = 0; i < N; ++i) {
            const size_t slot = table::slot_of(product[i], 0);
            if (t.route_at[slot] != table::empty) {
                return keys[t.route_at[slot]] == keys[i] ? placement::keys_collide
                                                         : placement::retry;
            }
            t.route_at[slot] = static_cast<uint16_t>(i);
        }
        return placement::placed;
    } else {
        // Counting sort of the routes by bucket, then the fullest buckets first, while the
        // table is emptiest.
        size_t start[table::buckets + 1]{};
        for (size_t i = 0; i < N; ++i) {
            ++start[table::bucket_of(product[i]) + 1];
        }
        size_t largest = 0;
        for (size_t b = 0; b < table::buckets; ++b) {
            largest = start[b + 1] > largest ? start[b + 1] : largest;
            start[b + 1] += start[b];
        }
        size_t order[N]{};
        size_t fill[table::buckets]{};
        for (size_t i = 0; i < N; ++i) {
            const size_t b = table::bucket_of(product[i]);
            order[start[b] + fill[b]++] = i;
        }
        constexpr unsigned shift = 64U - table::slot_bits;
        // Keys of one bucket with the same top bits: no displacement parts them, so give up on
        // this multiplier now (equal keys: on this fold).
        for (size_t b = 0; b < table::buckets; ++b) {
            for (size_t k = start[b]; k < start[b + 1]; ++k) {
                for (size_t j = start[b]; j < k; ++j) {
                    if (product[order[j]] >> shift == product[order[k]] >> shift) {
                        return keys[order[j]] == keys[order[k]] ? placement::keys_collide
                                                                : placement::retry;
                    }
                }
            }
        }
        for (size_t size = largest; size > 0; --size) {
            for (size_t b = 0; b < table::buckets; ++b) {
                if (start[b + 1] - start[b] != size) {
                    continue;
                }
                const size_t* const members = order + start[b];
                bool placed = false;
                for (uint64_t d = 0; d < table::slots && !placed; ++d) {
                    const uint64_t shifted = d << shift;
                    size_t k = 0;
                    size_t slot = 0;
                    for (; k < size; ++k) {
                        slot = table::slot_of(product[members[k]], shifted);
                        if (t.route_at[slot] != table::empty) {
                            break;
                        }
                        t.route_at[slot] = static_cast<uint16_t>(members[k]);
                    }
                    if (k == size) {
                        t.displacement[b] = shifted;
                        placed = true;
                    } else {
                        if (keys[t.route_at[slot]] == keys[members[k]]) {
                            return placement::keys_collide;
                        }
                        for (size_t j = 0; j < k; ++j) {
                            t.route_at[table::slot_of(product[members[j]], shifted)] = table::empty;
                        }
                    }
                }
                if (!placed) {
                    return placement::retry;
                }
            }
        }
        return placement::placed;
    }
}

// Builds the table for distinct ids: the cheapest key fold under which the keys are distinct,
// then the first multiplier that places them. `built` is false only if none does (distinct ids
// whose keys are equal under every fold: astronomically unlikely).
template <size_t N>
[[nodiscard]] consteval route_table<N> build_route_table(const guid (&ids)[N]) noexcept {
    using table = route_table<N>;
    for (unsigned fold = 0; fold < route_key_folds; ++fold) {
        uint64_t keys[N]{};
        for (size_t i = 0; i < N; ++i) {
            const auto h = detail::bit_cast<guid_halves>(ids[i]);
            keys[i] = route_key(fold, h.low, h.high);
        }
        // 16 narrow multipliers (each places random ids with a chance of about 1/e, so all 16
        // fail about once in 1600 sets), then wide ones; few enough attempts for clang's
        // constexpr step limit with hundreds of sequential ids, which no narrow one places.
        bool keys_collide = false;
        for (uint32_t k = 0; k < 16U + 256U && !keys_collide; ++k) {
            table t{};
            t.fold = fold;
            t.multiplier = k < 16U ? route_multiplier(k, false) : route_multiplier(k - 16U, true);
            const placement p = place_routes(t, keys);
            if (p == placement::placed) {
                t.built = true;
                return t;
            }
            keys_collide = p == placement::keys_collide;
        }
    }
    return table{};
}

} // namespace kshake::detail
// ---- end kshake/detail/route_table.hpp ---------------------------------------------------------

namespace kshake::detail {

// Routes sharing an id form a group, named by its first route (its leader). The dispatch table
// holds one entry per group, so a lookup costs the same whether an id has one route or several.
template <size_t N>
struct id_groups {
    size_t leader_of[N]{}; // the first route with route i's id
    size_t next[N]{};      // the next route with the same id, or N
    size_t size[N]{};      // for a leader: the routes in its group
    size_t leaders[N]{};   // the leaders, in route order; the first `distinct` are used
    size_t distinct{0};

    // The k-th route (in route order) of the group led by `leader`.
    [[nodiscard]] constexpr size_t member(size_t leader, size_t k) const noexcept {
        size_t at = leader;
        for (size_t i = 0; i < k; ++i) {
            at = next[at];
        }
        return at;
    }
};

template <size_t N>
[[nodiscard]] consteval id_groups<N> group_routes_by_id(const guid (&ids)[N]) noexcept {
    // Equal ids have equal folds; an open-addressed set of folds finds them in O(N).
    constexpr size_t set_size = size_t{1} << (bits_for(N) + 1);
    id_groups<N> g{};
    size_t owner[set_size]{};
    bool used[set_size]{};
    size_t last[N]{}; // for a leader: the group's last route so far
    for (size_t i = 0; i < N; ++i) {
        g.next[i] = N;
        const uint64_t key = fold_guid(ids[i], fold_multipliers[0]);
        size_t at = static_cast<size_t>((key * bucket_multiplier) >> 32U) & (set_size - 1);
        bool found = false;
        while (used[at] && !found) {
            if (same_guid(ids[owner[at]], ids[i])) {
                found = true;
            } else {
                at = (at + 1) & (set_size - 1);
            }
        }
        if (found) {
            const size_t leader = owner[at];
            g.leader_of[i] = leader;
            g.next[last[leader]] = i;
            last[leader] = i;
            ++g.size[leader];
        } else {
            used[at] = true;
            owner[at] = i;
            g.leader_of[i] = i;
            last[i] = i;
            g.size[i] = 1;
            g.leaders[g.distinct++] = i;
        }
    }
    return g;
}

// The first id of each group, in the order of g.leaders: one id per group, as a dispatch
// strategy takes them.
template <size_t Count>
struct leader_ids {
    guid at[Count];
};
template <size_t Count, size_t N>
[[nodiscard]] consteval leader_ids<Count> ids_of_leaders(const guid (&ids)[N],
                                                         const id_groups<N>& g) noexcept {
    leader_ids<Count> l{};
    for (size_t i = 0; i < Count; ++i) {
        l.at[i] = ids[g.leaders[i]];
    }
    return l;
}

// Two routes of one id whose version ranges meet: first < second < N, or first == N when none.
struct route_pair {
    size_t first;
    size_t second;
};

// `lowest` and `highest` are each route's [min_version, version]; a raw-codec route, whose
// requests carry no version, spans every version.
template <size_t N>
[[nodiscard]] consteval route_pair
find_overlapping_versions(const id_groups<N>& g, const uint32_t (&lowest)[N],
                          const uint32_t (&highest)[N]) noexcept {
    for (size_t i = 0; i < N; ++i) {
        for (size_t j = g.next[i]; j != N; j = g.next[j]) {
            if (lowest[i] <= highest[j] && lowest[j] <= highest[i]) {
                return {i, j};
            }
        }
    }
    return {N, N};
}

} // namespace kshake::detail
// ---- end kshake/detail/route_groups.hpp --------------------------------------------------------

// ---- begin kshake/detail/serve_route.hpp -------------------------------------------------------
// kshake/detail/serve_route.hpp — serving a route whose id has matched: decoding, the handler, the
// answer; the routes of one id chosen by version; the entries a responder's dispatch calls.

// ---- begin kshake/detail/handler_check.hpp -----------------------------------------------------
// kshake/detail/handler_check.hpp — a route handler's and a callback's signatures taken apart, each
// part checked with its own kshake: message (responder.hpp).

namespace kshake::detail {

// A handler's signature taken apart, so that check_handler can name the one part that is wrong.
// `known` is false for anything that is neither a function pointer nor a class with a single,
// non-template operator().
template <class F>
struct handler_signature {
    static constexpr bool known = false;
};
template <class R, class... A, bool NoThrow>
struct handler_signature<R (*)(A...) noexcept(NoThrow)> {
    static constexpr bool known = true;
    static constexpr bool is_const = true;
    static constexpr bool is_noexcept = NoThrow;
    static constexpr size_t arity = sizeof...(A);
    using result = R;
    using parameters = type_list<A...>;
};
template <class R, class C, class... A, bool NoThrow>
struct handler_signature<R (C::*)(A...) const noexcept(NoThrow)>
    : handler_signature<R (*)(A...) noexcept(NoThrow)> {};
template <class R, class C, class... A, bool NoThrow>
struct handler_signature<R (C::*)(A...) noexcept(NoThrow)>
    : handler_signature<R (*)(A...) noexcept(NoThrow)> {
    static constexpr bool is_const = false;
};

template <class Handler>
struct handler_signature_of {
    using type = handler_signature<void>;
};
template <class Handler>
    requires(detail::is_pointer_v<Handler> &&
             detail::is_function_v<detail::remove_pointer_t<Handler>>)
struct handler_signature_of<Handler> {
    using type = handler_signature<Handler>;
};
template <class Handler>
    requires(detail::is_class_v<Handler> && requires { &Handler::operator(); })
struct handler_signature_of<Handler> {
    using type = handler_signature<decltype(&Handler::operator())>;
};

// Parameter I of a handler (void past the end), so that a wrong arity cannot hide a type error.
template <size_t I, class List>
struct parameter;
template <size_t I, class... Ts>
struct parameter<I, type_list<Ts...>> : element_or_void<I, Ts...> {};
template <size_t I, class Signature>
using parameter_t = typename parameter<I, typename Signature::parameters>::type;

// A handler's version parameter: std::uint32_t, or the WDK's ULONG (`unsigned long`, 32 bits on
// every Windows target), taken by value.
template <class T>
concept version_parameter =
    (detail::is_same_v<T, unsigned int> || detail::is_same_v<T, unsigned long>) &&
    sizeof(T) == sizeof(uint32_t);

// The handler rule of `route`, one part at a time, each with its own message. The chain stops
// at the first mismatch, so one mistake gives one error.
template <class Handler, class Context, class P>
consteval bool check_handler() noexcept {
    using signature = typename handler_signature_of<Handler>::type;
    using request_type = request_t<P>;
    using response_type = response_t<P>;
    if constexpr (!signature::known) {
        static_assert(signature::known,
                      "kshake: a route's handler must be a function (route<P, my_handler>) or a "
                      "stateless function object with one non-template operator() (e.g. a "
                      "lambda without captures and without auto parameters)");
        return false;
    } else if constexpr (!signature::is_const) {
        static_assert(signature::is_const,
                      "kshake: a function-object handler's operator() must be const: handlers "
                      "are stateless (drop `mutable` from the lambda, or add const)");
        return false;
    } else if constexpr (detail::is_class_v<Handler> && !detail::is_empty_v<Handler>) {
        static_assert(!detail::is_class_v<Handler> || detail::is_empty_v<Handler>,
                      "kshake: a function-object handler must be stateless (no captures, no data "
                      "members): the route holds a compile-time copy, so the state would never "
                      "be the pin's; keep state in the Context");
        return false;
    } else if constexpr (signature::arity != 3 && signature::arity != 4) {
        static_assert(signature::arity == 3 || signature::arity == 4,
                      "kshake: a route's handler takes 3 parameters `(Context&, const "
                      "P::request&, P::response&)` or 4, with `kshake::uint32_t version` last");
        return false;
    } else if constexpr (!detail::is_same_v<parameter_t<0, signature>, Context&> &&
                         !detail::is_same_v<parameter_t<0, signature>, const Context&>) {
        static_assert(detail::is_same_v<parameter_t<0, signature>, Context&>,
                      "kshake: a route handler's first parameter must be `Context&` (or `const "
                      "Context&` for a handler that only reads it), a reference to the "
                      "responder's context type (responder<Context, ...>)");
        return false;
    } else if constexpr (detail::is_same_v<detail::remove_cvref_t<parameter_t<1, signature>>,
                                           request_type> &&
                         !detail::is_same_v<parameter_t<1, signature>, const request_type&>) {
        static_assert(detail::is_same_v<parameter_t<1, signature>, const request_type&>,
                      "kshake: a route handler must take the request as `const P::request&`: "
                      "by reference and const (the request belongs to the initiator)");
        return false;
    } else if constexpr (!detail::is_same_v<parameter_t<1, signature>, const request_type&>) {
        static_assert(detail::is_same_v<parameter_t<1, signature>, const request_type&>,
                      "kshake: a route handler's second parameter must be `const P::request&`, "
                      "the request type of the route's protocol");
        return false;
    } else if constexpr (detail::is_same_v<detail::remove_cvref_t<parameter_t<2, signature>>,
                                           response_type> &&
                         !detail::is_same_v<parameter_t<2, signature>, response_type&>) {
        static_assert(detail::is_same_v<parameter_t<2, signature>, response_type&>,
                      "kshake: a route handler must take the response as `P::response&`: by "
                      "non-const reference (the handler fills it in)");
        return false;
    } else if constexpr (!detail::is_same_v<parameter_t<2, signature>, response_type&>) {
        static_assert(detail::is_same_v<parameter_t<2, signature>, response_type&>,
                      "kshake: a route handler's third parameter must be `P::response&`, the "
                      "response type of the route's protocol");
        return false;
    } else if constexpr (signature::arity == 4 && !version_parameter<parameter_t<3, signature>>) {
        static_assert(signature::arity != 4 || version_parameter<parameter_t<3, signature>>,
                      "kshake: a route handler's fourth parameter, when it has one, must be "
                      "`kshake::uint32_t version` (std::uint32_t; or ULONG, a 32-bit unsigned "
                      "long: the version the initiator spoke)");
        return false;
    } else if constexpr (!status_type<typename signature::result>) {
        static_assert(status_type<typename signature::result>,
                      "kshake: a route's handler must return kshake::ntstatus (or NTSTATUS, a "
                      "32-bit `long`): success lets the response reach the peer, any failure "
                      "status is the peer's answer");
        return false;
    } else if constexpr (!signature::is_noexcept) {
        static_assert(signature::is_noexcept,
                      "kshake: a route's handler must be noexcept: nothing may throw across the "
                      "handshake callback");
        return false;
    } else {
        return true;
    }
}

// A pin pointer whose context kshake can read: KSPIN's `Context` or a `context()` member.
template <class Pin>
concept pin_with_context_member = requires(Pin pin) { static_cast<void*>(pin->Context); };
template <class Pin>
concept pin_with_context_function = requires(Pin pin) { static_cast<void*>(pin->context()); };
template <class Pin>
concept pin_with_context = pin_with_context_member<Pin> || pin_with_context_function<Pin>;

// responder::callback<Pin, Handshake, Status>, checked in its declaration (its return type), so
// that a wrong Pin is reported where `&callback<Pin>` is written, before any conversion of the
// function pointer fails with an unresolved overloaded function type.
template <class Pin, class Handshake, class Status>
consteval bool check_callback() noexcept {
    if constexpr (!detail::is_pointer_v<Pin>) {
        static_assert(detail::is_pointer_v<Pin>,
                      "kshake: responder::callback<Pin>: Pin is the pin's pointer type (PKSPIN, "
                      "kshake::mock::pin*), not the pin itself");
        return false;
    } else if constexpr (!pin_with_context<Pin>) {
        static_assert(pin_with_context<Pin>,
                      "kshake: responder::callback needs a pin pointer with a `Context` member "
                      "(KSPIN) or a `context()` member function (kshake::mock::pin)");
        return false;
    } else if constexpr (!handshake_shaped<Handshake>) {
        static_assert(handshake_shaped<Handshake>,
                      "kshake: the callback's handshake type must have KSHANDSHAKE's layout");
        return false;
    } else if constexpr (!status_type<Status>) {
        static_assert(status_type<Status>,
                      "kshake: the callback's status type must be NTSTATUS or kshake::ntstatus "
                      "(a 32-bit signed integer): callback<PKSPIN, KSHANDSHAKE, NTSTATUS>");
        return false;
    } else {
        return true;
    }
}
template <class Pin, class Handshake, class Status>
using callback_status_t =
    detail::conditional_t<check_callback<Pin, Handshake, Status>(), Status, Status>;

} // namespace kshake::detail
// ---- end kshake/detail/handler_check.hpp -------------------------------------------------------

namespace kshake::detail {

// Serving a route, one sequence for a plain and a traced responder: `trace` is empty (a plain
// responder: every `(trace.x(...), ...)` below is an empty fold and compiles to nothing, and each
// function keeps the signature its table and its tail calls want) or one detail::request_trace,
// which records what the sequence checked. A rule of docs/wire.md §2.3 is kept in one place.

// Copies In's two pointers into the handshake `in` and leaves its id alone: once check 3 has
// matched the id, no byte of it is read again, even where an unoptimised build would keep a
// second copy. A macro rather than a function: at /Od a function would be one more frame on the
// deepest stack (docs/driver.md, "Stack usage").
#define KSHAKE_DETAIL_COPY_IN_POINTERS(in, peer_in)                                                \
    (::kshake::detail::copy_bytes(static_cast<void*>(&(in).argument1),                             \
                                  static_cast<const unsigned char*>(peer_in) +                     \
                                      KSHAKE_OFFSETOF(::kshake::handshake, argument1),             \
                                  sizeof(in).argument1),                                           \
     ::kshake::detail::copy_bytes(static_cast<void*>(&(in).argument2),                             \
                                  static_cast<const unsigned char*>(peer_in) +                     \
                                      KSHAKE_OFFSETOF(::kshake::handshake, argument2),             \
                                  sizeof(in).argument2))

// What a decoded request becomes: the handler's answer, and on success the response envelope
// and then Out.
template <class Context, class R, class... Trace>
ntstatus answer_request(
    Context& context,
    const typename wire_t<typename R::protocol>::template decoded<typename R::protocol>& decoded,
    void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    using codec = wire_t<P>;
    response_t<P> response{};
    if constexpr (detail::is_empty_v<response_t<P>>) {
        // `{}` leaves an empty struct's one byte (padding) as it was; wire.md §2.4 promises the
        // handler a zero-filled response.
        const unsigned char zero = 0;
        copy_bytes(&response, &zero, sizeof zero);
    }
    ntstatus s = status::unsuccessful; // each branch below sets it
    if constexpr (handler_signature_of<detail::remove_const_t<decltype(R::handler)>>::type::arity ==
                  4) {
        s = static_cast<ntstatus>(R::handler(context, decoded.request, response, decoded.version));
    } else {
        s = static_cast<ntstatus>(R::handler(context, decoded.request, response));
    }
    (trace.handled(s), ...);
    if (!nt_success(s)) {
        return s;
    }
    // Out is written once, straight from the reply, and only now that nothing can fail (a reply
    // built in the caller's frame and copied out afterwards costs instructions:
    // docs/benchmarks.md, "kshake's dispatch").
    handshake reply; // NOLINT(cppcoreguidelines-pro-type-member-init): encode_response sets it all
    codec::template encode_response<P>(decoded, response, reply);
    write_handshake(out, reply);
    return status::success;
}

// A route whose id has matched: decodes, runs the handler, and on success writes the response
// envelope and then Out. At namespace scope rather than a responder member on purpose: a
// member's symbol spells every route of its responder (its object file grows as N squared);
// this one's name holds one route. It takes the peer's In as the callback got it (its id
// already matched) and reads its two pointers itself, once, after check 3: a hashed dispatch
// then reaches it with a tail jump and every argument register already in place. Index is the
// route's position in its responder, for a trace.
template <class Context, class R, size_t Index, class... Trace>
ntstatus serve_route(Context& context, const void* peer_in, void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    using codec = wire_t<P>;
    (trace.route(Index, protocol_name<P>()), ...);
    // The id, already matched, is the route's own.
    handshake in{P::id, nullptr, nullptr};
    KSHAKE_DETAIL_COPY_IN_POINTERS(in, peer_in);
    typename codec::template decoded<P> decoded{};
    const ntstatus s = codec::template decode_request<P>(in, out, decoded, trace...);
    if (!nt_success(s)) {
        return s;
    }
    return answer_request<Context, R>(context, decoded, out, trace...);
}

// One route of an id served by several (envelope codec only), its request header already read.
template <class Context, class R, size_t Index, class... Trace>
ntstatus serve_route_with_header(Context& context, const envelope_header& header, void* argument1,
                                 void* argument2, void* out, Trace&... trace) noexcept {
    using P = typename R::protocol;
    (trace.route(Index, protocol_name<P>()), ...);
    const handshake in{P::id, argument1, argument2};
    envelope_wire::decoded<P> decoded{};
    const ntstatus s =
        envelope_wire::decode_request_with_header<P>(in, header, out, decoded, trace...);
    if (!nt_success(s)) {
        return s;
    }
    return answer_request<Context, R>(context, decoded, out, trace...);
}

// The routes of one id, each for its own version range: the request header is read once, and
// its version picks the route (typed versions). A version no route serves is refused as a
// single route refuses one outside its range. Is are the routes' indices in the responder.
template <class Context, class Indices, class... Rs>
struct versions;
template <class Context, size_t... Is, class... Rs>
struct versions<Context, index_sequence<Is...>, Rs...> {
    template <class... Trace>
    static ntstatus serve(Context& context, const void* peer_in, void* out,
                          Trace&... trace) noexcept {
        handshake in{};
        KSHAKE_DETAIL_COPY_IN_POINTERS(in, peer_in);
        envelope_header header{};
        if (!envelope_wire::read_request_header(in.argument1, in.argument2, header)) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::envelope_null, trace);
        }
        ntstatus s = status::unsuccessful; // set by the route that serves the version
        const bool served =
            (... || (header.version >= min_version_v<typename Rs::protocol> &&
                     header.version <= version_v<typename Rs::protocol> &&
                     (s = serve_route_with_header<Context, Rs, Is>(context, header, in.argument1,
                                                                   in.argument2, out, trace...),
                      true)));
        if (!served) {
            (trace.version(header.version), ...);
            return KSHAKE_DETAIL_REFUSE_AT(request_check::version, trace);
        }
        return s;
    }
};

// What serves a matched id: (Context&, In, Out), and a traced entry's request_trace.
template <class Context, class... Trace>
using route_entry = ntstatus (*)(Context&, const void*, void*, Trace&...) noexcept;

} // namespace kshake::detail
// ---- end kshake/detail/serve_route.hpp ---------------------------------------------------------

namespace kshake::detail {

#if defined(_MSC_VER) && !defined(__clang__)
#define KSHAKE_DETAIL_ALWAYS_INLINE __forceinline
#else
#define KSHAKE_DETAIL_ALWAYS_INLINE [[gnu::always_inline]] inline
#endif

// Copies bytes Offset to Offset + 7 of In's id into `half` and tells the trace: the one place a
// strategy reads the id, so check 3's read rule (docs/wire.md §2.3) is kept here. A macro
// rather than a function: at /Od a function's own copy of the half is one more slot on the
// deepest stack (docs/driver.md, "Stack usage").
#define KSHAKE_DETAIL_READ_ID_HALF(half, in, offset, trace)                                        \
    (::kshake::detail::copy_bytes(&(half), static_cast<const unsigned char*>(in) + (offset),       \
                                  sizeof(half)),                                                   \
     ((trace).read_id((offset), (half)), ...))

// What a strategy is given, Ids: `count` distinct ids as `Ids::at[i]`, and the entries serving
// them, `Ids::template entries<Trace...>::at[i]`, the first also as `Ids::template
// first<Trace...>`. With `Ids::whole_id` false, ids are told apart by their bytes 0-7 alone and
// each entry compares bytes 8-15 itself (first_halves).

// One id, compared in place: the entry is a constant, so the route's code is inlined into the
// callback. The id's halves one at a time, so an unknown id is refused after one compare.
template <class Context, class Ids>
struct compare_one_id {
    static constexpr guid_halves id = detail::bit_cast<guid_halves>(Ids::at[0]);

    template <class... Trace>
    KSHAKE_DETAIL_ALWAYS_INLINE static ntstatus find(Context& context, const void* in, void* out,
                                                     Trace&... trace) noexcept {
        uint64_t half = 0;
        KSHAKE_DETAIL_READ_ID_HALF(half, in, 0, trace);
        if (half != id.low) [[unlikely]] {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::unknown_protocol, trace);
        }
        if constexpr (Ids::whole_id) {
            KSHAKE_DETAIL_READ_ID_HALF(half, in, sizeof half, trace);
            if (half != id.high) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE_AT(request_check::unknown_protocol, trace);
            }
        }
        return Ids::template first<Trace...>(context, in, out, trace...);
    }
};

// A hashed responder's run-time table, one object so that a lookup addresses it from one base:
// the bucket displacements, and per slot the id that may land there (as its two 8-byte halves,
// so each array is indexed with a scale of 8) and its route.
template <class Context, size_t Buckets, size_t Slots>
struct dispatch_table {
    uint64_t displacement[Buckets];
    uint64_t low[Slots];
    uint64_t high[Slots];
    route_entry<Context> serve[Slots];
};

// Two ids and more: the route table (route_table.hpp), resolved at compile time into one object
// per responder that holds, per slot, the id that may land there and its entry, so a lookup reads
// one slot and compares once (no slot-to-index read, no bounds check). Constant-initialised: no
// function-local statics, no dynamic initialisation.
template <class Context, class Ids>
struct hash_ids {
    using table_type = route_table<Ids::count>;
    static constexpr table_type table = build_route_table(Ids::at);
    static_assert(table.built, "kshake: could not build the route table");
    static_assert(Ids::whole_id || table.fold == 0,
                  "kshake: internal error: first_halves' ids must differ in bytes 0-7");

    // The slot's id, for an empty slot the first: an id equal to the first always hashes to
    // the first's own slot, so a copy of it can never match what lands in an empty one.
    static constexpr size_t id_in(size_t slot) noexcept {
        return table.route_at[slot] == table_type::empty ? 0 : table.route_at[slot];
    }

    using runtime_table = dispatch_table<Context, table_type::buckets, table_type::slots>;
    static consteval runtime_table make_runtime() noexcept {
        runtime_table r{};
        for (size_t b = 0; b < table_type::buckets; ++b) {
            r.displacement[b] = table.displacement[b];
        }
        for (size_t i = 0; i < table_type::slots; ++i) {
            const auto halves = detail::bit_cast<guid_halves>(Ids::at[id_in(i)]);
            r.low[i] = halves.low;
            r.high[i] = halves.high;
            r.serve[i] = Ids::template entries<>::at[id_in(i)];
        }
        return r;
    }
    static constexpr runtime_table runtime = make_runtime();

    // A traced responder's entries per slot, beside runtime's (which a plain one reads).
    template <class... Trace>
    struct traced_slots {
        struct array {
            route_entry<Context, Trace...> at[table_type::slots];
        };
        static consteval array make() noexcept {
            array a{};
            for (size_t i = 0; i < table_type::slots; ++i) {
                a.at[i] = Ids::template entries<Trace...>::at[id_in(i)];
            }
            return a;
        }
        static constexpr array serve = make();
    };

    // The slot where the id of this key may be; an id of a route is in its own.
    [[nodiscard]] static size_t slot_of(uint64_t key) noexcept {
        const uint64_t product = key * table.multiplier;
        if constexpr (table_type::single_level) {
            return table_type::slot_of(product, 0);
        } else {
            return table_type::slot_of(product,
                                       runtime.displacement[table_type::bucket_of(product)]);
        }
    }

    template <class... Trace>
    KSHAKE_DETAIL_ALWAYS_INLINE static ntstatus find(Context& context, const void* in, void* out,
                                                     Trace&... trace) noexcept {
        uint64_t half = 0;
        KSHAKE_DETAIL_READ_ID_HALF(half, in, 0, trace);
        size_t slot = 0;
        if constexpr (table.fold == 0) {
            slot = slot_of(half);
            if (runtime.low[slot] != half) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE_AT(request_check::unknown_protocol, trace);
            }
            if constexpr (!Ids::whole_id) {
                return entry_at<Trace...>(slot)(context, in, out, trace...);
            }
            KSHAKE_DETAIL_READ_ID_HALF(half, in, sizeof half, trace);
        } else {
            // The key needs both halves: the second is copied once, for the key and the compare.
            uint64_t high = 0;
            KSHAKE_DETAIL_READ_ID_HALF(high, in, sizeof high, trace);
            slot = slot_of(route_key(table.fold, half, high));
            if (runtime.low[slot] != half) [[unlikely]] {
                return KSHAKE_DETAIL_REFUSE_AT(request_check::unknown_protocol, trace);
            }
            half = high;
        }
        if (runtime.high[slot] != half) [[unlikely]] {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::unknown_protocol, trace);
        }
        return entry_at<Trace...>(slot)(context, in, out, trace...);
    }

    template <class... Trace>
    [[nodiscard]] static route_entry<Context, Trace...> entry_at(size_t slot) noexcept {
        if constexpr (sizeof...(Trace) == 0) {
            return runtime.serve[slot];
        } else {
            return traced_slots<Trace...>::serve.at[slot];
        }
    }
};

// Ids of which some share their bytes 0-7 (ids made one after another often differ only in
// their last bytes) as a list of their distinct bytes 0-7: an id whose bytes 0-7 are none of
// them is refused after one compare, as among ids that all differ there; each entry then compares
// bytes 8-15 with those of the ids sharing its bytes 0-7, in turn.
template <class Context, class Ids>
struct first_halves {
    static consteval id_groups<Ids::count> group_by_first_half() noexcept {
        guid halves[Ids::count]{};
        for (size_t i = 0; i < Ids::count; ++i) {
            auto h = detail::bit_cast<guid_halves>(Ids::at[i]);
            h.high = 0;
            halves[i] = detail::bit_cast<guid>(h);
        }
        return group_routes_by_id(halves);
    }
    static constexpr id_groups<Ids::count> groups = group_by_first_half();
    static constexpr size_t count = groups.distinct;
    static constexpr bool whole_id = false;

    static constexpr leader_ids<count> list = ids_of_leaders<count>(Ids::at, groups);
    static constexpr const guid (&at)[count] = list.at;

    // The ids whose bytes 0-7 are those of id Leader: bytes 8-15 copied once, then compared
    // with each of theirs.
    template <size_t M, size_t... Ms, class... Trace>
    KSHAKE_DETAIL_ALWAYS_INLINE static ntstatus
    match(uint64_t high, Context& context, const void* in, void* out, Trace&... trace) noexcept {
        if (high == detail::bit_cast<guid_halves>(Ids::at[M]).high) {
            return Ids::template entries<Trace...>::at[M](context, in, out, trace...);
        }
        if constexpr (sizeof...(Ms) == 0) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::unknown_protocol, trace);
        } else {
            return match<Ms...>(high, context, in, out, trace...);
        }
    }
    template <size_t Leader, class Members>
    struct second_half;
    template <size_t Leader, size_t... Ms>
    struct second_half<Leader, index_sequence<Ms...>> {
        template <class... Trace>
        static ntstatus find(Context& context, const void* in, void* out,
                             Trace&... trace) noexcept {
            uint64_t high = 0;
            KSHAKE_DETAIL_READ_ID_HALF(high, in, sizeof high, trace);
            return match<Ms...>(high, context, in, out, trace...);
        }
    };
    template <size_t Leader, class... Trace, size_t... Ks>
    static consteval route_entry<Context, Trace...> group_entry(index_sequence<Ks...>) noexcept {
        return &second_half<Leader,
                            index_sequence<groups.member(Leader, Ks)...>>::template find<Trace...>;
    }
    template <class Sequence, class... Trace>
    struct entry_list;
    template <size_t... Gs, class... Trace>
    struct entry_list<index_sequence<Gs...>, Trace...> {
        static constexpr route_entry<Context, Trace...> at[sizeof...(Gs)] = {
            group_entry<groups.leaders[Gs], Trace...>(
                make_index_sequence<groups.size[groups.leaders[Gs]]>{})...};
    };
    template <class... Trace>
    using entries = entry_list<make_index_sequence<count>, Trace...>;
    template <class... Trace>
    static constexpr route_entry<Context, Trace...> first = entries<Trace...>::at[0];
};

// first_halves when some ids share their bytes 0-7, none with more than 3 others: an id is then
// found after at most 4 compares of bytes 8-15, whatever the number of ids. A larger group (ids
// numbered in their last bytes) is hashed on both halves.
inline constexpr size_t most_ids_sharing_a_first_half = 4;

// The table hash_ids builds keys on bytes 0-7 when they tell the ids apart, so that table (built
// for hash_ids anyway) answers first, and only ids that share them are grouped.
template <class Context, class Ids>
consteval bool by_first_halves() noexcept {
    if constexpr (Ids::count == 1) {
        return false;
    } else if constexpr (hash_ids<Context, Ids>::table.fold == 0) {
        return false;
    } else {
        using view = first_halves<Context, Ids>;
        if (view::count == Ids::count) {
            return false;
        }
        for (size_t g = 0; g < view::count; ++g) {
            if (view::groups.size[view::groups.leaders[g]] > most_ids_sharing_a_first_half) {
                return false;
            }
        }
        return true;
    }
}

// One id is compared in place; from two ids on, the table, whose cost does not grow with the
// number of ids where comparing ids in turn does (docs/benchmarks.md, "kshake's dispatch"). Ids
// sharing their bytes 0-7 are looked up by those (first_halves).
template <class Context, class Ids, bool ByFirstHalves = by_first_halves<Context, Ids>()>
struct strategy_for {
    using type =
        conditional_t<(Ids::count > 1), hash_ids<Context, Ids>, compare_one_id<Context, Ids>>;
};
template <class Context, class Ids>
struct strategy_for<Context, Ids, true> {
    using type = typename strategy_for<Context, first_halves<Context, Ids>>::type;
};
template <class Context, class Ids>
using dispatch_strategy = typename strategy_for<Context, Ids>::type;

} // namespace kshake::detail
// ---- end kshake/detail/dispatch.hpp ------------------------------------------------------------

// ---- begin kshake/detail/route_check.hpp -------------------------------------------------------
// kshake/detail/route_check.hpp — a responder's routes checked at compile time: each route's shape,
// protocol, codec and handler, the responder's Context, and routes of one id at overlapping
// versions (responder.hpp).

namespace kshake::detail {

template <class R>
concept route_like = requires {
    typename R::protocol;
    R::handler;
};

template <class Context, class R>
consteval bool check_route() noexcept {
    if constexpr (!route_like<R>) {
        static_assert(route_like<R>,
                      "kshake: a responder's routes must be kshake::route<Protocol, handler>: "
                      "responder<Context, route<P1, h1>, route<P2, h2>, ...>");
        return false;
    } else if constexpr (!check_protocol<typename R::protocol>()) {
        return false;
    } else if constexpr (!check_codec<typename R::protocol>()) {
        return false;
    } else {
        return check_handler<detail::remove_const_t<decltype(R::handler)>, Context,
                             typename R::protocol>();
    }
}

// Always false; named in the static_asserts when two routes of one id overlap, so that both
// protocols show in the error itself on every compiler.
template <class First, class Second>
inline constexpr bool protocol_version_ranges_disjoint = false;
template <class First, class Second>
inline constexpr bool raw_codec_id_served_once = false;

template <class First, class Second>
consteval bool overlapping_routes() noexcept {
    if constexpr (is_same_v<codec_t<First>, raw_codec> || is_same_v<codec_t<Second>, raw_codec>) {
        static_assert(raw_codec_id_served_once<First, Second>,
                      "kshake: two routes of one responder serve the same protocol id, and one "
                      "of them uses kshake::raw_codec (the two protocols are the arguments of "
                      "raw_codec_id_served_once<...>): a raw request carries no version to "
                      "choose a route by, so serve a raw protocol's id with one route");
    } else {
        static_assert(protocol_version_ranges_disjoint<First, Second>,
                      "kshake: two routes of one responder serve the same protocol id at "
                      "overlapping versions (the two protocols are the arguments of "
                      "protocol_version_ranges_disjoint<...>): routes of one id need disjoint "
                      "[min_version, version] ranges, one per request and response layout "
                      "(typed versions); or serve the id once");
    }
    return false;
}

template <class R>
inline constexpr uint32_t route_lowest_version =
    is_same_v<codec_t<typename R::protocol>, raw_codec> ? 0U : min_version_v<typename R::protocol>;
template <class R>
inline constexpr uint32_t route_highest_version =
    is_same_v<codec_t<typename R::protocol>, raw_codec> ? ~0U : version_v<typename R::protocol>;

// A braced list rather than a fold expression: clang caps fold expressions at 256 operands
// and a responder may hold 1024 routes.
template <size_t N>
consteval bool all_of(const bool (&values)[N]) noexcept {
    // NOLINTNEXTLINE(readability-use-anyofallof): <algorithm> would weigh on every includer
    for (const bool v : values) {
        if (!v) {
            return false;
        }
    }
    return true;
}

// Checked when the responder class is instantiated, before its member declarations would
// fail on a Context& that cannot be formed or on a table of zero routes.
template <class Context, size_t RouteCount>
consteval bool check_responder_shape() noexcept {
    if constexpr (route_like<Context>) {
        static_assert(!route_like<Context>,
                      "kshake: a responder's first argument is its Context (the type the pin's "
                      "Context points to), then its routes: responder<my_pin_state, route<P, "
                      "handler>, ...>");
        return false;
    } else if constexpr (detail::is_pointer_v<Context>) {
        static_assert(!detail::is_pointer_v<Context>,
                      "kshake: a responder's Context is the type the pin's Context points to, not "
                      "a pointer: responder<my_pin_state, ...> for Pin->Context == &state, with "
                      "handlers taking `my_pin_state&`");
        return false;
    } else if constexpr (!detail::is_object_v<Context> || detail::is_const_v<Context> ||
                         detail::is_volatile_v<Context>) {
        static_assert(detail::is_object_v<Context> && !detail::is_const_v<Context> &&
                          !detail::is_volatile_v<Context>,
                      "kshake: a responder's Context must be the (non-const) object type the "
                      "pin's Context points to: responder<my_pin_state, routes...>");
        return false;
    } else if constexpr (RouteCount == 0) {
        static_assert(RouteCount != 0,
                      "kshake: a responder needs at least one route: responder<Context, "
                      "route<P, handler>, ...>");
        return false;
    } else {
        return true;
    }
}

template <class Context, class... Routes>
consteval bool check_routes() noexcept {
    if constexpr (!check_responder_shape<Context, sizeof...(Routes)>()) {
        return false;
    } else if constexpr (!all_of({check_route<Context, Routes>()...})) {
        return false;
    } else {
        constexpr guid ids[] = {Routes::protocol::id...};
        constexpr uint32_t lowest[] = {route_lowest_version<Routes>...};
        constexpr uint32_t highest[] = {route_highest_version<Routes>...};
        constexpr route_pair overlap =
            find_overlapping_versions(group_routes_by_id(ids), lowest, highest);
        if constexpr (overlap.first != sizeof...(Routes)) {
            using first = typename pack_element_t<overlap.first, Routes...>::protocol;
            using second = typename pack_element_t<overlap.second, Routes...>::protocol;
            return overlapping_routes<first, second>();
        } else {
            return true;
        }
    }
}

} // namespace kshake::detail
// ---- end kshake/detail/route_check.hpp ---------------------------------------------------------

namespace kshake {

// Binds protocol P to a handler: a function, or a stateless function object, of the form
//   ntstatus handler(Context& context, const P::request& request, P::response& response) noexcept
// or with a fourth parameter `std::uint32_t version` (the version the initiator spoke, within
// [min_version, version]; the WDK's ULONG, a 32-bit `unsigned long`, is accepted too:
// version_parameter). It may return NTSTATUS instead of kshake::ntstatus (status_type). The
// response starts zero-filled; it reaches the peer only if the handler succeeds.
template <class P, auto Handler>
struct route {
    using protocol = P;
    static constexpr auto handler = Handler;
};

// The pin's context, found by shape: KSPIN's `Context` member (a kernel pin), or a `context()`
// member function (kshake::mock::pin).
template <class Pin>
[[nodiscard]] void* pin_context(Pin pin) noexcept {
    if constexpr (requires { pin->Context; }) {
        return pin->Context;
    } else if constexpr (requires { pin->context(); }) {
        return pin->context();
    } else {
        static_assert(
            requires { pin->context(); },
            "kshake: responder::callback needs a pin pointer with a `Context` member "
            "(KSPIN) or a `context()` member function (kshake::mock::pin)");
        return nullptr;
    }
}

// A responder's routes as a type, for compile-time questions about it (kshake/contract.hpp).
template <class... Routes>
struct route_list {
    static constexpr size_t size = sizeof...(Routes);
};

template <class Context, class... Routes>
class responder {
    static_assert(detail::check_responder_shape<Context, sizeof...(Routes)>());
    static constexpr bool valid = detail::check_routes<Context, Routes...>();

  public:
    using context_type = Context;
    using routes = route_list<Routes...>;
    static constexpr size_t route_count = sizeof...(Routes);

    // Serves one handshake for `context`. In and Out are the peer's; on any failure nothing the
    // caller owns (Out, the request, the response buffer) is written.
    [[nodiscard("kshake: serve() returns the status to give the peer")]] static ntstatus
    serve(Context& context, const handshake* in, handshake* out) noexcept {
        return dispatch<false>(&context, in, out);
    }

    // The PFNKSPINHANDSHAKE shape: `Status callback(Pin, Handshake* In, Handshake* Out)`, where
    // Handshake is KSHANDSHAKE (or kshake::handshake) and Status is NTSTATUS (or
    // kshake::ntstatus). The pin's context must point to a Context.
    // Pin, Handshake and Status are checked where `&callback<...>` is written (its return type).
    template <class Pin, class Handshake = handshake, class Status = ntstatus>
    static detail::callback_status_t<Pin, Handshake, Status> callback(Pin pin, Handshake* in,
                                                                      Handshake* out) noexcept {
        if constexpr (!detail::check_callback<Pin, Handshake, Status>()) {
            return static_cast<Status>(status::invalid_parameter);
        } else {
            return static_cast<Status>(dispatch<true>(pin, in, out));
        }
    }

    // serve, reporting the request to `hook` (kshake/trace.hpp) once it is answered.
    template <trace_hook Hook>
    [[nodiscard("kshake: serve() returns the status to give the peer")]] static ntstatus
    serve(Context& context, const handshake* in, handshake* out, Hook& hook) noexcept {
        detail::request_trace trace;
        trace.event.status = dispatch<false>(&context, in, out, trace);
        hook(static_cast<const request_event&>(trace.event));
        return trace.event.status;
    }

    // callback, reporting each request to Hook, an object of static storage duration that is a
    // trace_hook: KsPinRegisterHandshakeCallback(Pin, &R::traced_callback<my_trace, PKSPIN,
    // KSHANDSHAKE, NTSTATUS>) (or avstream::install<R, my_trace>(Pin)).
    template <auto& Hook, class Pin, class Handshake = handshake, class Status = ntstatus>
    static detail::callback_status_t<Pin, Handshake, Status>
    traced_callback(Pin pin, Handshake* in, Handshake* out) noexcept {
        static_assert(trace_hook<detail::remove_reference_t<decltype(Hook)>>,
                      "kshake: traced_callback<Hook, ...>: Hook must be a trace hook, callable "
                      "`noexcept` with a const kshake::offer_event& and a const "
                      "kshake::request_event& (kshake/trace.hpp)");
        if constexpr (!detail::check_callback<Pin, Handshake, Status>()) {
            return static_cast<Status>(status::invalid_parameter);
        } else {
            detail::request_trace trace;
            trace.event.status = dispatch<true>(pin, in, out, trace);
            Hook(static_cast<const request_event&>(trace.event));
            return static_cast<Status>(trace.event.status);
        }
    }

  private:
    static constexpr guid ids[sizeof...(Routes)] = {Routes::protocol::id...};

    // Routes that share an id (typed versions) are served through one entry per id, which picks
    // the route by the request's version; with no shared id, every route is its own entry.
    static constexpr detail::id_groups<sizeof...(Routes)> groups = detail::group_routes_by_id(ids);
    static constexpr size_t distinct_ids = groups.distinct;
    static constexpr bool ids_shared = distinct_ids != sizeof...(Routes);

    // What serves the id of route Leader, the first route of its id: that route, or the routes
    // of the id choosing by version.
    template <size_t Leader, class... Trace, size_t... Ks>
    static consteval detail::route_entry<Context, Trace...>
    group_entry(detail::index_sequence<Ks...>) noexcept {
        if constexpr (sizeof...(Ks) == 1) {
            return &detail::serve_route<Context, detail::pack_element_t<Leader, Routes...>, Leader,
                                        Trace...>;
        } else {
            using versions =
                detail::versions<Context, detail::index_sequence<groups.member(Leader, Ks)...>,
                                 detail::pack_element_t<groups.member(Leader, Ks), Routes...>...>;
            return &versions::template serve<Trace...>;
        }
    }
    template <size_t Leader, class... Trace>
    static constexpr detail::route_entry<Context, Trace...> entry_of =
        group_entry<Leader, Trace...>(detail::make_index_sequence<groups.size[Leader]>{});

    // One entry per route (no shared id), or per distinct id in the order of groups.leaders.
    template <class Sequence, class... Trace>
    struct route_entries;
    template <size_t... Is, class... Trace>
    struct route_entries<detail::index_sequence<Is...>, Trace...> {
        static constexpr detail::route_entry<Context, Trace...> at[sizeof...(Is)] = {
            &detail::serve_route<Context, Routes, Is, Trace...>...};
    };
    template <class Sequence, class... Trace>
    struct group_entries;
    template <size_t... Ks, class... Trace>
    struct group_entries<detail::index_sequence<Ks...>, Trace...> {
        static constexpr detail::route_entry<Context, Trace...> at[sizeof...(Ks)] = {
            entry_of<groups.leaders[Ks], Trace...>...};
    };
    // The distinct ids in the order of groups.leaders and the entries serving them, as a
    // dispatch strategy takes them (detail/dispatch.hpp). A nested class, so that a responder
    // whose routes are wrong reports that before any of it is built.
    struct distinct {
        static constexpr size_t count = distinct_ids;
        static constexpr bool whole_id = true;
        static constexpr detail::leader_ids<count> list =
            detail::ids_of_leaders<count>(ids, groups);
        static constexpr const guid (&at)[count] = list.at;

        template <class... Trace>
        using entries = detail::conditional_t<
            ids_shared, group_entries<detail::make_index_sequence<count>, Trace...>,
            route_entries<detail::make_index_sequence<sizeof...(Routes)>, Trace...>>;
        template <class... Trace>
        static constexpr detail::route_entry<Context, Trace...> first = entry_of<0, Trace...>;
    };

    // Every entry point's one path: checks 1 and 2, then check 3, the dispatch strategy's find
    // (which copies In's id and enters the matched id's entry, which reads In's two pointers;
    // detail/dispatch.hpp). `trace` is empty for a plain call and one detail::request_trace for a
    // traced one (see serve_route). `source` is the Context* (serve) or, FromPin, the pin
    // (callback), whose context is read only after check 1: read before, it kept one more register
    // live (a larger x86 frame). In an unoptimised build every helper is a stack frame of its own,
    // which the kernel stack budget counts (docs/driver.md, "Stack usage"); find is always inlined.
    template <bool FromPin, class Source, class... Trace>
    [[nodiscard]] static ntstatus dispatch(Source source, const void* in, void* out,
                                           Trace&... trace) noexcept {
        if (in == nullptr || out == nullptr) [[unlikely]] {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::in_out_null, trace);
        }
        Context* context = nullptr;
        if constexpr (FromPin) {
            context = static_cast<Context*>(source == nullptr ? nullptr : pin_context(source));
        } else {
            context = source;
        }
        if (context == nullptr) [[unlikely]] {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::no_context, trace);
        }
        if constexpr (!valid) {
            return detail::status_of(request_check::unknown_protocol);
        } else {
            return detail::dispatch_strategy<Context, distinct>::find(*context, in, out, trace...);
        }
    }
};

} // namespace kshake
// ---- end kshake/responder.hpp ------------------------------------------------------------------

// ---- begin kshake/contract.hpp -----------------------------------------------------------------
// kshake contract checks: will an initiating pin and a responding pin, built in one code base,
// ever agree on a protocol? Answered at compile time from the offer list and the routes.

// ---- begin kshake/detail/agreement.hpp ---------------------------------------------------------
// kshake/detail/agreement.hpp — whether an offer list and a responder's routes agree, at compile
// time, and must_agree's messages when they do not (kshake/contract.hpp).

namespace kshake {

template <class... Ps>
struct offer;

namespace detail {

template <class T>
inline constexpr bool is_offer = false;
template <class... Ps>
inline constexpr bool is_offer<kshake::offer<Ps...>> = true;

template <class T>
inline constexpr bool is_route_list = false;
template <class... Rs>
inline constexpr bool is_route_list<route_list<Rs...>> = true;

// A kshake::responder, or anything else that names its routes and its context the same way.
template <class R>
concept has_routes = requires {
    typename R::routes;
    typename R::context_type;
    requires is_route_list<typename R::routes>;
};

template <size_t I, class Offers>
struct offer_element;
template <size_t I, class... Ps>
struct offer_element<I, kshake::offer<Ps...>> {
    using type = pack_element_t<I, Ps...>;
};

template <class R>
consteval bool route_has_protocol() noexcept {
    if constexpr (route_like<R>) {
        return protocol<typename R::protocol>;
    } else {
        return false;
    }
}

template <class R>
consteval guid route_id() noexcept {
    if constexpr (route_has_protocol<R>()) {
        return R::protocol::id;
    } else {
        return guid{};
    }
}

// The parts of agreement beyond the id, one by one, for the diagnostics.
template <class O, class S>
inline constexpr bool same_codec = detail::is_same_v<detail::codec_t<O>, detail::codec_t<S>>;
template <class O, class S>
inline constexpr bool same_payloads = detail::is_same_v<request_t<O>, request_t<S>> &&
                                      detail::is_same_v<response_t<O>, response_t<S>>;
// The raw codec carries no version, so only the envelope's version must lie in the range.
template <class O, class S>
inline constexpr bool version_in_range =
    detail::is_same_v<detail::codec_t<O>, raw_codec> ||
    (version_v<O> >= min_version_v<S> && version_v<O> <= version_v<S>);

// Would a route serving protocol S accept protocol O as the initiator sends it? Same id, same
// codec, same request and response types, and O's version within S's [min_version, version].
template <class O, class S>
consteval bool route_accepts() noexcept {
    if constexpr (!protocol<O> || !protocol<S>) {
        return false;
    } else if constexpr (!(O::id == S::id)) {
        return false;
    } else {
        return same_codec<O, S> && same_payloads<O, S> && version_in_range<O, S>;
    }
}

template <class R>
consteval uint32_t route_lowest() noexcept {
    if constexpr (route_has_protocol<R>()) {
        return route_lowest_version<R>;
    } else {
        return 0;
    }
}
template <class R>
consteval uint32_t route_highest() noexcept {
    if constexpr (route_has_protocol<R>()) {
        return route_highest_version<R>;
    } else {
        return 0;
    }
}

// Where the routes serve protocol O: the route of O's id whose version range holds O's version
// (a raw-codec route holds every version); failing that, the first route of O's id, whose
// differences explain the refusal; sizeof...(Rs) if no route has the id.
template <class O, class... Rs>
consteval size_t route_for() noexcept {
    if constexpr (sizeof...(Rs) == 0 || !protocol<O>) {
        return sizeof...(Rs);
    } else {
        constexpr guid ids[] = {route_id<Rs>()...};
        constexpr bool usable[] = {route_has_protocol<Rs>()...};
        constexpr uint32_t lowest[] = {route_lowest<Rs>()...};
        constexpr uint32_t highest[] = {route_highest<Rs>()...};
        size_t first_of_id = sizeof...(Rs);
        for (size_t j = 0; j < sizeof...(Rs); ++j) {
            if (usable[j] && ids[j] == O::id) {
                if (lowest[j] <= version_v<O> && version_v<O> <= highest[j]) {
                    return j;
                }
                first_of_id = first_of_id == sizeof...(Rs) ? j : first_of_id;
            }
        }
        return first_of_id;
    }
}

template <class Offers, class Routes>
struct agreement;
template <class... Ps, class... Rs>
struct agreement<kshake::offer<Ps...>, route_list<Rs...>> {
    template <class O>
    static consteval bool accepted() noexcept {
        constexpr size_t j = route_for<O, Rs...>();
        if constexpr (j == sizeof...(Rs)) {
            return false;
        } else {
            return route_accepts<O, typename pack_element_t<j, Rs...>::protocol>();
        }
    }

    // The first offer, in preference order, that some route accepts; sizeof...(Ps) if none.
    static consteval size_t first() noexcept {
        if constexpr (sizeof...(Ps) == 0) {
            return 0;
        } else {
            constexpr bool ok[] = {accepted<Ps>()...};
            for (size_t i = 0; i < sizeof...(Ps); ++i) {
                if (ok[i]) {
                    return i;
                }
            }
            return sizeof...(Ps);
        }
    }

    // The first offer whose id some route serves (whatever else differs); sizeof...(Ps) if none.
    static consteval size_t first_with_served_id() noexcept {
        if constexpr (sizeof...(Ps) == 0) {
            return 0;
        } else {
            constexpr bool served[] = {(route_for<Ps, Rs...>() != sizeof...(Rs))...};
            for (size_t i = 0; i < sizeof...(Ps); ++i) {
                if (served[i]) {
                    return i;
                }
            }
            return sizeof...(Ps);
        }
    }
};

// Always false; named in the static_asserts below so that the offers, the routes, or the
// offer and the route protocol in question show in the error itself.
template <class Offers, class Routes>
inline constexpr bool responder_serves_an_offered_id = false;
template <class Offered, class Served>
inline constexpr bool offer_and_route_use_one_codec = false;
template <class Offered, class Served>
inline constexpr bool offer_and_route_use_one_request_and_response = false;
template <class Offered, class Served>
inline constexpr bool offered_version_within_route_range = false;

template <class Offers, class Responder, class Routes>
struct agreement_check;
template <class... Ps, class Responder, class... Rs>
struct agreement_check<kshake::offer<Ps...>, Responder, route_list<Rs...>> {
    using found = agreement<kshake::offer<Ps...>, route_list<Rs...>>;

    // Why no offer is accepted, about the first offer (in preference order) whose id is served.
    static consteval bool explain() noexcept {
        constexpr size_t i = found::first_with_served_id();
        if constexpr (i == sizeof...(Ps)) {
            static_assert(responder_serves_an_offered_id<kshake::offer<Ps...>, route_list<Rs...>>,
                          "kshake: these pins can never agree: the responder serves none of the "
                          "offered protocol ids (add a route for one of the offers, or offer a "
                          "protocol the responder serves)");
            return false;
        } else {
            using O = pack_element_t<i, Ps...>;
            using S = typename pack_element_t<route_for<O, Rs...>(), Rs...>::protocol;
            // With no route of the id at O's version (typed versions), that is the reason, whatever
            // the first route of the id holds.
            if constexpr (same_codec<O, S> && !version_in_range<O, S>) {
                static_assert(offered_version_within_route_range<O, S>,
                              "kshake: these pins can never agree: the responder serves an "
                              "offered protocol id, but no version offered for it lies within "
                              "the [min_version, version] of a route of that id: offer one that "
                              "does (kshake::at_version<P, V>) or widen a route's range");
                return false;
            } else if constexpr (!same_codec<O, S>) {
                static_assert(offer_and_route_use_one_codec<O, S>,
                              "kshake: these pins can never agree: an offer and a route share a "
                              "protocol id but not a codec (envelope_codec on one side, "
                              "raw_codec on the other): define the protocol once for both pins");
                return false;
            } else {
                static_assert(offer_and_route_use_one_request_and_response<O, S>,
                              "kshake: these pins can never agree: an offer and a route share a "
                              "protocol id but not its request and response types: define the "
                              "protocol once for both pins");
                return false;
            }
        }
    }

    static consteval bool check() noexcept {
        if constexpr (!check_offers<Ps...>()) {
            return false;
        } else if constexpr (!check_routes<typename Responder::context_type, Rs...>()) {
            return false;
        } else if constexpr (found::first() != sizeof...(Ps)) {
            return true;
        } else {
            return explain();
        }
    }
};

template <class Offers, class Responder>
consteval bool check_agreement() noexcept {
    if constexpr (!is_offer<Offers>) {
        static_assert(is_offer<Offers>,
                      "kshake: the first argument of must_agree/agrees/agreed_offer_v must be "
                      "kshake::offer<P1, P2, ...>: the protocols given to negotiate_first, in "
                      "order");
        return false;
    } else if constexpr (!has_routes<Responder>) {
        static_assert(has_routes<Responder>,
                      "kshake: the second argument of must_agree/agrees/agreed_offer_v must be "
                      "a kshake::responder<Context, route<P, handler>...>");
        return false;
    } else {
        return agreement_check<Offers, Responder, typename Responder::routes>::check();
    }
}

} // namespace detail

} // namespace kshake
// ---- end kshake/detail/agreement.hpp -----------------------------------------------------------

namespace kshake {

// An initiator's offer list, in preference order: the protocols it gives negotiate_first, as
// one type that both the call and the contract check can name.
//
//   using source_offers = kshake::offer<kshake::at_version<pool, 3>, kshake::at_version<pool, 2>>;
//   static_assert(kshake::must_agree<source_offers, sink_responder>);
//   const auto r = source_offers::negotiate(transport, pool_request{}, pool_request{});
template <class... Ps>
struct offer {
    static constexpr size_t size = sizeof...(Ps);
    // agreed_offer_v's answer when no offer would be agreed; equals first_result<Ps...>::none.
    static constexpr size_t none = sizeof...(Ps);

    // negotiate_first<Ps...>: the offers checked at compile time are the ones sent.
    template <class Transport>
    KSHAKE_DETAIL_NODISCARD_FIRST_RESULT static detail::first_result_t<Ps...>
    negotiate(Transport&& transport,
              const detail::request_or_placeholder_t<Ps>&... requests) noexcept {
        return negotiate_first<Ps...>(static_cast<Transport&&>(transport), requests...);
    }
    // Requests that do not match the offers one for one: negotiate_first's own message.
    template <class Transport, class... Requests>
        requires(!detail::offered_requests<Ps...>::template fit<Requests...>())
    KSHAKE_DETAIL_NODISCARD_FIRST_RESULT static detail::first_result_t<Ps...>
    negotiate(Transport&& transport, const Requests&... requests) noexcept {
        return negotiate_first<Ps...>(static_cast<Transport&&>(transport), requests...);
    }
};

// The index in Offers of the offer that negotiate_first would see accepted by Responder (the
// first one, in preference order, that a route accepts), or Offers::none. An offer is accepted
// when a route has its id, the same codec, the same request and response types and, for the
// envelope codec, a [min_version, version] range holding the offered version_v. It assumes every
// handler succeeds: a handler's run-time refusal is not a compile-time fact.
template <class Offers, class Responder>
    requires(detail::is_offer<Offers> && detail::has_routes<Responder>)
inline constexpr size_t agreed_offer_v =
    detail::agreement<Offers, typename Responder::routes>::first();

// True when some offer would be agreed. A plain concept: usable in if constexpr, in requires
// clauses and negated in tests. For a check that explains a failure, use must_agree.
template <class Offers, class Responder>
concept agrees = detail::is_offer<Offers> && detail::has_routes<Responder> &&
                 agreed_offer_v<Offers, Responder> != Offers::none;

// For `static_assert(kshake::must_agree<source_offers, sink_responder>);`: true when the pins
// agree, otherwise a compile error that says why (no shared id, another codec, other payload
// types, or no offered version in the route's range) and names the protocols concerned. It also
// runs the offers' and the routes' own checks.
template <class Offers, class Responder>
inline constexpr bool must_agree = detail::check_agreement<Offers, Responder>();

} // namespace kshake

// What agreed_protocol_t and agreed_version_v read; it names agreed_offer_v above.
// ---- begin kshake/detail/agreed_offer.hpp ------------------------------------------------------
// kshake/detail/agreed_offer.hpp — the offer and version behind kshake::agreed_protocol_t and
// agreed_version_v (kshake/contract.hpp).
//
// Part of kshake/contract.hpp, which includes it after agreed_offer_v and before the two names it
// answers; not a header to include on its own.

namespace kshake::detail {

// agreed_protocol_t and agreed_version_v, answered only once must_agree's checks have passed:
// pins that do not agree get its kshake: message, naming the offers and the routes (a
// constraint on the alias would report an unsatisfied constraint first). After that message,
// `void` and 0, so that the misuse adds no error of its own.
template <class Offers, class Responder, bool Agree = check_agreement<Offers, Responder>()>
struct agreed_offer {
    using type = void;
    static constexpr uint32_t version = 0;
};
template <class Offers, class Responder>
struct agreed_offer<Offers, Responder, true> {
    using type = typename offer_element<agreed_offer_v<Offers, Responder>, Offers>::type;
    static constexpr uint32_t version = version_v<type>;
};

} // namespace kshake::detail
// ---- end kshake/detail/agreed_offer.hpp --------------------------------------------------------

namespace kshake {

// The offer that would be agreed, and the version it would be spoken at; for pins that do not
// agree, must_agree's error.
template <class Offers, class Responder>
using agreed_protocol_t = typename detail::agreed_offer<Offers, Responder>::type;
template <class Offers, class Responder>
inline constexpr uint32_t agreed_version_v = detail::agreed_offer<Offers, Responder>::version;

} // namespace kshake
// ---- end kshake/contract.hpp -------------------------------------------------------------------

// ---- begin kshake/direct.hpp -------------------------------------------------------------------
// kshake::direct_pin — a transport that calls a peer's PFNKSPINHANDSHAKE-shaped callback itself,
// as KsPinHandshake does once it has found the connected pin: for user-mode tests and
// benchmarks without the mock's lock and log, and for a driver's own self-test.
// Portable and kernel-safe: no standard header, no heap, no lock, no I/O.

// ---- begin kshake/detail/direct_pin_check.hpp --------------------------------------------------
// kshake/detail/direct_pin_check.hpp — the callback types kshake::direct_pin takes
// (kshake/direct.hpp), checked once, one kshake: message a mistake.

namespace kshake::detail {

// direct_pin<Pin, Handshake, Status>, checked once where it is named, one message a mistake.
template <class Handshake, class Status>
consteval bool check_direct_pin() noexcept {
    if constexpr (!handshake_shaped<Handshake>) {
        static_assert(handshake_shaped<Handshake>,
                      "kshake: direct_pin: the callback's handshake type must have KSHANDSHAKE's "
                      "layout (KSHANDSHAKE or kshake::handshake)");
        return false;
    } else if constexpr (!status_type<Status>) {
        static_assert(status_type<Status>,
                      "kshake: direct_pin: the callback must return NTSTATUS or kshake::ntstatus "
                      "(a 32-bit signed integer)");
        return false;
    } else {
        return true;
    }
}

} // namespace kshake::detail
// ---- end kshake/detail/direct_pin_check.hpp ----------------------------------------------------

namespace kshake {

// A transport to a peer pin's handshake callback: `callback(pin, &In, &Out)` through the pointer,
// with In and Out the callback's own handshake type (KSHANDSHAKE in a driver), each crossing by
// copy as avstream::connected_pin's do. Out starts as zeros and reaches `out` only on exactly
// STATUS_SUCCESS (docs/wire.md §2.5: a failure leaves the caller's `out` as it was). No status of
// its own: the callback's is returned as it is. The callback must not be null (it is called, not
// tested: this transport adds nothing to a negotiation beyond the copies).
//
//   kshake::direct_pin(&R::callback<my_pin*>, &peer)      calls that callback
//   kshake::direct_pin(&peer.registered, &peer)           calls what peer.registered holds at
//                                                          each call (Registered = true), as
//                                                          ks.sys reads the callback a pin
//                                                          registered when the handshake comes
//   kshake::direct_pin(kshake::avstream::handshake_callback<R>, Pin)   a driver's self-test
template <class Pin, class Handshake = handshake, class Status = ntstatus, bool Registered = false>
class direct_pin {
    static_assert(detail::check_direct_pin<Handshake, Status>());

  public:
    using callback_type = Status (*)(Pin, Handshake*, Handshake*);
    // The callback, or with Registered where to read it at each call.
    using source_type = detail::conditional_t<Registered, const callback_type*, callback_type>;

    constexpr direct_pin(source_type callback, Pin pin) noexcept : callback_{callback}, pin_{pin} {}

    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        Handshake platform_in; // NOLINT(cppcoreguidelines-pro-type-member-init): copied into
        detail::write_handshake(&platform_in, in);
        // Zeros, as connected_pin's Out: filled here rather than copied from `out` (zeros too),
        // which g++ 12 compiles more cheaply (docs/benchmarks.md, "What the measurements changed
        // in kshake").
        Handshake platform_out{};
        callback_type callback = nullptr;
        if constexpr (Registered) {
            callback = *callback_;
        } else {
            callback = callback_;
        }
        const auto s = static_cast<ntstatus>(callback(pin_, &platform_in, &platform_out));
        if (s == status::success) {
            out = detail::read_handshake(&platform_out);
        }
        return s;
    }

  private:
    source_type callback_;
    Pin pin_;
};

// direct_pin(callback, pin): the types from the callback (a noexcept one, as a responder's is, or
// a plain PFNKSPINHANDSHAKE); direct_pin(&registered, pin): from where a pin keeps the callback it
// registered, a PFNKSPINHANDSHAKE (KsPinRegisterHandshakeCallback's parameter type, not noexcept).
// The pin converts to the callback's pin type.
template <class Pin, class Handshake, class Status>
direct_pin(Status (*)(Pin, Handshake*, Handshake*) noexcept,
           typename detail::type_identity<Pin>::type) -> direct_pin<Pin, Handshake, Status>;
template <class Pin, class Handshake, class Status>
direct_pin(Status (*)(Pin, Handshake*, Handshake*), typename detail::type_identity<Pin>::type)
    -> direct_pin<Pin, Handshake, Status>;
template <class Pin, class Handshake, class Status>
direct_pin(Status (*const*)(Pin, Handshake*, Handshake*), typename detail::type_identity<Pin>::type)
    -> direct_pin<Pin, Handshake, Status, true>;

} // namespace kshake
// ---- end kshake/direct.hpp ---------------------------------------------------------------------

// ---- end kshake/kshake.hpp ---------------------------------------------------------------------
