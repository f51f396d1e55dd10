/* The C counterpart of negotiate_first: offer the pool protocol at versions K, K-1, ..., 1 and
 * stop at the first the peer accepts. The peer serves four protocols, the pool one (first in its
 * chain) at version 1 only, so K offers are made and the last one is accepted.
 * SPDX-License-Identifier: MIT */
#include "baseline.h"

static const GUID ProtoPool = {0x3B1E6A52, 0x91C4, 0x4D0F, {0x9A, 0x17, 0x5C, 0x20, 0x6E, 0x81, 0x0B, 0x44}};
static const GUID ProtoClock = {0x8F2D0C19, 0x5E73, 0x4A8B, {0xB6, 0x02, 0x1D, 0x9E, 0x4F, 0x37, 0xC8, 0x51}};
static const GUID ProtoFence = {0xC47A9E03, 0x2B68, 0x41D5, {0x83, 0xE9, 0x70, 0x5A, 0x12, 0xBC, 0x6D, 0x0F}};
static const GUID ProtoQueue = {0x1D95F7B8, 0xA0C2, 0x4E36, {0xAF, 0x4B, 0x08, 0xD3, 0x62, 0x95, 0xE1, 0x7A}};

#define BENCH_SERVE(Name, Route)                                                                  \
    static NTSTATUS Serve##Name(BENCH_CONTEXT* Context, PKSHANDSHAKE In, PKSHANDSHAKE Out)       \
    {                                                                                             \
        BENCH_REQUEST Request;                                                                    \
        BENCH_RESPONSE Response;                                                                  \
        ULONG Version;                                                                            \
        NTSTATUS Status = BenchCheckEnvelopes(In, Out, 1, 1, &Request, &Version);                 \
        if (!NT_SUCCESS(Status)) {                                                                \
            return Status;                                                                        \
        }                                                                                         \
        RtlZeroMemory(&Response, sizeof Response);                                                \
        Status = BenchHandle(Context, &Request, &Response, Route);                                \
        if (!NT_SUCCESS(Status)) {                                                                \
            return Status;                                                                        \
        }                                                                                         \
        BenchWriteResponse(In, Out, &Proto##Name, &Response, Version);                            \
        return STATUS_SUCCESS;                                                                    \
    }
BENCH_SERVE(Pool, 0)
BENCH_SERVE(Clock, 1)
BENCH_SERVE(Fence, 2)
BENCH_SERVE(Queue, 3)

static NTSTATUS Handshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out)
{
    BENCH_CONTEXT* Context;
    if (In == NULL || Out == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Context = Pin == NULL ? NULL : (BENCH_CONTEXT*)Pin->Context;
    if (Context == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (IsEqualGUID(&In->ProtocolId, &ProtoPool)) {
        return ServePool(Context, In, Out);
    } else if (IsEqualGUID(&In->ProtocolId, &ProtoClock)) {
        return ServeClock(Context, In, Out);
    } else if (IsEqualGUID(&In->ProtocolId, &ProtoFence)) {
        return ServeFence(Context, In, Out);
    } else if (IsEqualGUID(&In->ProtocolId, &ProtoQueue)) {
        return ServeQueue(Context, In, Out);
    }
    return STATUS_INVALID_DEVICE_REQUEST;
}

static NTSTATUS OfferPoolFrom(PKSPIN Peer, ULONG Newest, BENCH_RESPONSE* Response)
{
    const BENCH_REQUEST Request = {7u, 0u};
    NTSTATUS Status = STATUS_INVALID_DEVICE_REQUEST;
    ULONG Version;
    ULONG Offered;
    for (Offered = Newest; Offered >= 1; --Offered) {
        Status = BenchOffer(Peer, &ProtoPool, Offered, &Request, Response, &Version);
        if (NT_SUCCESS(Status)) {
            return Status;
        }
    }
    return Status;
}

static NTSTATUS FallThrough1(PKSPIN Peer, BENCH_RESPONSE* Response) { return OfferPoolFrom(Peer, 1, Response); }
static NTSTATUS FallThrough2(PKSPIN Peer, BENCH_RESPONSE* Response) { return OfferPoolFrom(Peer, 2, Response); }
static NTSTATUS FallThrough3(PKSPIN Peer, BENCH_RESPONSE* Response) { return OfferPoolFrom(Peer, 3, Response); }

const BENCH_FALLBACK_SUITE bench_c_fallback = {"c", Handshake, {FallThrough1, FallThrough2, FallThrough3}};
