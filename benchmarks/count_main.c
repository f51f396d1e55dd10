/* The instruction-count harness: runs every benchmark case for every implementation (kshake, the
 * C patterns, the floor), checks that all give the same answers (status, route, value, cookie,
 * and nothing written on a refusal) for every call, after conformance.c has checked that they
 * make the same checks and writes, and brackets each measured loop with callgrind client
 * requests, so that under
 *   valgrind --tool=callgrind --collect-atstart=no ./kshake_count
 * each case becomes one dump ("Trigger: Client Request: <case>") holding only that loop's
 * instructions (the dumps named "discard" hold the set-up between them). Outside valgrind the
 * requests do nothing. tools/bench_instructions.py runs it, subtracts the "empty" case of the same
 * length (the same loop calling a function that does nothing) and divides by the iteration count.
 * Prints one line per case: "<implementation>:<routes>:<case> <iterations>".
 * SPDX-License-Identifier: MIT */
#include "bench_suites.h"

#include <valgrind/callgrind.h>

#include <stdio.h>
#include <stdlib.h>

#define SEQUENCE_CAPACITY 2048u

/* The measured loop: Length calls (2048, or for the average over N routes the largest multiple
 * of N up to 2048, so that every route is called equally often). */
static BENCH_OFFER Sequence[SEQUENCE_CAPACITY];
static unsigned Expected[SEQUENCE_CAPACITY]; /* the route that must answer, or ~0u for a refusal */
static unsigned Length = SEQUENCE_CAPACITY;
static int Failures;

__attribute__((noinline)) static NTSTATUS EmptyOffer(PKSPIN Peer, BENCH_RESPONSE* Response) {
    __asm__ volatile("" : : "r"(Peer), "r"(Response) : "memory");
    return STATUS_SUCCESS;
}

__attribute__((noinline)) static NTSTATUS RunSequence(PKSPIN Peer) {
    NTSTATUS Any = 0;
    BENCH_RESPONSE Response;
    unsigned i;
    for (i = 0; i < Length; ++i) {
        Any |= Sequence[i](Peer, &Response);
    }
    return Any;
}

static void Check(const char* Name, PKSPIN Peer, NTSTATUS Refusal) {
    unsigned i;
    for (i = 0; i < Length; ++i) {
        BENCH_RESPONSE Response = {0u, 0u, 0u};
        const NTSTATUS Status = Sequence[i](Peer, &Response);
        const int Good = Expected[i] == ~0u
                             ? Status == Refusal && Response.Value == 0u && Response.Route == 0u &&
                                   Response.Cookie == 0u
                             : Status == STATUS_SUCCESS && Response.Route == Expected[i] + 1u &&
                                   Response.Value == 2u * Expected[i] + 1u &&
                                   Response.Cookie == ((const BENCH_CONTEXT*)Peer->Context)->Cookie;
        if (!Good) {
            fprintf(stderr, "kshake_count: %s: call %u returned 0x%08X, route %u (expected %u)\n",
                    Name, i, (unsigned)Status, Response.Route, Expected[i]);
            ++Failures;
            return;
        }
    }
}

/* The loop lengths measured, each to be measured again calling EmptyOffer. */
static unsigned Lengths[4];
static unsigned LengthCount;

static void RememberLength(void) {
    unsigned i;
    for (i = 0; i < LengthCount; ++i) {
        if (Lengths[i] == Length) {
            return;
        }
    }
    if (LengthCount < sizeof Lengths / sizeof Lengths[0]) {
        Lengths[LengthCount++] = Length;
    }
}

static void Measure(const char* Name, PKSPIN Peer) {
    /* Warm-up, which resolves lazy bindings outside the measured loop. It is collected and dumped
     * as "discard" rather than thrown away with CALLGRIND_ZERO_STATS: callgrind counts calls
     * while collection is off (the checks) and resets a call count only when it dumps the call
     * with some cost, so the measured dump counts only its own calls. */
    CALLGRIND_TOGGLE_COLLECT;
    (void)RunSequence(Peer);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT("discard");
    CALLGRIND_TOGGLE_COLLECT;
    (void)RunSequence(Peer);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(Name);
    printf("%s %u\n", Name, Length);
    RememberLength();
}

static void Fill(BENCH_OFFER Offer, unsigned Route) {
    unsigned i;
    Length = SEQUENCE_CAPACITY;
    for (i = 0; i < Length; ++i) {
        Sequence[i] = Offer;
        Expected[i] = Route;
    }
}

static void RunSuite(const BENCH_SUITE* Suite) {
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
        /* Route i's request carries i as Value, and it answers 2i + 1 (its tag is i + 1). */
        snprintf(Name, sizeof Name, "%s:%u:%s", Suite->Implementation, N, Names[c]);
        Check(Name, &Peer, 0);
        Measure(Name, &Peer);
    }
    Length = SEQUENCE_CAPACITY - SEQUENCE_CAPACITY % N;
    for (i = 0; i < Length; ++i) {
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

/* The floor: one route ("hit") and the unknown id. */
static void RunFloor(const BENCH_SUITE* Suite) {
    BENCH_CONTEXT Context = {0x6B7368616B65ull};
    BENCH_PIN Peer = {&Context, Suite->Callback};
    Fill(Suite->Offers[0], 0u);
    Check("floor:1:hit", &Peer, 0);
    Measure("floor:1:hit", &Peer);
    Fill(Suite->Unknown, ~0u);
    Check("floor:1:unknown", &Peer, STATUS_INVALID_DEVICE_REQUEST);
    Measure("floor:1:unknown", &Peer);
}

static void RunFallback(const BENCH_FALLBACK_SUITE* Suite) {
    BENCH_CONTEXT Context = {0x6B7368616B65ull};
    BENCH_PIN Peer = {&Context, Suite->Callback};
    char Name[64];
    unsigned k;
    for (k = 1; k <= 3; ++k) {
        unsigned i;
        Fill(Suite->FallThrough[k - 1], 0u);
        snprintf(Name, sizeof Name, "%s:4:fallthrough%u", Suite->Implementation, k);
        /* The pool request carries 7, so the pool route (0, tag 1) answers 8. */
        for (i = 0; i < Length; ++i) {
            BENCH_RESPONSE Response = {0u, 0u, 0u};
            const NTSTATUS Status = Sequence[i](&Peer, &Response);
            if (Status != STATUS_SUCCESS || Response.Route != 1u || Response.Value != 8u ||
                Response.Cookie != Context.Cookie) {
                fprintf(stderr, "kshake_count: %s: returned 0x%08X\n", Name, (unsigned)Status);
                ++Failures;
                break;
            }
        }
        Measure(Name, &Peer);
    }
}

int main(void) {
    BENCH_CONTEXT Context = {0u};
    BENCH_PIN Peer = {&Context, NULL};
    Failures = BenchConformance();
    if (Failures != 0) {
        fprintf(stderr, "kshake_count: %d conformance failure(s)\n", Failures);
        return EXIT_FAILURE;
    }
#define BENCH_RUN_PATTERN(p, n) RunSuite(&bench_##p##_suite_##n);
#define BENCH_RUN(n)                                                                               \
    RunSuite(&bench_kshake_suite_##n);                                                             \
    BENCH_C_PATTERNS(BENCH_RUN_PATTERN, n)
    BENCH_ROUTE_COUNTS(BENCH_RUN)
#undef BENCH_RUN
    RunFloor(&bench_floor_suite);
    RunFallback(&bench_kshake_fallback);
#define BENCH_RUN_FALLBACK(p, unused) RunFallback(&bench_##p##_fallback);
    BENCH_C_PATTERNS(BENCH_RUN_FALLBACK, 0)
#undef BENCH_RUN_FALLBACK
#undef BENCH_RUN_PATTERN
    /* The harness's own cost: the same loop, of each length measured, calling an empty function
     * (tools/bench_instructions.py subtracts it from every case of that length). */
    {
        const unsigned Count = LengthCount;
        unsigned l;
        for (l = 0; l < Count; ++l) {
            char Name[64];
            Fill(EmptyOffer, ~0u);
            Length = Lengths[l];
            snprintf(Name, sizeof Name, "empty:%u:empty", Length);
            Measure(Name, &Peer);
        }
    }
    if (Failures != 0) {
        fprintf(stderr, "kshake_count: %d case(s) gave wrong answers\n", Failures);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
