/* The contract floor: the least code that does exactly what wire contract 1.0 requires of one
 * negotiation, whatever the number of routes. The responder knows one protocol: it makes checks 1
 * and 2 of wire.md 2.3 (In and Out not null; the pin and its context not null), compares the id
 * once (two 64-bit words), and the route is inlined there. The initiator zero-fills Out and its
 * response envelope before the call (wire.md 2.5), reaches the responder with the one indirect
 * call every negotiation makes (KsPinHandshake's call through the peer pin's callback pointer),
 * accepts exactly STATUS_SUCCESS, and checks the answer. The envelope checks, the copies and the
 * writes are baseline.h's (BenchCheckEnvelopes, BenchHandle, BenchWriteResponse in the route's
 * BENCH_DEFINE_SERVE function; the initiator is BenchOffer at version 1 with the id compared as
 * two words). So no correct implementation of the benchmark's negotiation can do less. It has a
 * hit case and an unknown-id case.
 * SPDX-License-Identifier: MIT */
#include "baseline.h"
#include "bench_suites.h"

/* The first id of gen_routes.py's sequence, and its unknown id. */
const GUID bench_floor_ids[2] = {
    {0x88409EC9, 0x1654, 0x4D0B, {0x80, 0x06, 0x0C, 0xEB, 0x57, 0xBF, 0xE3, 0x38}},
    {0xBD35C9F9, 0x7EE7, 0x439E, {0xAE, 0xBA, 0x69, 0x9A, 0x9A, 0x23, 0xFB, 0x8A}},
};
static const GUID FloorId = {
    0x88409EC9, 0x1654, 0x4D0B, {0x80, 0x06, 0x0C, 0xEB, 0x57, 0xBF, 0xE3, 0x38}};
static const GUID FloorUnknownId = {
    0xBD35C9F9, 0x7EE7, 0x439E, {0xAE, 0xBA, 0x69, 0x9A, 0x9A, 0x23, 0xFB, 0x8A}};

/* The 16-byte id as two 64-bit words, compared without a branch between them (as kshake's
 * detail::same_guid does). */
static inline int FloorSameGuid(const GUID* A, const GUID* B) {
    uint64_t X[2];
    uint64_t Y[2];
    memcpy(X, A, sizeof X);
    memcpy(Y, B, sizeof Y);
    return ((X[0] ^ Y[0]) | (X[1] ^ Y[1])) == 0;
}

BENCH_DEFINE_SERVE(FloorServe, &FloorId, 0u)

static NTSTATUS FloorHandshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out) {
    if (In == NULL || Out == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Pin == NULL || Pin->Context == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!FloorSameGuid(&In->ProtocolId, &FloorId)) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return FloorServe((BENCH_CONTEXT*)Pin->Context, In, Out);
}

/* BenchOffer at version 1, with the id compared as two words. */
static inline NTSTATUS FloorOffer(PKSPIN Peer, const GUID* Id, const BENCH_REQUEST* Request,
                                  BENCH_RESPONSE* Response) {
    BENCH_REQUEST_ENVELOPE RequestEnvelope;
    BENCH_RESPONSE_ENVELOPE ResponseEnvelope;
    KSHANDSHAKE In;
    KSHANDSHAKE Out;
    NTSTATUS Status;

    RequestEnvelope.Size = BENCH_REQUEST_ENVELOPE_SIZE;
    RequestEnvelope.Version = 1;
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
    if (!FloorSameGuid(&Out.ProtocolId, Id) || Out.Argument1 != &ResponseEnvelope ||
        Out.Argument2 != NULL || ResponseEnvelope.Size != BENCH_RESPONSE_ENVELOPE_SIZE ||
        ResponseEnvelope.Version != 1) {
        return STATUS_DEVICE_PROTOCOL_ERROR;
    }
    *Response = ResponseEnvelope.Body;
    return STATUS_SUCCESS;
}

static NTSTATUS FloorOfferHit(PKSPIN Peer, BENCH_RESPONSE* Response) {
    const BENCH_REQUEST Request = {0u, 0u};
    return FloorOffer(Peer, &FloorId, &Request, Response);
}

static NTSTATUS FloorOfferUnknown(PKSPIN Peer, BENCH_RESPONSE* Response) {
    const BENCH_REQUEST Request = {0u, 0u};
    return FloorOffer(Peer, &FloorUnknownId, &Request, Response);
}

static const BENCH_OFFER FloorOffers[1] = {FloorOfferHit};

const BENCH_SUITE bench_floor_suite = {"floor", 1u, FloorHandshake, FloorOffers, FloorOfferUnknown};
