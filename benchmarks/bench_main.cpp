// Google Benchmark timings of a full round trip (initiator -> KsPinHandshake-style call ->
// responder -> back), kshake against every hand-written C pattern and the floor, for every route
// count and case, plus negotiate_first falling through 1, 2 and 3 offers. Names:
// "<implementation>/N=<n>/<case>", "floor/N=1/hit", "floor/N=1/unknown" and
// "<implementation>/negotiate_first/offers=<k>". tools/bench.sh runs them interleaved and
// tools/bench_timings.py takes the medians. Wall-clock timings are noisy on a shared machine;
// tools/bench_instructions.py gives the stable instruction counts.
// Built with BENCH_TARGET_ONLY (kshake_bench_target, tools/bench_timings.py --target): only the
// route counts of the wall-clock target, and per count only its distinct hit routes (first,
// middle, last), the unknown id and the shuffled routes.
// SPDX-License-Identifier: MIT
#include "bench_suites.h"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace {

// The target's route counts; must match target_counts in benchmarks/meson.build.
#define BENCH_TARGET_ROUTE_COUNTS(X) X(1) X(4) X(16)

void round_trip(benchmark::State& state, PFNKSPINHANDSHAKE callback, const BENCH_OFFER* offers,
                std::size_t count) {
    BENCH_CONTEXT context{0x6B7368616B65ULL};
    BENCH_PIN peer{&context, callback};
    BENCH_RESPONSE response{};
    std::size_t next = 0;
    for (auto _ : state) {
        const NTSTATUS s = offers[next](&peer, &response);
        benchmark::DoNotOptimize(s);
        benchmark::DoNotOptimize(response);
        next = next + 1 == count ? 0 : next + 1;
    }
}

// "shuffled": the routes in a fixed pseudo-random order, the same for every implementation (an
// independent benchmark averaged its hits over shuffled routes). Long enough that no branch
// predictor learns the order, short enough for the L1 and L2 caches: it is read in sequence.
constexpr std::size_t shuffled_length = 4096;

const BENCH_OFFER* shuffled_offers(const BENCH_SUITE& suite) {
    static std::deque<std::vector<BENCH_OFFER>> sequences; // outlives every benchmark run
    std::vector<BENCH_OFFER>& offers = sequences.emplace_back(shuffled_length);
    std::uint64_t state = 0x9E3779B97F4A7C15ULL; // one seed: every implementation, one order
    for (BENCH_OFFER& offer : offers) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        offer = suite.Offers[(state >> 33U) % suite.Routes];
    }
    return offers.data();
}

void register_suite(const BENCH_SUITE& suite) {
    const std::string n = std::to_string(suite.Routes);
    const std::string prefix = std::string{suite.Implementation} + "/N=" + n + "/";
    const std::size_t routes[] = {0, suite.Routes / 2, suite.Routes - 1};
    const char* const names[] = {"first", "middle", "last"};
    for (std::size_t c = 0; c < 3; ++c) {
#ifdef BENCH_TARGET_ONLY
        if (c > 0 && routes[c] == routes[c - 1]) {
            continue; // the same route again (N = 1: one route is first, middle and last)
        }
#endif
        benchmark::RegisterBenchmark((prefix + names[c]).c_str(), round_trip, suite.Callback,
                                     suite.Offers + routes[c], std::size_t{1});
    }
#ifndef BENCH_TARGET_ONLY
    benchmark::RegisterBenchmark((prefix + "all").c_str(), round_trip, suite.Callback, suite.Offers,
                                 std::size_t{suite.Routes});
#endif
    benchmark::RegisterBenchmark((prefix + "unknown").c_str(), round_trip, suite.Callback,
                                 &suite.Unknown, std::size_t{1});
    if (suite.Routes > 1) {
        benchmark::RegisterBenchmark((prefix + "shuffled").c_str(), round_trip, suite.Callback,
                                     shuffled_offers(suite), shuffled_length);
    }
}

#ifndef BENCH_TARGET_ONLY
void register_fallback(const BENCH_FALLBACK_SUITE& suite) {
    for (std::size_t k = 0; k < 3; ++k) {
        const std::string name =
            std::string{suite.Implementation} + "/negotiate_first/offers=" + std::to_string(k + 1);
        benchmark::RegisterBenchmark(name.c_str(), round_trip, suite.Callback,
                                     suite.FallThrough + k, std::size_t{1});
    }
}

void register_floor(const BENCH_SUITE& suite) {
    benchmark::RegisterBenchmark("floor/N=1/hit", round_trip, suite.Callback, suite.Offers,
                                 std::size_t{1});
    benchmark::RegisterBenchmark("floor/N=1/unknown", round_trip, suite.Callback, &suite.Unknown,
                                 std::size_t{1});
}
#endif

} // namespace

int main(int argc, char** argv) {
#define BENCH_REGISTER_PATTERN(p, n) register_suite(bench_##p##_suite_##n);
#define BENCH_REGISTER(n)                                                                          \
    register_suite(bench_kshake_suite_##n);                                                        \
    BENCH_C_PATTERNS(BENCH_REGISTER_PATTERN, n)
#ifdef BENCH_TARGET_ONLY
    BENCH_TARGET_ROUTE_COUNTS(BENCH_REGISTER)
#else
    BENCH_ROUTE_COUNTS(BENCH_REGISTER)
    register_floor(bench_floor_suite);
    register_fallback(bench_kshake_fallback);
#define BENCH_REGISTER_FALLBACK(p, unused) register_fallback(bench_##p##_fallback);
    BENCH_C_PATTERNS(BENCH_REGISTER_FALLBACK, 0)
#undef BENCH_REGISTER_FALLBACK
#endif
#undef BENCH_REGISTER
#undef BENCH_REGISTER_PATTERN
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
