// A perfect hash from protocol id to route index, built at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "freestanding.hpp"
#include "same_guid.hpp"

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
