/* The pieces of ks.h that both sides of the benchmark share: compiled as C (the baseline) and as
 * C++ (the kshake side). Layouts are those of the WDK (GUID, KSHANDSHAKE, PFNKSPINHANDSHAKE);
 * BENCH_PIN stands in for KSPIN with the one member a handshake callback reads (Context) plus
 * the callback that KsPinRegisterHandshakeCallback would have recorded.
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_BENCH_COMMON_H
#define KSHAKE_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t NTSTATUS;
typedef uint32_t ULONG;

#define BENCH_STATUS(x) ((NTSTATUS)(x))
#define STATUS_SUCCESS BENCH_STATUS(0x00000000U)
#define STATUS_INVALID_PARAMETER BENCH_STATUS(0xC000000DU)
#define STATUS_INVALID_DEVICE_REQUEST BENCH_STATUS(0xC0000010U)
#define STATUS_BUFFER_TOO_SMALL BENCH_STATUS(0xC0000023U)
#define STATUS_REVISION_MISMATCH BENCH_STATUS(0xC0000059U)
#define STATUS_INVALID_DEVICE_STATE BENCH_STATUS(0xC0000184U)
#define STATUS_DEVICE_PROTOCOL_ERROR BENCH_STATUS(0xC0000186U)
#define STATUS_INVALID_BUFFER_SIZE BENCH_STATUS(0xC0000206U)
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)

typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;

typedef struct {
    GUID ProtocolId;
    void* Argument1;
    void* Argument2;
} KSHANDSHAKE, *PKSHANDSHAKE;

typedef struct BENCH_PIN BENCH_PIN, *PKSPIN;
typedef NTSTATUS (*PFNKSPINHANDSHAKE)(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out);

struct BENCH_PIN {
    void* Context;
    PFNKSPINHANDSHAKE Handshake; /* what KsPinRegisterHandshakeCallback recorded */
};

/* The payloads every benchmark protocol carries (kshake uses the same structs). */
typedef struct {
    uint32_t Value;
    uint32_t Flags;
} BENCH_REQUEST;

typedef struct {
    uint32_t Value;
    uint32_t Route;
    uint64_t Cookie;
} BENCH_RESPONSE;

/* The responder pin's context. */
typedef struct {
    uint64_t Cookie;
} BENCH_CONTEXT;

/* One negotiation from the initiator's side: offer one protocol to `Peer`, return its status. */
typedef NTSTATUS (*BENCH_OFFER)(PKSPIN Peer, BENCH_RESPONSE* Response);

/* Everything one implementation (kshake, a C pattern or the floor) provides for one route count. */
typedef struct {
    const char*
        Implementation; /* "kshake", "chain", "inline_chain", "switch", "bsearch", "floor" */
    unsigned Routes;
    PFNKSPINHANDSHAKE Callback; /* the responder, to register on the peer pin */
    const BENCH_OFFER* Offers; /* Offers[i] offers route i's protocol */
    BENCH_OFFER Unknown; /* offers a protocol no route serves */
} BENCH_SUITE;

/* negotiate_first / its C loop: the peer serves the "pool" protocol at version 1 only and the
 * initiator offers versions K, K-1, ..., 1, so it falls through K offers. One suite for kshake
 * and one per C pattern (the same C initiator loop against that pattern's 4-route responder). */
typedef struct {
    const char* Implementation;
    PFNKSPINHANDSHAKE Callback;
    BENCH_OFFER FallThrough[3]; /* [K-1]: K offers, the last accepted */
} BENCH_FALLBACK_SUITE;

#ifdef __cplusplus
}
#endif

#endif
