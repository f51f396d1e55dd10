/* The suites the generated sources define, one per implementation and route count.
 * BENCH_ROUTE_COUNTS must list the same counts as `route_counts` in benchmarks/meson.build, and
 * BENCH_C_PATTERNS the same patterns as PATTERNS in benchmarks/gen_routes.py.
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_BENCH_SUITES_H
#define KSHAKE_BENCH_SUITES_H

#include "bench_common.h"

#define BENCH_ROUTE_COUNTS(X) X(1) X(2) X(4) X(5) X(8) X(16) X(64) X(256) X(1024)

/* The C patterns' responders (gen_routes.py): X(pattern, n) for each. */
#define BENCH_C_PATTERNS(X, n) X(chain, n) X(inline_chain, n) X(switch, n) X(bsearch, n)

#ifdef __cplusplus
extern "C" {
#endif

/* For each route count n: kshake's suite, each C pattern's suite, and what the C patterns share
 * (c_offers_nN.c): the initiators of the n routes and of the unknown id, and the ids themselves
 * (bench_ids_n[i] is route i's, bench_ids_n[n] the unknown one). */
#define BENCH_DECLARE_PATTERN_SUITE(p, n) extern const BENCH_SUITE bench_##p##_suite_##n;
#define BENCH_DECLARE_SUITES(n)                                                                    \
    extern const BENCH_SUITE bench_kshake_suite_##n;                                               \
    BENCH_C_PATTERNS(BENCH_DECLARE_PATTERN_SUITE, n)                                               \
    extern const BENCH_OFFER bench_c_offers_##n[n];                                                \
    NTSTATUS bench_c_offer_unknown_##n(PKSPIN Peer, BENCH_RESPONSE* Response);                     \
    extern const GUID bench_ids_##n[n + 1];
BENCH_ROUTE_COUNTS(BENCH_DECLARE_SUITES)
#undef BENCH_DECLARE_SUITES

/* The floor (floor.c): the cheapest correct round trip, whatever N; one route and an unknown id. */
extern const BENCH_SUITE bench_floor_suite;
extern const GUID bench_floor_ids[2];

#define BENCH_DECLARE_PATTERN_FALLBACK(p, unused)                                                  \
    extern const BENCH_FALLBACK_SUITE bench_##p##_fallback;
BENCH_C_PATTERNS(BENCH_DECLARE_PATTERN_FALLBACK, 0)
#undef BENCH_DECLARE_PATTERN_FALLBACK
#undef BENCH_DECLARE_PATTERN_SUITE
extern const BENCH_FALLBACK_SUITE bench_kshake_fallback;

/* conformance.c: every implementation against wire.md's cases and kshake's bytes; returns the
 * number of failures (each printed to stderr). */
int BenchConformance(void);

#ifdef __cplusplus
}
#endif

#endif
