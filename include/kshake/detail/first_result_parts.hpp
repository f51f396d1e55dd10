// kshake/detail/first_result_parts.hpp — what kshake::first_result (kshake/result.hpp) is built
// from: its response storage, the refusals of its offers, and the one way negotiate_first writes
// its outcome into it.
// SPDX-License-Identifier: MIT
#pragma once

#include "../protocol.hpp"
#include "../status.hpp"
#include "freestanding.hpp"
#include "pack.hpp"

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
