// kshake's own small layer (detail/freestanding.hpp) must mean what the standard library means:
// kernel builds get only the layer, user-mode builds compare it with <type_traits> here.
// SPDX-License-Identifier: MIT
#include <kshake/kshake.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace d = kshake::detail;

namespace {

struct plain {
    int a;
    char b;
};
struct with_constructor {
    with_constructor() noexcept : a{1} {}
    int a;
};
// Exists only to have a user-provided copy constructor (not trivially copyable).
struct with_copy { // NOLINT(cppcoreguidelines-special-member-functions)
    with_copy() = default;
    // NOLINTNEXTLINE(modernize-use-equals-default): user-provided on purpose
    with_copy(const with_copy& other) noexcept : a{other.a} {}
    int a{};
};
class mixed_access {
  public:
    int a;

  private:
    [[maybe_unused]] int b;
};
struct derived_with_data : plain {
    int c;
};
struct convertible_from_int {
    convertible_from_int(int) noexcept {}
};
struct explicit_from_int {
    explicit explicit_from_int(int) noexcept {}
};
union a_union {
    int i;
    float f;
};
enum class an_enum { one };
using a_function = int(int);

template <class T>
constexpr bool traits_agree() {
    return d::is_class_v<T> == std::is_class_v<T> &&
           d::is_trivially_copyable_v<T> == std::is_trivially_copyable_v<T> &&
           d::is_standard_layout_v<T> == std::is_standard_layout_v<T> &&
           d::is_trivial_v<T> == std::is_trivial_v<T> && d::is_const_v<T> == std::is_const_v<T> &&
           (!std::is_object_v<T> || std::is_void_v<T> || std::is_unbounded_array_v<T> ||
            d::has_unique_object_representations_v<T> ==
                std::has_unique_object_representations_v<T>) &&
           d::is_volatile_v<T> == std::is_volatile_v<T> &&
           d::is_reference_v<T> == std::is_reference_v<T> &&
           d::is_pointer_v<T> == std::is_pointer_v<T> &&
           d::is_function_v<T> == std::is_function_v<T> &&
           d::is_object_v<T> == std::is_object_v<T> &&
           std::is_same_v<d::remove_cvref_t<T>, std::remove_cvref_t<T>> &&
           std::is_same_v<d::remove_pointer_t<T>, std::remove_pointer_t<T>> &&
           std::is_same_v<d::remove_reference_t<T>, std::remove_reference_t<T>>;
}

template <class From, class To>
constexpr bool conversions_agree() {
    return d::is_convertible_v<From, To> == std::is_convertible_v<From, To> &&
           d::convertible_to<From, To> == std::convertible_to<From, To>;
}

} // namespace

TEST_CASE("the fixed-width integers are the types <cstdint> names") {
    static_assert(std::is_same_v<kshake::uint8_t, std::uint8_t>);
    static_assert(std::is_same_v<kshake::uint16_t, std::uint16_t>);
    static_assert(std::is_same_v<kshake::uint32_t, std::uint32_t>);
    static_assert(std::is_same_v<kshake::uint64_t, std::uint64_t>);
    static_assert(std::is_same_v<kshake::int32_t, std::int32_t>);
    static_assert(std::is_same_v<kshake::size_t, std::size_t>);
    static_assert(std::is_same_v<d::uintptr_t, std::uintptr_t>);
    static_assert(std::is_same_v<kshake::ntstatus, std::int32_t>);
    CHECK(sizeof(kshake::uint64_t) == 8);
}

TEST_CASE("each type trait answers as <type_traits> does") {
    static_assert(traits_agree<int>());
    static_assert(traits_agree<const int>());
    static_assert(traits_agree<volatile int>());
    static_assert(traits_agree<int*>());
    static_assert(traits_agree<int* const>());
    static_assert(traits_agree<const int* volatile>());
    static_assert(traits_agree<int&>());
    static_assert(traits_agree<const int&&>());
    static_assert(traits_agree<void>());
    static_assert(traits_agree<const void>());
    static_assert(traits_agree<a_function>());
    static_assert(traits_agree<a_function*>());
    static_assert(traits_agree<int[4]>());
    static_assert(traits_agree<plain>());
    static_assert(traits_agree<const plain>());
    static_assert(traits_agree<with_constructor>());
    static_assert(traits_agree<with_copy>());
    static_assert(traits_agree<mixed_access>());
    static_assert(traits_agree<derived_with_data>());
    static_assert(traits_agree<a_union>());
    static_assert(traits_agree<an_enum>());
    static_assert(traits_agree<kshake::guid>());
    CHECK(traits_agree<kshake::handshake>());
}

struct empty_class {};
struct final_class final {
    int x;
};
struct declared_only;

template <class T>
constexpr bool class_traits_agree() {
    return d::is_empty_v<T> == std::is_empty_v<T> && d::is_final_v<T> == std::is_final_v<T>;
}

TEST_CASE("is_empty_v and is_final_v answer as <type_traits> does; complete_type") {
    static_assert(class_traits_agree<int>());
    static_assert(class_traits_agree<plain>());
    static_assert(class_traits_agree<empty_class>());
    static_assert(class_traits_agree<final_class>());
    static_assert(class_traits_agree<a_union>());
    static_assert(d::complete_type<plain> && d::complete_type<int> && d::complete_type<int*>);
    static_assert(!d::complete_type<declared_only> && !d::complete_type<void> &&
                  !d::complete_type<int[]>);
    CHECK(class_traits_agree<kshake::guid>());
}

TEST_CASE("conversions answer as std::is_convertible and std::convertible_to do") {
    static_assert(conversions_agree<int, long>());
    static_assert(conversions_agree<int, convertible_from_int>());
    static_assert(conversions_agree<int, explicit_from_int>());
    static_assert(conversions_agree<long, unsigned int>());
    static_assert(conversions_agree<const char*, const void*>());
    static_assert(conversions_agree<const void*, const char*>());
    static_assert(conversions_agree<derived_with_data&, plain&>());
    static_assert(conversions_agree<const plain&, plain&>());
    static_assert(conversions_agree<plain, plain>());
    static_assert(conversions_agree<int, void>());
    CHECK(conversions_agree<kshake::uint32_t, std::size_t>());
}

TEST_CASE("index sequences, bit_cast and copy_bytes do what their std counterparts do") {
    static_assert(std::is_same_v<d::make_index_sequence<0>, d::index_sequence<>>);
    static_assert(std::is_same_v<d::make_index_sequence<3>, d::index_sequence<0, 1, 2>>);
    static_assert(std::is_same_v<d::index_sequence_for<int, char>, d::index_sequence<0, 1>>);
    static_assert(d::make_index_sequence<1024>::size == 1024);
    static_assert(d::bit_cast<std::uint32_t>(1.0F) == std::bit_cast<std::uint32_t>(1.0F));
    unsigned char from[7] = {1, 2, 3, 4, 5, 6, 7};
    unsigned char to[7] = {};
    d::copy_bytes(to, from, sizeof from);
    CHECK(std::memcmp(to, from, sizeof from) == 0);
    // cl.exe's copy_bytes, run here: every byte, none past the count.
    unsigned char looped[8] = {0, 0, 0, 0, 0, 0, 0, 0xEE};
    d::copy_bytes_in_a_loop(looped, from, sizeof from);
    CHECK(std::memcmp(looped, from, sizeof from) == 0);
    CHECK(looped[7] == 0xEE);
    static_assert(KSHAKE_OFFSETOF(kshake::handshake, argument2) ==
                  offsetof(kshake::handshake, argument2));
}
