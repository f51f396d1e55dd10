// A responder's routes grouped by protocol id: one id may be served by several routes, each for
// its own version range (typed versions, docs/wire.md §3). Computed at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "freestanding.hpp"
#include "route_table.hpp"
#include "same_guid.hpp"

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
