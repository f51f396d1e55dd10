// Google Benchmark timings of a full round trip (initiator -> KsPinHandshake-style call ->
// responder -> back), kshake against every hand-written C pattern and the floor, for every route
// count and case, plus negotiate_first falling through 1, 2 and 3 offers. Names:
// "<implementation>/N=<n>/<case>", "floor/N=1/hit", "floor/N=1/unknown" and
// "<implementation>/negotiate_first/offers=<k>". tools/bench.sh runs them interleaved and
// tools/bench_timings.py takes the medians. Wall-clock timings are noisy on a shared machine;
// tools/bench_instructions.py gives the stable instruction counts.
// SPDX-License-Identifier: MIT
#include "bench_suites.h"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>

namespace {

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

void register_suite(const BENCH_SUITE& suite) {
    const std::string n = std::to_string(suite.Routes);
    const std::string prefix = std::string{suite.Implementation} + "/N=" + n + "/";
    const std::size_t routes[] = {0, suite.Routes / 2, suite.Routes - 1};
    const char* const names[] = {"first", "middle", "last"};
    for (std::size_t c = 0; c < 3; ++c) {
        benchmark::RegisterBenchmark((prefix + names[c]).c_str(), round_trip, suite.Callback,
                                     suite.Offers + routes[c], std::size_t{1});
    }
    benchmark::RegisterBenchmark((prefix + "all").c_str(), round_trip, suite.Callback, suite.Offers,
                                 std::size_t{suite.Routes});
    benchmark::RegisterBenchmark((prefix + "unknown").c_str(), round_trip, suite.Callback,
                                 &suite.Unknown, std::size_t{1});
}

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

} // namespace

int main(int argc, char** argv) {
#define BENCH_REGISTER_PATTERN(p, n) register_suite(bench_##p##_suite_##n);
#define BENCH_REGISTER(n)                                                                          \
    register_suite(bench_kshake_suite_##n);                                                        \
    BENCH_C_PATTERNS(BENCH_REGISTER_PATTERN, n)
    BENCH_ROUTE_COUNTS(BENCH_REGISTER)
#undef BENCH_REGISTER
    register_floor(bench_floor_suite);
    register_fallback(bench_kshake_fallback);
#define BENCH_REGISTER_FALLBACK(p, unused) register_fallback(bench_##p##_fallback);
    BENCH_C_PATTERNS(BENCH_REGISTER_FALLBACK, 0)
#undef BENCH_REGISTER_FALLBACK
#undef BENCH_REGISTER_PATTERN
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
