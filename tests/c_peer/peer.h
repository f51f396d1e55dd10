/* The C peer of tests/c_peer: its protocols, a responder and an initiator, written in C11 on
 * <kshake/kshake_wire.h> alone (peer.c). The C++ test (c_peer_test.cpp) includes this header
 * too, so both sides share one definition of every payload and protocol id.
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_TESTS_C_PEER_H
#define KSHAKE_TESTS_C_PEER_H

#include <kshake/kshake_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Echo, "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F405101", served at versions 2 to 4. */
#define C_PEER_ECHO_ID                                                                             \
    {0x6A1E7C30U, 0x2B4DU, 0x4F8EU, {0x9CU, 0x1AU, 0x0DU, 0x2EU, 0x3FU, 0x40U, 0x51U, 0x01U}}
#define C_PEER_ECHO_MIN_VERSION 2U
#define C_PEER_ECHO_VERSION 4U

typedef struct c_peer_echo_request {
    uint32_t value;
    uint16_t flags;
    uint8_t reserved[2]; /* explicit: a payload has no implicit padding (docs/wire.md §2.6) */
} c_peer_echo_request;

typedef struct c_peer_echo_response {
    uint32_t value;   /* the request's value + 1 */
    uint32_t version; /* the version the initiator spoke */
    uint64_t cookie;  /* the responder's */
} c_peer_echo_response;

/* Query, "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F405102", version 1. */
#define C_PEER_QUERY_ID                                                                            \
    {0x6A1E7C30U, 0x2B4DU, 0x4F8EU, {0x9CU, 0x1AU, 0x0DU, 0x2EU, 0x3FU, 0x40U, 0x51U, 0x02U}}

typedef struct c_peer_query_request {
    uint32_t command;
} c_peer_query_request;

typedef struct c_peer_query_response {
    uint8_t name[10]; /* "c-peer" and zeros */
    uint16_t command; /* the request's command, truncated */
} c_peer_query_response;

/* Raw, "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F405103": KSHANDSHAKE's own pointers (the raw codec); the
 * C initiator offers it to a kshake responder. */
#define C_PEER_RAW_ID                                                                              \
    {0x6A1E7C30U, 0x2B4DU, 0x4F8EU, {0x9CU, 0x1AU, 0x0DU, 0x2EU, 0x3FU, 0x40U, 0x51U, 0x03U}}

KSHAKE_WIRE_STATIC_ASSERT(sizeof(c_peer_echo_request) == 8 && sizeof(c_peer_echo_response) == 16 &&
                              sizeof(c_peer_query_request) == 4 &&
                              sizeof(c_peer_query_response) == 12,
                          "the C peer's payloads have no implicit padding");

/* How the C responder breaks the wire rules of docs/wire.md §2.5 when it answers (all after
 * a valid answer would have been written, unless said otherwise). */
enum {
    C_PEER_FAULT_NONE,
    C_PEER_FAULT_OTHER_PROTOCOL_ID, /* Out.ProtocolId is not the one offered */
    C_PEER_FAULT_OTHER_ARGUMENT1,   /* Out.Argument1 is not the initiator's response envelope */
    C_PEER_FAULT_ARGUMENT2_SET,     /* Out.Argument2 is not NULL */
    C_PEER_FAULT_RESPONSE_SIZE,     /* the response size is not the response's envelope size */
    C_PEER_FAULT_RESPONSE_VERSION,  /* the response version is not the one offered */
    C_PEER_FAULT_NOTHING_WRITTEN,   /* STATUS_SUCCESS without writing Out or the response */
    C_PEER_FAULT_INFORMATIONAL,     /* a valid answer, then 0x40000000 instead of SUCCESS */
    C_PEER_FAULT_PENDING,           /* a valid answer, then STATUS_PENDING */
    C_PEER_FAULT_COUNT
};

/* The responder's pin context. */
typedef struct c_peer_state {
    uint64_t cookie;                 /* goes into every echo response */
    kshake_wire_status echo_status;  /* the echo handler's status (it fills its response first) */
    uint32_t fault;                  /* C_PEER_FAULT_* */
    uint32_t echo_served;            /* echo handler calls */
    uint32_t query_served;           /* query handler calls */
    uint32_t last_version;           /* the version of the last echo request the handler saw */
    c_peer_echo_request last_echo;   /* and its body */
    unsigned char elsewhere[32];     /* where C_PEER_FAULT_OTHER_ARGUMENT1 points Out.Argument1 */
} c_peer_state;

/* The C responder, with PFNKSPINHANDSHAKE's shape (the pin's context for the pin). */
kshake_wire_status c_responder(void* pin_context, kshake_wire_handshake* in,
                               kshake_wire_handshake* out);

/* What the C initiator calls: KsPinHandshake or IOCTL_KS_HANDSHAKE in a driver. */
typedef kshake_wire_status (*c_peer_transport)(void* context, const kshake_wire_handshake* in,
                                               kshake_wire_handshake* out);

/* The C initiator: offers protocol_id at version, with a request body of request_size bytes and
 * a response envelope of exactly KSHAKE_ENVELOPE_SIZE(response_size) bytes (both envelopes at
 * odd addresses). Copies the response body into `response` on KSHAKE_STATUS_SUCCESS only. */
#define C_PEER_MAX_BODY 64U
kshake_wire_status c_negotiate(c_peer_transport transport, void* context,
                               const kshake_wire_guid* protocol_id, uint32_t version,
                               const void* request, size_t request_size, void* response,
                               size_t response_size);

/* The same for a raw-codec protocol: In = {protocol_id, argument1, argument2}; on
 * KSHAKE_STATUS_SUCCESS, *answer1 and *answer2 are Out's two pointers. */
kshake_wire_status c_negotiate_raw(c_peer_transport transport, void* context,
                                   const kshake_wire_guid* protocol_id, void* argument1,
                                   void* argument2, void** answer1, void** answer2);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KSHAKE_TESTS_C_PEER_H */
