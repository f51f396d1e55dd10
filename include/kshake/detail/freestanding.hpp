// The little of the C++ standard library kshake needs, from compiler built-ins only.
// SPDX-License-Identifier: MIT
#pragma once

// A WDK kernel project has no C++ standard library on its include path (Visual C++'s own
// include folder is not on it), and parts of the library call into a C++ runtime a driver does
// not link. So kshake includes no standard header in any mode, as wil's wistd_* headers do for
// the same reason: each name below is a built-in that g++ (12+), clang and MSVC share, or a few
// lines of templates. One code path for kernel and user mode; user-mode tests check that each
// name equals its std:: counterpart (tests/freestanding_test.cpp).

#include "../config.hpp"

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
