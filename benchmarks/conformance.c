/* Before anything is counted or timed: every implementation must make the same checks and the
 * same writes, not only give the same answers on the measured path. Each responder (kshake, each
 * C pattern, the floor) is called directly with the requests of docs/wire.md 2.3 (every check, and
 * the order of two of them), and each initiator (a single offer and negotiate_first's loop) talks
 * to a scripted peer that answers as 2.5 lists (another success code, a failure status, a success
 * that breaks R1-R5, a refusal in the middle of a fall-through). The status must be the one the
 * contract prescribes, and every byte the implementation wrote (Out, the envelopes, the caller's
 * response, the versions offered) must be the same as kshake's for the same route count.
 * The floor is held to the same, except for what it leaves out by definition (floor.c): it is not
 * called with a null In, Out, pin or context, and not answered by a peer that writes nothing.
 * SPDX-License-Identifier: MIT */
#include "baseline.h"
#include "bench_suites.h"

#include <stdio.h>
#include <stdlib.h>

#define STATUS_PENDING BENCH_STATUS(0x00000103U)
#define STATUS_INFORMATIONAL BENCH_STATUS(0x40000000U)
#define STATUS_BUFFER_OVERFLOW BENCH_STATUS(0x80000005U)

#define ARENA_SIZE 256u
#define IN_AT 0u
#define OUT_AT 64u
#define REQUEST_AT 128u
#define RESPONSE_AT 192u
#define COOKIE 0x6B7368616B65ull

/* In, Out and both envelopes live in one allocation, so a case can place the response envelope
 * against or across Out, and every implementation sees the same addresses. */
static unsigned char* Arena;
static int Failures;

typedef struct {
    const char* Name;
    int Id;          /* 0: the route's id, 1: the unknown id */
    int NullIn;      /* In passed as NULL */
    int NullOut;     /* Out passed as NULL */
    int Pin;         /* 0: a pin with a context, 1: no pin, 2: a pin without a context */
    int NullRequest; /* In.Argument1 NULL */
    int NullResponse;
    ULONG RequestSize;
    ULONG RequestVersion;
    ULONG Capacity;
    unsigned ResponseAt; /* offset of the response envelope in the arena */
    NTSTATUS Expected;
    int FloorSkips; /* a check the floor leaves out */
} RESPONDER_CASE;

static const RESPONDER_CASE ResponderCases[] = {
    {"served", 0, 0, 0, 0, 0, 0, 16, 1, 24, RESPONSE_AT, STATUS_SUCCESS, 0},
    {"served, larger request size and capacity", 0, 0, 0, 0, 0, 0, 40, 1, 48, RESPONSE_AT,
     STATUS_SUCCESS, 0},
    {"response envelope just before Out", 0, 0, 0, 0, 0, 0, 16, 1, 24, OUT_AT - 24, STATUS_SUCCESS,
     0},
    {"response envelope just after Out", 0, 0, 0, 0, 0, 0, 16, 1, 24, OUT_AT + 32, STATUS_SUCCESS,
     0},
    {"check 1: In null", 0, 1, 0, 0, 0, 0, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_PARAMETER, 1},
    {"check 1: Out null", 0, 0, 1, 0, 0, 0, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_PARAMETER, 1},
    {"check 2: no pin", 0, 0, 0, 1, 0, 0, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_DEVICE_STATE, 1},
    {"check 2: no context", 0, 0, 0, 2, 0, 0, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_DEVICE_STATE,
     1},
    {"check 3: unknown id", 1, 0, 0, 0, 0, 0, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_DEVICE_REQUEST,
     0},
    {"check 3 before 4: unknown id, Argument1 null", 1, 0, 0, 0, 1, 0, 16, 1, 24, RESPONSE_AT,
     STATUS_INVALID_DEVICE_REQUEST, 0},
    {"check 4: Argument1 null", 0, 0, 0, 0, 1, 0, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_PARAMETER,
     0},
    {"check 4: Argument2 null", 0, 0, 0, 0, 0, 1, 16, 1, 24, RESPONSE_AT, STATUS_INVALID_PARAMETER,
     0},
    {"check 5: version 0", 0, 0, 0, 0, 0, 0, 16, 0, 24, RESPONSE_AT, STATUS_REVISION_MISMATCH, 0},
    {"check 5: version 2", 0, 0, 0, 0, 0, 0, 16, 2, 24, RESPONSE_AT, STATUS_REVISION_MISMATCH, 0},
    {"check 5 before 6: version 2, size 0", 0, 0, 0, 0, 0, 0, 0, 2, 24, RESPONSE_AT,
     STATUS_REVISION_MISMATCH, 0},
    {"check 6: request size 15", 0, 0, 0, 0, 0, 0, 15, 1, 24, RESPONSE_AT,
     STATUS_INVALID_BUFFER_SIZE, 0},
    {"check 7: capacity 23", 0, 0, 0, 0, 0, 0, 16, 1, 23, RESPONSE_AT, STATUS_BUFFER_TOO_SMALL, 0},
    {"check 7 before 8: capacity 8, envelope across Out", 0, 0, 0, 0, 0, 0, 16, 1, 8, OUT_AT + 8,
     STATUS_BUFFER_TOO_SMALL, 0},
    {"check 8: envelope across Out's start", 0, 0, 0, 0, 0, 0, 16, 1, 24, OUT_AT - 16,
     STATUS_INVALID_PARAMETER, 0},
    {"check 8: envelope across Out's end", 0, 0, 0, 0, 0, 0, 16, 1, 24, OUT_AT + 24,
     STATUS_INVALID_PARAMETER, 0},
};

typedef struct {
    NTSTATUS Status;
    unsigned char Bytes[ARENA_SIZE];
} RESPONDER_RESULT;

static void Put32(unsigned Offset, ULONG Value) { memcpy(Arena + Offset, &Value, sizeof Value); }

static void CallResponder(PFNKSPINHANDSHAKE Callback, const GUID* Id, ULONG Route,
                          const RESPONDER_CASE* Case, RESPONDER_RESULT* Result) {
    BENCH_CONTEXT Context = {COOKIE};
    BENCH_PIN Pin = {&Context, Callback};
    KSHANDSHAKE In;
    PKSPIN PinArgument = &Pin;
    const ULONG RequestBody[2] = {5u + Route, 0u};

    memset(Arena, 0xA5, ARENA_SIZE);
    In.ProtocolId = *Id;
    In.Argument1 = Case->NullRequest ? NULL : Arena + REQUEST_AT;
    In.Argument2 = Case->NullResponse ? NULL : Arena + Case->ResponseAt;
    memcpy(Arena + IN_AT, &In, sizeof In);
    Put32(REQUEST_AT, Case->RequestSize);
    Put32(REQUEST_AT + 4, Case->RequestVersion);
    memcpy(Arena + REQUEST_AT + 8, RequestBody, sizeof RequestBody);
    Put32(Case->ResponseAt, Case->Capacity);
    if (Case->Pin == 1) {
        PinArgument = NULL;
    } else if (Case->Pin == 2) {
        Pin.Context = NULL;
    }
    Result->Status = Callback(PinArgument, Case->NullIn ? NULL : (PKSHANDSHAKE)(Arena + IN_AT),
                              Case->NullOut ? NULL : (PKSHANDSHAKE)(Arena + OUT_AT));
    memcpy(Result->Bytes, Arena, ARENA_SIZE);
}

static void Fail(const char* Implementation, unsigned Routes, const char* What, const char* Case,
                 NTSTATUS Status, NTSTATUS Expected) {
    fprintf(stderr, "conformance: %s, %u route(s): %s: %s: status 0x%08X, expected 0x%08X%s\n",
            Implementation, Routes, What, Case, (unsigned)Status, (unsigned)Expected,
            Status == Expected ? " (what it wrote, called or offered differs from kshake's)" : "");
    ++Failures;
}

/* Suite against Reference (kshake at the same route count), for route Route of ids Ids. */
static void CheckResponder(const BENCH_SUITE* Suite, const BENCH_SUITE* Reference,
                           const GUID* RouteId, const GUID* UnknownId, ULONG Route) {
    const int Floor = strcmp(Suite->Implementation, "floor") == 0;
    size_t c;
    for (c = 0; c < sizeof ResponderCases / sizeof ResponderCases[0]; ++c) {
        const RESPONDER_CASE* Case = &ResponderCases[c];
        const GUID* Id = Case->Id ? UnknownId : RouteId;
        static RESPONDER_RESULT Expected;
        static RESPONDER_RESULT Got;
        if (Floor && Case->FloorSkips) {
            continue;
        }
        CallResponder(Reference->Callback, Id, Route, Case, &Expected);
        if (Expected.Status != Case->Expected) {
            Fail(Reference->Implementation, Reference->Routes, "responder", Case->Name,
                 Expected.Status, Case->Expected);
        }
        CallResponder(Suite->Callback, Id, Route, Case, &Got);
        if (Got.Status != Case->Expected || memcmp(Got.Bytes, Expected.Bytes, ARENA_SIZE) != 0) {
            Fail(Suite->Implementation, Suite->Routes, "responder", Case->Name, Got.Status,
                 Case->Expected);
        }
    }
}

/* The scripted peer: its answer to the n-th call of a negotiation. It first answers as an honest
 * responder would (response envelope {24, the request's version, body}, then Out), unless told
 * to write nothing, then breaks one rule if told to, and returns the status it is given. */
enum {
    HONEST,
    WRITES_NOTHING,
    OTHER_ID,
    OTHER_ARGUMENT1,
    ARGUMENT2_SET,
    SIZE_23,
    SIZE_25,
    VERSION_0,
    OTHER_VERSION
};
typedef struct {
    NTSTATUS Status;
    int Answer;
} PEER_STEP;
static const PEER_STEP* Script;
static unsigned ScriptLength;
static unsigned Calls;
static ULONG Offered[4];

static NTSTATUS ScriptedPeer(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out) {
    const PEER_STEP* Step = &Script[Calls < ScriptLength ? Calls : ScriptLength - 1];
    BENCH_REQUEST_ENVELOPE Request;
    BENCH_RESPONSE_ENVELOPE Response;
    (void)Pin;
    memcpy(&Request, In->Argument1, sizeof Request);
    if (Calls < 4) {
        Offered[Calls] = Request.Version;
    }
    ++Calls;
    if (Step->Answer == WRITES_NOTHING) {
        return Step->Status;
    }
    Response.Size = BENCH_RESPONSE_ENVELOPE_SIZE;
    Response.Version = Request.Version;
    Response.Body.Value = Request.Body.Value;
    Response.Body.Route = 0u;
    Response.Body.Cookie = COOKIE;
    Out->ProtocolId = In->ProtocolId;
    Out->Argument1 = In->Argument2;
    Out->Argument2 = NULL;
    switch (Step->Answer) {
    case OTHER_ID:
        Out->ProtocolId.Data4[7] = (uint8_t)(Out->ProtocolId.Data4[7] ^ 1u);
        break;
    case OTHER_ARGUMENT1:
        Out->Argument1 = In->Argument1;
        break;
    case ARGUMENT2_SET:
        Out->Argument2 = In->Argument2;
        break;
    case SIZE_23:
        Response.Size = 23u;
        break;
    case SIZE_25:
        Response.Size = 25u;
        break;
    case VERSION_0:
        Response.Version = 0u;
        break;
    case OTHER_VERSION:
        Response.Version = Request.Version + 1u;
        break;
    default:
        break;
    }
    memcpy(In->Argument2, &Response, sizeof Response);
    return Step->Status;
}

typedef struct {
    const char* Name;
    PEER_STEP Steps[3];
    unsigned Length;
    NTSTATUS Expected;
    unsigned ExpectedCalls; /* for negotiate_first over 3 offers */
} PEER_CASE;

static const PEER_CASE OfferCases[] = {
    {"accepted", {{STATUS_SUCCESS, HONEST}}, 1, STATUS_SUCCESS, 1},
    {"R0: STATUS_PENDING", {{STATUS_PENDING, HONEST}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R0: informational", {{STATUS_INFORMATIONAL, HONEST}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R1: success, nothing written",
     {{STATUS_SUCCESS, WRITES_NOTHING}},
     1,
     STATUS_DEVICE_PROTOCOL_ERROR,
     1},
    {"R1: another id", {{STATUS_SUCCESS, OTHER_ID}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R2: Argument1 elsewhere",
     {{STATUS_SUCCESS, OTHER_ARGUMENT1}},
     1,
     STATUS_DEVICE_PROTOCOL_ERROR,
     1},
    {"R3: Argument2 set", {{STATUS_SUCCESS, ARGUMENT2_SET}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R4: size 23", {{STATUS_SUCCESS, SIZE_23}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R4: size 25", {{STATUS_SUCCESS, SIZE_25}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R5: version 0", {{STATUS_SUCCESS, VERSION_0}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"R5: another version", {{STATUS_SUCCESS, OTHER_VERSION}}, 1, STATUS_DEVICE_PROTOCOL_ERROR, 1},
    {"refused", {{STATUS_REVISION_MISMATCH, WRITES_NOTHING}}, 1, STATUS_REVISION_MISMATCH, 3},
    {"refused with a warning", {{STATUS_BUFFER_OVERFLOW, HONEST}}, 1, STATUS_BUFFER_OVERFLOW, 3},
    {"refused with STATUS_DEVICE_PROTOCOL_ERROR",
     {{STATUS_DEVICE_PROTOCOL_ERROR, HONEST}},
     1,
     STATUS_DEVICE_PROTOCOL_ERROR,
     1},
};

static const PEER_CASE FallThroughCases[] = {
    {"two refusals, then accepted",
     {{STATUS_REVISION_MISMATCH, WRITES_NOTHING},
      {STATUS_REVISION_MISMATCH, WRITES_NOTHING},
      {STATUS_SUCCESS, HONEST}},
     3,
     STATUS_SUCCESS,
     3},
    {"a warning, then accepted",
     {{STATUS_BUFFER_OVERFLOW, HONEST}, {STATUS_SUCCESS, HONEST}},
     2,
     STATUS_SUCCESS,
     2},
    {"all refused: the last refusal",
     {{STATUS_REVISION_MISMATCH, WRITES_NOTHING},
      {STATUS_REVISION_MISMATCH, WRITES_NOTHING},
      {STATUS_INVALID_DEVICE_REQUEST, WRITES_NOTHING}},
     3,
     STATUS_INVALID_DEVICE_REQUEST,
     3},
    {"a refusal, then STATUS_PENDING: stops",
     {{STATUS_REVISION_MISMATCH, WRITES_NOTHING}, {STATUS_PENDING, HONEST}},
     2,
     STATUS_DEVICE_PROTOCOL_ERROR,
     2},
    {"a broken success first: stops",
     {{STATUS_SUCCESS, OTHER_VERSION}},
     1,
     STATUS_DEVICE_PROTOCOL_ERROR,
     1},
    {"a peer's STATUS_DEVICE_PROTOCOL_ERROR first: stops",
     {{STATUS_DEVICE_PROTOCOL_ERROR, WRITES_NOTHING}},
     1,
     STATUS_DEVICE_PROTOCOL_ERROR,
     1},
};

typedef struct {
    NTSTATUS Status;
    unsigned Calls;
    ULONG Offered[4];
    BENCH_RESPONSE Response;
} INITIATOR_RESULT;

static void CallInitiator(BENCH_OFFER Offer, const PEER_CASE* Case, INITIATOR_RESULT* Result) {
    BENCH_PIN Peer = {NULL, ScriptedPeer};
    memset(Result, 0, sizeof *Result);
    memset(&Result->Response, 0x5A, sizeof Result->Response);
    memset(Offered, 0, sizeof Offered);
    Script = Case->Steps;
    ScriptLength = Case->Length;
    Calls = 0;
    Result->Status = Offer(&Peer, &Result->Response);
    Result->Calls = Calls;
    memcpy(Result->Offered, Offered, sizeof Offered);
}

/* Offer against Reference (kshake's) for each case. Cases' statuses and call counts are those of
 * a single offer (Offers == 1) or of negotiate_first over three offers (Offers == 3); with
 * Offers == 0 only kshake's answer is the reference. */
static void CheckInitiator(const char* Implementation, unsigned Routes, const char* What,
                           BENCH_OFFER Offer, BENCH_OFFER Reference, const PEER_CASE* Cases,
                           size_t Count, unsigned Offers, int Floor) {
    size_t c;
    for (c = 0; c < Count; ++c) {
        INITIATOR_RESULT Expected;
        INITIATOR_RESULT Got;
        const NTSTATUS Prescribed = Offers == 0 ? STATUS_SUCCESS : Cases[c].Expected;
        if (Floor && Cases[c].Steps[0].Answer == WRITES_NOTHING &&
            Cases[c].Steps[0].Status == STATUS_SUCCESS) {
            continue;
        }
        CallInitiator(Reference, &Cases[c], &Expected);
        if (Offers != 0 && (Expected.Status != Prescribed ||
                            (Offers == 3 && Expected.Calls != Cases[c].ExpectedCalls))) {
            Fail("kshake", Routes, What, Cases[c].Name, Expected.Status, Prescribed);
        }
        CallInitiator(Offer, &Cases[c], &Got);
        if ((Offers != 0 && Got.Status != Prescribed) || memcmp(&Got, &Expected, sizeof Got) != 0) {
            Fail(Implementation, Routes, What, Cases[c].Name, Got.Status,
                 Offers != 0 ? Prescribed : Expected.Status);
        }
    }
}

static void CheckSuite(const BENCH_SUITE* Suite, const BENCH_SUITE* Reference, const GUID* Ids) {
    const unsigned N = Suite->Routes;
    const int Floor = strcmp(Suite->Implementation, "floor") == 0;
    CheckResponder(Suite, Reference, &Ids[0], &Ids[N], 0u);
    if (N > 1u) {
        CheckResponder(Suite, Reference, &Ids[N - 1u], &Ids[N], N - 1u);
    }
    CheckInitiator(Suite->Implementation, N, "initiator", Suite->Offers[0], Reference->Offers[0],
                   OfferCases, sizeof OfferCases / sizeof OfferCases[0], 1, Floor);
}

int BenchConformance(void) {
    static const BENCH_FALLBACK_SUITE* const Fallbacks[] = {
#define BENCH_FALLBACK_OF(p, unused) &bench_##p##_fallback,
        BENCH_C_PATTERNS(BENCH_FALLBACK_OF, 0)
#undef BENCH_FALLBACK_OF
    };
    size_t f;
    unsigned k;
    Arena = malloc(ARENA_SIZE);
    if (Arena == NULL) {
        return 1;
    }
    Failures = 0;
#define BENCH_CHECK_PATTERN(p, n)                                                                  \
    CheckSuite(&bench_##p##_suite_##n, &bench_kshake_suite_##n, bench_ids_##n);
#define BENCH_CHECK_COUNT(n)                                                                       \
    CheckSuite(&bench_kshake_suite_##n, &bench_kshake_suite_##n, bench_ids_##n);                   \
    BENCH_C_PATTERNS(BENCH_CHECK_PATTERN, n)
    BENCH_ROUTE_COUNTS(BENCH_CHECK_COUNT)
#undef BENCH_CHECK_COUNT
#undef BENCH_CHECK_PATTERN
    CheckSuite(&bench_floor_suite, &bench_kshake_suite_1, bench_floor_ids);
    for (f = 0; f < sizeof Fallbacks / sizeof Fallbacks[0]; ++f) {
        for (k = 0; k < 3; ++k) {
            static const char* const What[3] = {"negotiate_first over 1 offer",
                                                "negotiate_first over 2 offers",
                                                "negotiate_first over 3 offers"};
            CheckInitiator(Fallbacks[f]->Implementation, 4u, What[k], Fallbacks[f]->FallThrough[k],
                           bench_kshake_fallback.FallThrough[k], FallThroughCases,
                           sizeof FallThroughCases / sizeof FallThroughCases[0], k == 2 ? 3u : 0u,
                           0);
        }
    }
    free(Arena);
    Arena = NULL;
    return Failures;
}
