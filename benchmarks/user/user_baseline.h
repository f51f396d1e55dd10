/* The hand-written C that tools/bench_protocols.py generates for a user's protocols: the pieces
 * every generated route and offer shares, written as a careful driver writer writes them for a
 * private KsPinHandshake protocol, and following wire contract 1.0 (docs/wire.md) exactly: the
 * responder's checks of §2.3 in their order with their statuses (the dispatcher makes checks 1-3),
 * the request copied once before use, the response zero-filled, nothing written before the handler
 * has succeeded, the response envelope body first and header last, then Out; the initiator's
 * rules of §2.5 (Out and the response envelope zeroed before the call, only STATUS_SUCCESS is an
 * answer, R1-R5 checked before a byte of the answer is believed, Out and the caller's response
 * untouched on failure). Sizes are arguments, constants at every call site, so each route's and
 * each offer's code is specialised by the compiler as if written for its structs.
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_BENCH_USER_BASELINE_H
#define KSHAKE_BENCH_USER_BASELINE_H

#include "user_common.h"

#include <string.h>

/* As in the WDK: guiddef.h's IsEqualGUID is memcmp in C; RtlCopyMemory and RtlZeroMemory are
 * memcpy and memset. */
#define IsEqualGUID(a, b) (!memcmp((a), (b), sizeof(GUID)))
#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
#define RtlZeroMemory(d, n) memset((d), 0, (n))

#define USER_ENVELOPE_BODY 8u

typedef struct {
    ULONG Size;
    ULONG Version;
} USER_ENVELOPE_HEADER;

/* Checks 6 to 8 of wire.md 2.3 for one route (the dispatcher made 1 to 3, the route's serve
 * function 4 and 5), then the request body copied once. Writes nothing the peer owns. */
static inline NTSTATUS UserCheckRoute(const void* Argument1, void* Argument2, PKSHANDSHAKE Out,
                                      ULONG RequestSizeField, ULONG RequestSize, ULONG ResponseSize,
                                      void* Request) {
    ULONG Capacity;
    uintptr_t Response;
    uintptr_t OutAddress;
    if (RequestSizeField < USER_ENVELOPE_BODY + RequestSize) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    /* Only the response header's size is read (4 bytes). */
    RtlCopyMemory(&Capacity, Argument2, sizeof Capacity);
    if (Capacity < USER_ENVELOPE_BODY + ResponseSize) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    /* Writing the response must not overwrite Out. */
    Response = (uintptr_t)Argument2;
    OutAddress = (uintptr_t)Out;
    if (Response < OutAddress + sizeof(KSHANDSHAKE) &&
        OutAddress < Response + USER_ENVELOPE_BODY + ResponseSize) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlCopyMemory(Request, (const unsigned char*)Argument1 + USER_ENVELOPE_BODY, RequestSize);
    return STATUS_SUCCESS;
}

/* wire.md 2.4 on success: the response envelope, body first and header last, then Out. */
static inline void UserWriteResponse(void* Argument2, PKSHANDSHAKE Out, const GUID* Id,
                                     const void* Response, ULONG ResponseSize, ULONG Version) {
    USER_ENVELOPE_HEADER Header;
    Header.Size = USER_ENVELOPE_BODY + ResponseSize;
    Header.Version = Version;
    RtlCopyMemory((unsigned char*)Argument2 + USER_ENVELOPE_BODY, Response, ResponseSize);
    RtlCopyMemory(Argument2, &Header, sizeof Header);
    Out->ProtocolId = *Id;
    Out->Argument1 = Argument2;
    Out->Argument2 = NULL;
}

/* R0 of wire.md 2.5 for a status other than STATUS_SUCCESS. */
static inline NTSTATUS UserNotAnAnswer(NTSTATUS Status) {
    return NT_SUCCESS(Status) ? STATUS_DEVICE_PROTOCOL_ERROR : Status;
}

/* One envelope-codec offer: both envelopes and KSHANDSHAKE filled by hand (the envelopes are the
 * caller's buffers of 8 + RequestSize and 8 + ResponseSize bytes, 8-aligned), the call through
 * the peer's registered callback (what KsPinHandshake does for a connected pin), then R1-R5. */
static inline NTSTATUS UserOffer(PKSPIN Peer, const GUID* Id, ULONG Version, const void* Request,
                                 ULONG RequestSize, void* Response, ULONG ResponseSize,
                                 unsigned char* RequestEnvelope, unsigned char* ResponseEnvelope) {
    USER_ENVELOPE_HEADER Header;
    KSHANDSHAKE In;
    KSHANDSHAKE Out;
    NTSTATUS Status;

    Header.Size = USER_ENVELOPE_BODY + RequestSize;
    Header.Version = Version;
    RtlCopyMemory(RequestEnvelope, &Header, sizeof Header);
    RtlCopyMemory(RequestEnvelope + USER_ENVELOPE_BODY, Request, RequestSize);
    RtlZeroMemory(ResponseEnvelope, USER_ENVELOPE_BODY + ResponseSize);
    Header.Size = USER_ENVELOPE_BODY + ResponseSize;
    Header.Version = 0;
    RtlCopyMemory(ResponseEnvelope, &Header, sizeof Header);
    In.ProtocolId = *Id;
    In.Argument1 = RequestEnvelope;
    In.Argument2 = ResponseEnvelope;
    RtlZeroMemory(&Out, sizeof Out);

    Status = Peer->Handshake(Peer, &In, &Out);
    if (Status != STATUS_SUCCESS) {
        return UserNotAnAnswer(Status);
    }
    RtlCopyMemory(&Header, ResponseEnvelope, sizeof Header);
    if (!IsEqualGUID(&Out.ProtocolId, Id) || Out.Argument1 != ResponseEnvelope ||
        Out.Argument2 != NULL || Header.Size != USER_ENVELOPE_BODY + ResponseSize ||
        Header.Version != Version) {
        return STATUS_DEVICE_PROTOCOL_ERROR;
    }
    RtlCopyMemory(Response, ResponseEnvelope + USER_ENVELOPE_BODY, ResponseSize);
    return STATUS_SUCCESS;
}

/* One raw-codec offer (wire.md 4): In carries the request's two pointers as they are; only the
 * status and R1 are checked, and the answer is Out's two pointers. */
static inline NTSTATUS UserOfferRaw(PKSPIN Peer, const GUID* Id, const void* Request,
                                    void* Response) {
    void* Arguments[2];
    KSHANDSHAKE In;
    KSHANDSHAKE Out;
    NTSTATUS Status;

    RtlCopyMemory(Arguments, Request, sizeof Arguments);
    In.ProtocolId = *Id;
    In.Argument1 = Arguments[0];
    In.Argument2 = Arguments[1];
    RtlZeroMemory(&Out, sizeof Out);
    Status = Peer->Handshake(Peer, &In, &Out);
    if (Status != STATUS_SUCCESS) {
        return UserNotAnAnswer(Status);
    }
    if (!IsEqualGUID(&Out.ProtocolId, Id)) {
        return STATUS_DEVICE_PROTOCOL_ERROR;
    }
    Arguments[0] = Out.Argument1;
    Arguments[1] = Out.Argument2;
    RtlCopyMemory(Response, Arguments, sizeof Arguments);
    return STATUS_SUCCESS;
}

#endif
