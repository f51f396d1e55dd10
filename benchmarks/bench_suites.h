/* The suites the generated sources define, one per implementation and route count.
 * BENCH_ROUTE_COUNTS must list the same counts as `route_counts` in benchmarks/meson.build.
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_BENCH_SUITES_H
#define KSHAKE_BENCH_SUITES_H

#include "bench_common.h"

#define BENCH_ROUTE_COUNTS(X) X(1) X(4) X(16) X(64) X(256) X(1024)

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_DECLARE_SUITES(n)                                                                   \
    extern const BENCH_SUITE bench_c_suite_##n;                                                   \
    extern const BENCH_SUITE bench_kshake_suite_##n;
BENCH_ROUTE_COUNTS(BENCH_DECLARE_SUITES)
#undef BENCH_DECLARE_SUITES

extern const BENCH_FALLBACK_SUITE bench_c_fallback;
extern const BENCH_FALLBACK_SUITE bench_kshake_fallback;

#ifdef __cplusplus
}
#endif

#endif
