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
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "freestanding.hpp"
#include "route_groups.hpp"
#include "route_table.hpp"
#include "same_guid.hpp"
#include "serve_route.hpp"

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
