/* The hand-written C baseline: what a careful driver writer writes today for a private
 * KsPinHandshake protocol with a {size, version, body} envelope, with the same checks kshake
 * makes (null arguments, version range, request size, response capacity, response not
 * overlapping Out, request copied once before use, response zero-filled, Out written only on
 * success). The N-route responders and initiators are generated from this by gen_routes.py.
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

#define BENCH_REQUEST_ENVELOPE_SIZE ((ULONG)(FIELD_OFFSET(BENCH_REQUEST_ENVELOPE, Body) + sizeof(BENCH_REQUEST)))
#define BENCH_RESPONSE_ENVELOPE_SIZE ((ULONG)(FIELD_OFFSET(BENCH_RESPONSE_ENVELOPE, Body) + sizeof(BENCH_RESPONSE)))

/* Every route's handler: the same work as bench::handle in kshake_bench.hpp. */
static inline NTSTATUS BenchHandle(const BENCH_CONTEXT* Context, const BENCH_REQUEST* Request,
                                   BENCH_RESPONSE* Response, ULONG Route)
{
    Response->Value = Request->Value + Route;
    Response->Route = Route;
    Response->Cookie = Context->Cookie;
    return STATUS_SUCCESS;
}

/* The responder's checks, shared by every route, in kshake's order. Copies the request body
 * out of the peer's buffer once (no double fetch). Writes nothing the peer owns. */
static inline NTSTATUS BenchCheckEnvelopes(PKSHANDSHAKE In, PKSHANDSHAKE Out, ULONG MinVersion,
                                           ULONG MaxVersion, BENCH_REQUEST* Request,
                                           ULONG* Version)
{
    BENCH_ENVELOPE_HEADER RequestHeader;
    BENCH_ENVELOPE_HEADER ResponseHeader;
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
    RtlCopyMemory(&ResponseHeader, In->Argument2, sizeof ResponseHeader);
    if (ResponseHeader.Size < BENCH_RESPONSE_ENVELOPE_SIZE) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    /* Writing the response must not overwrite Out. */
    Response = (uintptr_t)In->Argument2;
    OutAddress = (uintptr_t)Out;
    if (Response < OutAddress + sizeof(KSHANDSHAKE) &&
        OutAddress < Response + BENCH_RESPONSE_ENVELOPE_SIZE) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(Request, (const unsigned char*)In->Argument1 +
                               FIELD_OFFSET(BENCH_REQUEST_ENVELOPE, Body),
                  sizeof *Request);
    *Version = RequestHeader.Version;
    return STATUS_SUCCESS;
}

/* Fills the initiator's response envelope, then Out. */
static inline void BenchWriteResponse(PKSHANDSHAKE In, PKSHANDSHAKE Out, const GUID* Id,
                                      const BENCH_RESPONSE* Response, ULONG Version)
{
    BENCH_RESPONSE_ENVELOPE* Envelope = (BENCH_RESPONSE_ENVELOPE*)In->Argument2;
    RtlCopyMemory(&Envelope->Body, Response, sizeof *Response);
    Envelope->Size = BENCH_RESPONSE_ENVELOPE_SIZE;
    Envelope->Version = Version;
    Out->ProtocolId = *Id;
    Out->Argument1 = Envelope;
    Out->Argument2 = NULL;
}

/* KsPinHandshake reaches the connected pin's registered callback directly. */
static inline NTSTATUS BenchPinHandshake(PKSPIN Peer, PKSHANDSHAKE In, PKSHANDSHAKE Out)
{
    return Peer->Handshake(Peer, In, Out);
}

/* The initiator: fills KSHANDSHAKE and both envelopes by hand, then checks everything the peer
 * claims before it believes a byte of the answer. */
static inline NTSTATUS BenchOffer(PKSPIN Peer, const GUID* Id, ULONG Version,
                                  const BENCH_REQUEST* Request, BENCH_RESPONSE* Response,
                                  ULONG* VersionUsed)
{
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
    if (!NT_SUCCESS(Status)) {
        return Status;
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

#endif
