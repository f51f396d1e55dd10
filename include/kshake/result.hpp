// kshake::result — a status or a typed response; never throws, never hands out garbage.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/first_result_parts.hpp"
#include "detail/freestanding.hpp"
#include "detail/pack.hpp"
#include "guid.hpp"
#include "protocol.hpp"
#include "status.hpp"

#include <gsl/assert>

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
