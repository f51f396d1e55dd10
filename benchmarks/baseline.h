/* The hand-written C baselines: what a careful driver writer writes today for a private
 * KsPinHandshake protocol with a {size, version, body} envelope, with the same checks kshake
 * makes (wire contract 1.0, docs/wire.md: null arguments, version range, request size, response
 * capacity, response not overlapping Out, request copied once before use, response zero-filled,
 * Out written only on success; the initiator accepts only exactly STATUS_SUCCESS). The pieces
 * here are shared by every C pattern; gen_routes.py generates each pattern's N-route responder
 * (chain, inline_chain, switch, bsearch) and the initiators from them, and floor.c builds the
 * cheapest round trip from the same pieces.
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_BENCH_BASELINE_H
#define KSHAKE_BENCH_BASELINE_H

#include "bench_common.h"

#include <string.h>

/* As in the WDK (guiddef.h defines IsEqualGUID as memcmp in C; wdm.h's RtlCopyMemory and
 * RtlZeroMemory are memcpy and memset). */
#define IsEqualGUID(a, b) (!memcmp((a), (b), sizeof(GUID)))
#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
#define RtlZeroMemory(d, n) memset((d), 0, (n))
#define FIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))

/* guiddef.h's InlineIsEqualGUID: the GUID compared as four 32-bit words, in turn. guiddef.h reads
 * them through the address of Data1 indexed past it; here each GUID is copied into four words
 * with memcpy, which is valid C under strict aliasing and compiles to the same four loads. */
static inline int InlineIsEqualGUID(const GUID* A, const GUID* B) {
    uint32_t X[4];
    uint32_t Y[4];
    memcpy(X, A, sizeof X);
    memcpy(Y, B, sizeof Y);
    return X[0] == Y[0] && X[1] == Y[1] && X[2] == Y[2] && X[3] == Y[3];
}

typedef struct {
    ULONG Size;
    ULONG Version;
} BENCH_ENVELOPE_HEADER;

typedef struct {
    ULONG Size;
    ULONG Version;
    BENCH_REQUEST Body;
} BENCH_REQUEST_ENVELOPE;

typedef struct {
    ULONG Size;
    ULONG Version;
    BENCH_RESPONSE Body;
} BENCH_RESPONSE_ENVELOPE;

#define BENCH_REQUEST_ENVELOPE_SIZE                                                                \
    ((ULONG)(FIELD_OFFSET(BENCH_REQUEST_ENVELOPE, Body) + sizeof(BENCH_REQUEST)))
#define BENCH_RESPONSE_ENVELOPE_SIZE                                                               \
    ((ULONG)(FIELD_OFFSET(BENCH_RESPONSE_ENVELOPE, Body) + sizeof(BENCH_RESPONSE)))

/* Every route's handler: the same work as bench::handle in kshake_bench.hpp. Route i answers
 * with the tag i + 1, never 0: a 0 let the compilers merge or drop stores for route 0 alone,
 * making N = 1 (and the floor, whose one route is route 0) cheaper than any other route. */
static inline NTSTATUS BenchHandle(const BENCH_CONTEXT* Context, const BENCH_REQUEST* Request,
                                   BENCH_RESPONSE* Response, ULONG Route) {
    Response->Value = Request->Value + Route + 1u;
    Response->Route = Route + 1u;
    Response->Cookie = Context->Cookie;
    return STATUS_SUCCESS;
}

/* The responder's checks, shared by every route, in kshake's order. Copies the request body
 * out of the peer's buffer once (no double fetch). Writes nothing the peer owns. */
static inline NTSTATUS BenchCheckEnvelopes(PKSHANDSHAKE In, PKSHANDSHAKE Out, ULONG MinVersion,
                                           ULONG MaxVersion, BENCH_REQUEST* Request,
                                           ULONG* Version) {
    BENCH_ENVELOPE_HEADER RequestHeader;
    ULONG Capacity;
    uintptr_t Response;
    uintptr_t OutAddress;

    if (In->Argument1 == NULL || In->Argument2 == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(&RequestHeader, In->Argument1, sizeof RequestHeader);
    if (RequestHeader.Version < MinVersion || RequestHeader.Version > MaxVersion) {
        return STATUS_REVISION_MISMATCH;
    }
    if (RequestHeader.Size < BENCH_REQUEST_ENVELOPE_SIZE) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    /* Only the response header's size is read (wire.md 2.3: 4 bytes of the response envelope). */
    RtlCopyMemory(&Capacity, In->Argument2, sizeof Capacity);
    if (Capacity < BENCH_RESPONSE_ENVELOPE_SIZE) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    /* Writing the response must not overwrite Out. */
    Response = (uintptr_t)In->Argument2;
    OutAddress = (uintptr_t)Out;
    if (Response < OutAddress + sizeof(KSHANDSHAKE) &&
        OutAddress < Response + BENCH_RESPONSE_ENVELOPE_SIZE) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(Request,
                  (const unsigned char*)In->Argument1 + FIELD_OFFSET(BENCH_REQUEST_ENVELOPE, Body),
                  sizeof *Request);
    *Version = RequestHeader.Version;
    return STATUS_SUCCESS;
}

/* Fills the initiator's response envelope, then Out. */
static inline void BenchWriteResponse(PKSHANDSHAKE In, PKSHANDSHAKE Out, const GUID* Id,
                                      const BENCH_RESPONSE* Response, ULONG Version) {
    BENCH_RESPONSE_ENVELOPE* Envelope = (BENCH_RESPONSE_ENVELOPE*)In->Argument2;
    RtlCopyMemory(&Envelope->Body, Response, sizeof *Response);
    Envelope->Size = BENCH_RESPONSE_ENVELOPE_SIZE;
    Envelope->Version = Version;
    Out->ProtocolId = *Id;
    Out->Argument1 = Envelope;
    Out->Argument2 = NULL;
}

/* One route's serve function, as a driver writer copies it for each protocol (each has its own
 * payload types in real life; here all carry the same): the checks, the handler on a zero-filled
 * response, then the response envelope and Out. A macro rather than one shared inline function, so
 * that each route's serve is its own function, as in a driver: a compiler treats a helper shared by
 * N routes differently (g++ 12 stops inlining it at some point of a long chain). */
#define BENCH_DEFINE_SERVE(Name, Id, Route)                                                        \
    static NTSTATUS Name(BENCH_CONTEXT* Context, PKSHANDSHAKE In, PKSHANDSHAKE Out) {              \
        BENCH_REQUEST Request;                                                                     \
        BENCH_RESPONSE Response;                                                                   \
        ULONG Version;                                                                             \
        NTSTATUS Status = BenchCheckEnvelopes(In, Out, 1, 1, &Request, &Version);                  \
        if (!NT_SUCCESS(Status)) {                                                                 \
            return Status;                                                                         \
        }                                                                                          \
        RtlZeroMemory(&Response, sizeof Response);                                                 \
        Status = BenchHandle(Context, &Request, &Response, (Route));                               \
        if (!NT_SUCCESS(Status)) {                                                                 \
            return Status;                                                                         \
        }                                                                                          \
        BenchWriteResponse(In, Out, (Id), &Response, Version);                                     \
        return STATUS_SUCCESS;                                                                     \
    }

/* The bsearch pattern: a const table of {id, serve function} sorted by the id read as two
 * little-endian 64-bit words (bytes 0-7, then bytes 8-15, each compared unsigned; gen_routes.py
 * sorts it), searched with a binary search, the found entry's serve called through its pointer.
 * The order is that of a little-endian machine, as every Windows target is. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the bsearch tables are sorted for a little-endian machine"
#endif
typedef NTSTATUS (*BENCH_SERVE)(BENCH_CONTEXT* Context, PKSHANDSHAKE In, PKSHANDSHAKE Out);
typedef struct {
    GUID Id;
    BENCH_SERVE Serve;
} BENCH_ROUTE_ENTRY;

static inline const BENCH_ROUTE_ENTRY* BenchFindRoute(const BENCH_ROUTE_ENTRY* Routes, size_t Count,
                                                      const GUID* Id) {
    uint64_t Key[2];
    size_t Low = 0;
    size_t High = Count;
    memcpy(Key, Id, sizeof Key);
    while (Low < High) {
        const size_t Middle = Low + (High - Low) / 2;
        uint64_t Entry[2];
        memcpy(Entry, &Routes[Middle].Id, sizeof Entry);
        if (Key[0] != Entry[0]) {
            if (Key[0] < Entry[0]) {
                High = Middle;
            } else {
                Low = Middle + 1;
            }
        } else if (Key[1] != Entry[1]) {
            if (Key[1] < Entry[1]) {
                High = Middle;
            } else {
                Low = Middle + 1;
            }
        } else {
            return &Routes[Middle];
        }
    }
    return NULL;
}

/* KsPinHandshake reaches the connected pin's registered callback directly. */
static inline NTSTATUS BenchPinHandshake(PKSPIN Peer, PKSHANDSHAKE In, PKSHANDSHAKE Out) {
    return Peer->Handshake(Peer, In, Out);
}

/* R0 of wire.md 2.5 for a status other than STATUS_SUCCESS: a failure status is the peer's
 * refusal, passed on as is; any other success code (STATUS_PENDING, an informational 0x4...) is a
 * broken answer. */
static inline NTSTATUS BenchNotAnAnswer(NTSTATUS Status) {
    return NT_SUCCESS(Status) ? STATUS_DEVICE_PROTOCOL_ERROR : Status;
}

/* The initiator: zeroes Out and its response envelope (wire.md 2.5), fills KSHANDSHAKE and both
 * envelopes by hand, then checks everything the peer claims before it believes a byte of the
 * answer. */
static inline NTSTATUS BenchOffer(PKSPIN Peer, const GUID* Id, ULONG Version,
                                  const BENCH_REQUEST* Request, BENCH_RESPONSE* Response,
                                  ULONG* VersionUsed) {
    BENCH_REQUEST_ENVELOPE RequestEnvelope;
    BENCH_RESPONSE_ENVELOPE ResponseEnvelope;
    KSHANDSHAKE In;
    KSHANDSHAKE Out;
    NTSTATUS Status;

    RequestEnvelope.Size = BENCH_REQUEST_ENVELOPE_SIZE;
    RequestEnvelope.Version = Version;
    RequestEnvelope.Body = *Request;
    RtlZeroMemory(&ResponseEnvelope, sizeof ResponseEnvelope);
    ResponseEnvelope.Size = BENCH_RESPONSE_ENVELOPE_SIZE;
    In.ProtocolId = *Id;
    In.Argument1 = &RequestEnvelope;
    In.Argument2 = &ResponseEnvelope;
    RtlZeroMemory(&Out, sizeof Out);

    Status = BenchPinHandshake(Peer, &In, &Out);
    if (Status != STATUS_SUCCESS) {
        return BenchNotAnAnswer(Status);
    }
    if (!IsEqualGUID(&Out.ProtocolId, Id) || Out.Argument1 != &ResponseEnvelope ||
        Out.Argument2 != NULL || ResponseEnvelope.Size != BENCH_RESPONSE_ENVELOPE_SIZE ||
        ResponseEnvelope.Version != Version) {
        return STATUS_DEVICE_PROTOCOL_ERROR;
    }
    *Response = ResponseEnvelope.Body;
    *VersionUsed = ResponseEnvelope.Version;
    return STATUS_SUCCESS;
}

/* negotiate_first's loop (wire.md 2.5): offers Id at versions Newest, Newest - 1, ..., 1 and stops
 * at the first the peer accepts. A broken answer (STATUS_DEVICE_PROTOCOL_ERROR, from the checks
 * above or from the peer) ends it: the peer may believe it agreed. Any other failure status moves
 * on to the next offer; when all are refused, the status is the last refusal's. */
static inline NTSTATUS BenchOfferVersions(PKSPIN Peer, const GUID* Id, ULONG Newest,
                                          const BENCH_REQUEST* Request, BENCH_RESPONSE* Response) {
    NTSTATUS Status = STATUS_INVALID_DEVICE_REQUEST;
    ULONG Version;
    ULONG Offered;
    for (Offered = Newest; Offered >= 1; --Offered) {
        Status = BenchOffer(Peer, Id, Offered, Request, Response, &Version);
        if (Status == STATUS_SUCCESS || Status == STATUS_DEVICE_PROTOCOL_ERROR) {
            break;
        }
    }
    return Status;
}

#endif
