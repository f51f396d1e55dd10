// "Benchmark your own protocols": the harness tools/bench_protocols.py builds for a user's header,
// with every case of every implementation (kshake, and the generated C chain and switch).
//   bench_user check               runs each case once, its response buffer filled with 0xA5:
//                                  "status <impl> <offer> <case> <status hex> <untouched: 1|0>"
//   bench_user count               under valgrind --tool=callgrind --collect-atstart=no: each
//                                  case's loop of calls (and an empty loop) as its own dump,
//                                  named "<impl>/<offer>/<case>"; prints "loop <name> <calls>"
//   bench_user time ROUNDS CALLS   interleaved rounds in this one process: in each round every
//                                  case in a new random order, CALLS calls timed together;
//                                  prints "time <impl>/<offer>/<case> <ns per call>" per round
// SPDX-License-Identifier: MIT
#include "user_common.h"

#include BENCH_USER_HEADER

#include <valgrind/callgrind.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr unsigned loop_calls = 1024;

std::vector<BENCH_USER_CASE> all_cases() {
    std::vector<BENCH_USER_CASE> cases(bench_user_kshake_cases,
                                       bench_user_kshake_cases + bench_user_kshake_case_count);
    cases.insert(cases.end(), bench_user_c_cases, bench_user_c_cases + bench_user_c_case_count);
    return cases;
}

std::string name_of(const BENCH_USER_CASE& c) {
    const std::string offer = c.Offer == ~0U ? std::string{"all"} : std::to_string(c.Offer);
    return std::string{c.Implementation} + "/" + offer + "/" + c.Case;
}

alignas(16) unsigned char response[BENCH_USER_RESPONSE_CAPACITY];

__attribute__((noinline)) NTSTATUS run(BENCH_USER_OFFER offer, PKSPIN peer, unsigned calls) {
    NTSTATUS any = 0;
    for (unsigned i = 0; i < calls; ++i) {
        any |= offer(peer, response);
    }
    return any;
}

__attribute__((noinline)) NTSTATUS empty_offer(PKSPIN peer, void* out) {
    __asm__ volatile("" : : "r"(peer), "r"(out) : "memory");
    return STATUS_SUCCESS;
}

int check(const std::vector<BENCH_USER_CASE>& cases) {
    for (const auto& c : cases) {
        BENCH_PIN peer{&bench_context, c.Callback};
        std::memset(response, 0xA5, sizeof response);
        const NTSTATUS s = c.Run(&peer, response);
        bool untouched = true;
        for (const unsigned char b : response) {
            untouched = untouched && b == 0xA5;
        }
        std::printf("status %s %s %s 0x%08X %d\n", c.Implementation,
                    c.Offer == ~0U ? "all" : std::to_string(c.Offer).c_str(), c.Case,
                    static_cast<unsigned>(s), untouched ? 1 : 0);
    }
    return 0;
}

int count(const std::vector<BENCH_USER_CASE>& cases) {
    auto measure = [](const std::string& name, BENCH_USER_OFFER offer, PKSPIN peer) {
        // A warm-up, collected and dumped apart, resolves lazy bindings outside the loop.
        CALLGRIND_TOGGLE_COLLECT;
        static_cast<void>(run(offer, peer, loop_calls));
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_DUMP_STATS_AT("discard");
        CALLGRIND_TOGGLE_COLLECT;
        static_cast<void>(run(offer, peer, loop_calls));
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_DUMP_STATS_AT(name.c_str());
        std::printf("loop %s %u\n", name.c_str(), loop_calls);
    };
    BENCH_PIN nobody{&bench_context, nullptr};
    measure("empty/0/loop", &empty_offer, &nobody);
    for (const auto& c : cases) {
        BENCH_PIN peer{&bench_context, c.Callback};
        measure(name_of(c), c.Run, &peer);
    }
    return 0;
}

int time_rounds(const std::vector<BENCH_USER_CASE>& cases, unsigned rounds, unsigned calls) {
    std::vector<std::size_t> order(cases.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::mt19937 random{0x6B7368U};
    std::vector<std::string> names;
    for (const auto& c : cases) {
        names.push_back(name_of(c));
    }
    for (unsigned r = 0; r < rounds; ++r) {
        std::shuffle(order.begin(), order.end(), random);
        for (const std::size_t i : order) {
            BENCH_PIN peer{&bench_context, cases[i].Callback};
            static_cast<void>(run(cases[i].Run, &peer, 16)); // warm the branch predictors
            const auto start = std::chrono::steady_clock::now();
            static_cast<void>(run(cases[i].Run, &peer, calls));
            const auto stop = std::chrono::steady_clock::now();
            const double ns = std::chrono::duration<double, std::nano>(stop - start).count();
            std::printf("time %s %.4f\n", names[i].c_str(), ns / calls);
        }
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    bench_user_init();
    const auto cases = all_cases();
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "check") {
        return check(cases);
    }
    if (mode == "count") {
        return count(cases);
    }
    if (mode == "time" && argc == 4) {
        const long rounds = std::strtol(argv[2], nullptr, 10);
        const long calls = std::strtol(argv[3], nullptr, 10);
        if (rounds > 0 && calls > 0) {
            return time_rounds(cases, static_cast<unsigned>(rounds), static_cast<unsigned>(calls));
        }
    }
    std::fprintf(stderr, "usage: %s check | count | time ROUNDS CALLS\n", argv[0]);
    return 2;
}
