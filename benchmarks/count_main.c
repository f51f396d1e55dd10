/* The instruction-count harness: runs every benchmark case for both implementations, checks
 * that both give the same answers, and brackets each measured loop with callgrind client
 * requests, so that under
 *   valgrind --tool=callgrind --collect-atstart=no ./kshake_count
 * each case becomes one dump ("Trigger: Client Request: <case>") holding only that loop's
 * instructions. Outside valgrind the requests do nothing. tools/bench_instructions.py runs it,
 * subtracts the "empty" case (the same loop calling a function that does nothing) and divides by
 * the iteration count. Prints one line per case: "<case> <iterations>".
 * SPDX-License-Identifier: MIT */
#include "bench_suites.h"

#include <valgrind/callgrind.h>

#include <stdio.h>
#include <stdlib.h>

#define SEQUENCE_LENGTH 2048u /* a multiple of every route count */

static BENCH_OFFER Sequence[SEQUENCE_LENGTH];
static unsigned Expected[SEQUENCE_LENGTH]; /* the route that must answer, or ~0u for a refusal */
static int Failures;

__attribute__((noinline)) static NTSTATUS EmptyOffer(PKSPIN Peer, BENCH_RESPONSE* Response)
{
    __asm__ volatile("" : : "r"(Peer), "r"(Response) : "memory");
    return STATUS_SUCCESS;
}

__attribute__((noinline)) static NTSTATUS RunSequence(PKSPIN Peer)
{
    NTSTATUS Any = 0;
    BENCH_RESPONSE Response;
    unsigned i;
    for (i = 0; i < SEQUENCE_LENGTH; ++i) {
        Any |= Sequence[i](Peer, &Response);
    }
    return Any;
}

static void Check(const char* Name, PKSPIN Peer, NTSTATUS Refusal)
{
    unsigned i;
    for (i = 0; i < SEQUENCE_LENGTH; ++i) {
        BENCH_RESPONSE Response = {0u, 0u, 0u};
        const NTSTATUS Status = Sequence[i](Peer, &Response);
        const int Good = Expected[i] == ~0u
                             ? Status == Refusal
                             : Status == STATUS_SUCCESS && Response.Route == Expected[i] &&
                                   Response.Value == 2u * Expected[i] &&
                                   Response.Cookie == ((const BENCH_CONTEXT*)Peer->Context)->Cookie;
        if (!Good) {
            fprintf(stderr, "kshake_count: %s: call %u returned 0x%08X, route %u (expected %u)\n",
                    Name, i, (unsigned)Status, Response.Route, Expected[i]);
            ++Failures;
            return;
        }
    }
}

static void Measure(const char* Name, PKSPIN Peer)
{
    (void)RunSequence(Peer); /* warm-up: resolves lazy bindings outside the measured region */
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    (void)RunSequence(Peer);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(Name);
    printf("%s %u\n", Name, SEQUENCE_LENGTH);
}

static void Fill(BENCH_OFFER Offer, unsigned Route)
{
    unsigned i;
    for (i = 0; i < SEQUENCE_LENGTH; ++i) {
        Sequence[i] = Offer;
        Expected[i] = Route;
    }
}

static void RunSuite(const BENCH_SUITE* Suite)
{
    BENCH_CONTEXT Context = {0x6B7368616B65ull};
    BENCH_PIN Peer = {&Context, Suite->Callback};
    const unsigned N = Suite->Routes;
    const unsigned Routes[3] = {0u, N / 2u, N - 1u};
    const char* const Names[3] = {"first", "middle", "last"};
    char Name[64];
    unsigned c;
    unsigned i;

    for (c = 0; c < 3; ++c) {
        Fill(Suite->Offers[Routes[c]], Routes[c]);
        /* Each route's request carries its own index as Value, so Value doubles on the way. */
        snprintf(Name, sizeof Name, "%s:%u:%s", Suite->Implementation, N, Names[c]);
        Check(Name, &Peer, 0);
        Measure(Name, &Peer);
    }
    for (i = 0; i < SEQUENCE_LENGTH; ++i) {
        Sequence[i] = Suite->Offers[i % N];
        Expected[i] = i % N;
    }
    snprintf(Name, sizeof Name, "%s:%u:all", Suite->Implementation, N);
    Check(Name, &Peer, 0);
    Measure(Name, &Peer);
    Fill(Suite->Unknown, ~0u);
    snprintf(Name, sizeof Name, "%s:%u:unknown", Suite->Implementation, N);
    Check(Name, &Peer, STATUS_INVALID_DEVICE_REQUEST);
    Measure(Name, &Peer);
}

static void RunFallback(const BENCH_FALLBACK_SUITE* Suite)
{
    BENCH_CONTEXT Context = {0x6B7368616B65ull};
    BENCH_PIN Peer = {&Context, Suite->Callback};
    char Name[64];
    unsigned k;
    for (k = 1; k <= 3; ++k) {
        Fill(Suite->FallThrough[k - 1], 0u);
        snprintf(Name, sizeof Name, "%s:4:first%u", Suite->Implementation, k);
        /* The pool request carries 7, so the pool route (0) answers 7, not 0. */
        for (unsigned i = 0; i < SEQUENCE_LENGTH; ++i) {
            BENCH_RESPONSE Response = {0u, 0u, 0u};
            const NTSTATUS Status = Sequence[i](&Peer, &Response);
            if (Status != STATUS_SUCCESS || Response.Route != 0u || Response.Value != 7u) {
                fprintf(stderr, "kshake_count: %s: returned 0x%08X\n", Name, (unsigned)Status);
                ++Failures;
                break;
            }
        }
        Measure(Name, &Peer);
    }
}

int main(void)
{
    BENCH_CONTEXT Context = {0u};
    BENCH_PIN Peer = {&Context, NULL};
#define BENCH_RUN(n)                                                                              \
    RunSuite(&bench_c_suite_##n);                                                                 \
    RunSuite(&bench_kshake_suite_##n);
    BENCH_ROUTE_COUNTS(BENCH_RUN)
#undef BENCH_RUN
    RunFallback(&bench_c_fallback);
    RunFallback(&bench_kshake_fallback);
    Fill(EmptyOffer, ~0u);
    Measure("empty:0:empty", &Peer);
    if (Failures != 0) {
        fprintf(stderr, "kshake_count: %d case(s) gave wrong answers\n", Failures);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
