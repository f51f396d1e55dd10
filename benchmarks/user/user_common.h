/* "Benchmark your own protocols" (tools/bench_protocols.py): what the harness, the generated
 * kshake side and the generated C side share. The platform types (GUID, KSHANDSHAKE, a pin with
 * its Context and the callback KsPinRegisterHandshakeCallback recorded, the statuses) are those
 * of kshake's own benchmark (../bench_common.h).
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_BENCH_USER_COMMON_H
#define KSHAKE_BENCH_USER_COMMON_H

#include "bench_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One negotiation from the initiator's side: one case of one protocol, offered to Peer. On
 * success the accepted response body is copied to Response (a buffer of
 * BENCH_USER_RESPONSE_CAPACITY bytes); on any other status Response is not written. */
typedef NTSTATUS (*BENCH_USER_OFFER)(PKSPIN Peer, void* Response);

#define BENCH_USER_RESPONSE_CAPACITY 4096u

typedef struct {
    const char* Implementation; /* "kshake", "chain", "switch" */
    unsigned Offer;             /* index in bench_offers; ~0u for the whole list */
    const char* Case;           /* "hit", "version", "unknown", "first", "offers" */
    BENCH_USER_OFFER Run;
    PFNKSPINHANDSHAKE Callback; /* the responder to register on the peer */
} BENCH_USER_CASE;

/* Each route's handler, called out of line by both sides (generated, bench_user_shims.cpp):
 * Context is the pin's context, Request and Response the route's payloads, Version the
 * request's. */
typedef NTSTATUS (*BENCH_USER_HANDLER)(void* Context, const void* Request, void* Response,
                                       ULONG Version);

/* The requests each offer sends, filled in by bench_user_init() from the user's header. */
void bench_user_init(void);

extern const BENCH_USER_CASE bench_user_kshake_cases[];
extern const unsigned bench_user_kshake_case_count;
extern const BENCH_USER_CASE bench_user_c_cases[];
extern const unsigned bench_user_c_case_count;

#ifdef __cplusplus
}
#endif

#endif
