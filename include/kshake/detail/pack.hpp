// kshake/detail/pack.hpp — a template parameter pack indexed by position or by type, written
// once for the responder's routes, the initiator's offers and their results.
// SPDX-License-Identifier: MIT
#pragma once

#include "freestanding.hpp"

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
