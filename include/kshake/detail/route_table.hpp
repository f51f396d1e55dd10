// A perfect hash from protocol id to route index, built at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "freestanding.hpp"
#include "same_guid.hpp"

namespace kshake::detail {

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
inline constexpr uint64_t slot_multiplier = 0xC2B2AE3D27D4EB4FULL;
inline constexpr uint64_t fold_multipliers[] = {0xFF51AFD7ED558CCDULL, 0xC4CEB9FE1A85EC53ULL,
                                                0x94D049BB133111EBULL, 0xBF58476D1CE4E5B9ULL};

// Hash and displace (the two-level scheme of CHD and of the `frozen` library): a key's bucket
// picks a displacement that sends every key of that bucket to its own slot. A lookup is a fold,
// two multiplies, two table reads and one full compare, whatever the number of routes; a sorted
// table would cost log2(N) compares (10 at N = 1024), which the flat-dispatch target forbids.
// Tables hold 2 slots per route (load 1/2), so every bucket finds a displacement quickly at
// compile time.
template <size_t N>
struct route_table {
    static_assert(N >= 2 && N < 65535, "kshake: a responder holds 1 to 65534 routes");
    static constexpr unsigned bucket_bits = bits_for(N);
    static constexpr unsigned slot_bits = bucket_bits + 1;
    static constexpr size_t buckets = size_t{1} << bucket_bits;
    static constexpr size_t slots = size_t{1} << slot_bits;
    static constexpr uint16_t empty = static_cast<uint16_t>(N);

    uint64_t fold_multiplier{};
    uint64_t displacement[buckets]{};
    uint16_t route_at[slots]{};
    bool built{false};

    [[nodiscard]] static constexpr size_t bucket_of(uint64_t key) noexcept {
        return static_cast<size_t>((key * bucket_multiplier) >> (64U - bucket_bits));
    }
    [[nodiscard]] static constexpr size_t slot_of(uint64_t key, uint64_t displacement) noexcept {
        return static_cast<size_t>(((key ^ displacement) * slot_multiplier) >> (64U - slot_bits));
    }

    // The only slot where `id` may be: each route's id has a slot of its own.
    [[nodiscard]] constexpr size_t slot_of_id(const guid& id) const noexcept {
        const uint64_t key = fold_guid(id, fold_multiplier);
        return slot_of(key, displacement[bucket_of(key)]);
    }

    // The index of the route whose id may equal `id`, or N. The caller confirms with same_guid.
    [[nodiscard]] constexpr size_t find(const guid& id) const noexcept {
        return route_at[slot_of_id(id)];
    }
};

// Builds the table for distinct ids; `built` is false only if no fold multiplier separates
// them (two different ids with equal 64-bit folds under all four: astronomically unlikely).
template <size_t N>
// NOLINTNEXTLINE(readability-function-cognitive-complexity): compile-time only; one CHD pass
[[nodiscard]] consteval route_table<N> build_route_table(const guid (&ids)[N]) noexcept {
    using table = route_table<N>;
    for (const uint64_t multiplier : fold_multipliers) {
        table t{};
        t.fold_multiplier = multiplier;
        uint64_t keys[N]{};
        for (size_t i = 0; i < N; ++i) {
            keys[i] = fold_guid(ids[i], multiplier);
        }
        // Counting sort of the routes by bucket.
        size_t start[table::buckets + 1]{};
        for (size_t i = 0; i < N; ++i) {
            ++start[table::bucket_of(keys[i]) + 1];
        }
        size_t largest = 0;
        for (size_t b = 0; b < table::buckets; ++b) {
            largest = start[b + 1] > largest ? start[b + 1] : largest;
            start[b + 1] += start[b];
        }
        size_t order[N]{};
        size_t fill[table::buckets]{};
        for (size_t i = 0; i < N; ++i) {
            const size_t b = table::bucket_of(keys[i]);
            order[start[b] + fill[b]++] = i;
        }
        for (size_t s = 0; s < table::slots; ++s) {
            t.route_at[s] = table::empty;
        }
        bool ok = true;
        // Fullest buckets first, while the table is emptiest.
        for (size_t size = largest; size > 0 && ok; --size) {
            for (size_t b = 0; b < table::buckets && ok; ++b) {
                if (start[b + 1] - start[b] != size) {
                    continue;
                }
                bool placed = false;
                for (uint64_t seed = 0; seed < 100000 && !placed; ++seed) {
                    const uint64_t d = seed * 0xD6E8FEB86659FD93ULL;
                    size_t chosen[N > 64 ? 64 : N]{};
                    bool fits = true;
                    for (size_t k = 0; k < size && fits; ++k) {
                        const size_t slot = table::slot_of(keys[order[start[b] + k]], d);
                        fits = t.route_at[slot] == table::empty;
                        for (size_t j = 0; j < k && fits; ++j) {
                            fits = chosen[j] != slot;
                        }
                        if (k < 64) {
                            chosen[k] = slot;
                        } else {
                            fits = false;
                        }
                    }
                    if (fits) {
                        t.displacement[b] = d;
                        for (size_t k = 0; k < size; ++k) {
                            t.route_at[chosen[k]] = static_cast<uint16_t>(order[start[b] + k]);
                        }
                        placed = true;
                    }
                }
                ok = placed;
            }
        }
        if (ok) {
            t.built = true;
            return t;
        }
    }
    return table{};
}

} // namespace kshake::detail
