/* kshake_wire.h — kshake's wire contract (docs/wire.md) for a peer that is not written in C++.
 * SPDX-License-Identifier: MIT
 *
 * Plain C11, also valid C++. It includes only <stddef.h> and <stdint.h>, calls no library
 * function and allocates nothing, so a kernel-mode C driver can use it (and Rust, through
 * bindgen; the static inline functions need bindgen's --wrap-static-fns or a Rust port).
 * Every buffer of the peer (In, Out, the envelopes) is read and written byte by byte: it may be
 * unaligned, and each integer is assembled little-endian.
 *
 * A responder checks §2.3's checks 1 and 2 itself (In and Out not null, a context), then:
 *   kshake_wire_read_protocol_id(&in, In);                (the id copied once, bytes 0-15)
 *   check 3: kshake_wire_guid_equal(&in.protocol_id, id) for each of its ids, on that copy;
 *     none equal: return KSHAKE_STATUS_INVALID_DEVICE_REQUEST, In's pointers never read
 *   kshake_wire_read_arguments(&in, In);                  (the pointers, once, only now)
 *   s = kshake_wire_check_request(&in, Out, ...);        (checks 4-8; nothing written but
 *                                                          *request_version)
 * (or, for one id served by several routes: kshake_wire_read_request_header once, then
 * kshake_wire_check_request_header for the route whose range holds the header's version;
 * no route holds it: KSHAKE_STATUS_REVISION_MISMATCH, §3),
 *   kshake_wire_read_request_body(&in, &request, ...);    (only after those passed)
 *   ... the handler fills a zeroed response; a failure status is returned as it is ...
 *   kshake_wire_write_response(&in, Out, version, &response, ...); return SUCCESS.
 * An initiator calls kshake_wire_prepare_offer, fills the request body, calls the transport, and
 * accepts the response only if kshake_wire_judge_answer returns KSHAKE_STATUS_SUCCESS.
 */
#ifndef KSHAKE_WIRE_H
#define KSHAKE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define KSHAKE_WIRE_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define KSHAKE_WIRE_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif

/* Drivers interoperate when they speak the same wire contract version, whatever their kshake
 * releases (docs/wire.md). */
#define KSHAKE_WIRE_CONTRACT_MAJOR 1
#define KSHAKE_WIRE_CONTRACT_MINOR 0

/* NTSTATUS, with the values of ntstatus.h (whose STATUS_* names a driver already has). */
typedef int32_t kshake_wire_status;

enum {
    KSHAKE_STATUS_SUCCESS = 0x00000000,
    KSHAKE_STATUS_PENDING = 0x00000103,
    KSHAKE_STATUS_BUFFER_OVERFLOW = (int32_t)0x80000005U,
    KSHAKE_STATUS_UNSUCCESSFUL = (int32_t)0xC0000001U,
    KSHAKE_STATUS_NOT_IMPLEMENTED = (int32_t)0xC0000002U,
    KSHAKE_STATUS_INVALID_PARAMETER = (int32_t)0xC000000DU,
    KSHAKE_STATUS_INVALID_DEVICE_REQUEST = (int32_t)0xC0000010U,
    KSHAKE_STATUS_BUFFER_TOO_SMALL = (int32_t)0xC0000023U,
    KSHAKE_STATUS_REVISION_MISMATCH = (int32_t)0xC0000059U,
    KSHAKE_STATUS_INSUFFICIENT_RESOURCES = (int32_t)0xC000009AU,
    KSHAKE_STATUS_DEVICE_NOT_CONNECTED = (int32_t)0xC000009DU,
    KSHAKE_STATUS_NOT_SUPPORTED = (int32_t)0xC00000BBU,
    KSHAKE_STATUS_CANCELLED = (int32_t)0xC0000120U,
    KSHAKE_STATUS_INVALID_DEVICE_STATE = (int32_t)0xC0000184U,
    KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR = (int32_t)0xC0000186U,
    KSHAKE_STATUS_INVALID_BUFFER_SIZE = (int32_t)0xC0000206U,
    KSHAKE_STATUS_NOT_FOUND = (int32_t)0xC0000225U
};

/* NT_SUCCESS: success and informational values (0x00000000-0x7FFFFFFF). */
#define KSHAKE_NT_SUCCESS(s) ((kshake_wire_status)(s) >= 0)

/* §1: a GUID (guiddef.h), 16 bytes. */
typedef struct kshake_wire_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
} kshake_wire_guid;

/* §1: KSHANDSHAKE (ks.h), 24 bytes on 32-bit targets and 32 on 64-bit ones. */
typedef struct kshake_wire_handshake {
    kshake_wire_guid protocol_id;
    void* argument1;
    void* argument2;
} kshake_wire_handshake;

/* §2.1: an envelope is {u32 size; u32 version; body}; size counts header and body. */
typedef struct kshake_envelope_header {
    uint32_t size;
    uint32_t version;
} kshake_envelope_header;

#define KSHAKE_ENVELOPE_BODY_OFFSET 8
#define KSHAKE_ENVELOPE_SIZE(body_size) ((uint32_t)(KSHAKE_ENVELOPE_BODY_OFFSET + (body_size)))

KSHAKE_WIRE_STATIC_ASSERT(sizeof(kshake_wire_guid) == 16, "kshake: a GUID is 16 bytes");
KSHAKE_WIRE_STATIC_ASSERT(offsetof(kshake_wire_guid, data2) == 4 &&
                              offsetof(kshake_wire_guid, data3) == 6 &&
                              offsetof(kshake_wire_guid, data4) == 8,
                          "kshake: GUID fields sit at 0, 4, 6 and 8");
KSHAKE_WIRE_STATIC_ASSERT(offsetof(kshake_wire_handshake, argument1) == 16 &&
                              offsetof(kshake_wire_handshake, argument2) == 16 + sizeof(void*),
                          "kshake: Argument1 is at 16, Argument2 follows it");
KSHAKE_WIRE_STATIC_ASSERT(sizeof(kshake_wire_handshake) == 16 + 2 * sizeof(void*) &&
                              (sizeof(void*) != 4 || sizeof(kshake_wire_handshake) == 24) &&
                              (sizeof(void*) != 8 || sizeof(kshake_wire_handshake) == 32),
                          "kshake: KSHANDSHAKE is 24 bytes on 32-bit targets, 32 on 64-bit");
KSHAKE_WIRE_STATIC_ASSERT(sizeof(kshake_envelope_header) == KSHAKE_ENVELOPE_BODY_OFFSET &&
                              offsetof(kshake_envelope_header, version) == 4,
                          "kshake: an envelope's size is at 0, its version at 4, its body at 8");

/* Internal: bytes of buffers that may be unaligned. */
static inline void kshake_wire_detail_copy(void* to, const void* from, size_t count) {
    unsigned char* const t = (unsigned char*)to;
    const unsigned char* const f = (const unsigned char*)from;
    size_t i;
    for (i = 0; i < count; ++i) {
        t[i] = f[i];
    }
}

static inline uint32_t kshake_wire_detail_load_u32(const void* from) {
    const unsigned char* const b = (const unsigned char*)from;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline void kshake_wire_detail_store_u32(void* to, uint32_t value) {
    unsigned char* const b = (unsigned char*)to;
    b[0] = (unsigned char)(value & 0xFFU);
    b[1] = (unsigned char)((value >> 8) & 0xFFU);
    b[2] = (unsigned char)((value >> 16) & 0xFFU);
    b[3] = (unsigned char)((value >> 24) & 0xFFU);
}

/* §2.3 check 3, §2.5, §4: the same 16 bytes. Either may be a kshake_wire_guid or a GUID. */
static inline int kshake_wire_guid_equal(const void* a, const void* b) {
    const unsigned char* const x = (const unsigned char*)a;
    const unsigned char* const y = (const unsigned char*)b;
    size_t i;
    for (i = 0; i < sizeof(kshake_wire_guid); ++i) {
        if (x[i] != y[i]) {
            return 0;
        }
    }
    return 1;
}

/* §2.3 check 3: a responder copies In's id (bytes 0-15) once and compares only that copy. The
 * pointers are left as they were: they are read after check 3, by kshake_wire_read_arguments. */
static inline void kshake_wire_read_protocol_id(kshake_wire_handshake* to, const void* in) {
    kshake_wire_detail_copy(&to->protocol_id, in, sizeof to->protocol_id);
}

/* §2.3 after check 3: In's two pointers (bytes 16 on), copied once; the id is left as
 * kshake_wire_read_protocol_id copied it. An In of which only the id is mapped is refused at
 * check 3 without reaching this. */
static inline void kshake_wire_read_arguments(kshake_wire_handshake* to, const void* in) {
    const unsigned char* const bytes = (const unsigned char*)in;
    kshake_wire_detail_copy(&to->argument1, bytes + offsetof(kshake_wire_handshake, argument1),
                            sizeof to->argument1);
    kshake_wire_detail_copy(&to->argument2, bytes + offsetof(kshake_wire_handshake, argument2),
                            sizeof to->argument2);
}

/* A whole KSHANDSHAKE copied once: an initiator's own Out, after the call. Not a responder's In,
 * whose pointers must not be read before check 3 (kshake_wire_read_protocol_id, then
 * kshake_wire_read_arguments). */
static inline void kshake_wire_read_handshake(kshake_wire_handshake* to, const void* from) {
    kshake_wire_detail_copy(to, from, sizeof *to);
}

/* §2.3 checks 4 and the reads for 5-6: In's two envelopes are not null, and the request header
 * (request envelope bytes [0, 8)) is copied once into *header. Nothing else is read. A responder
 * serving one id with several routes (§3, typed versions) reads the header once with this, picks
 * the route whose [min_version, version] holds header->version, and checks it with
 * kshake_wire_check_request_header. */
static inline kshake_wire_status kshake_wire_read_request_header(const kshake_wire_handshake* in,
                                                                 kshake_envelope_header* header) {
    if (in->argument1 == NULL || in->argument2 == NULL) {
        return KSHAKE_STATUS_INVALID_PARAMETER; /* 4 */
    }
    header->size = kshake_wire_detail_load_u32(in->argument1);
    header->version = kshake_wire_detail_load_u32((const unsigned char*)in->argument1 + 4);
    return KSHAKE_STATUS_SUCCESS;
}

/* §2.3 checks 5-8 for one route serving [min_version, version] (1 <= min_version <= version)
 * with request and response bodies of these sizes, given the request header already read.
 * `out` is the peer's Out, only compared (check 8). Reads only response envelope bytes [0, 4),
 * its capacity, before check 7. Writes nothing. */
static inline kshake_wire_status
kshake_wire_check_request_header(const kshake_wire_handshake* in,
                                 const kshake_envelope_header* header, const void* out,
                                 uint32_t min_version, uint32_t version, size_t request_body_size,
                                 size_t response_body_size) {
    const uint32_t response_size = KSHAKE_ENVELOPE_SIZE(response_body_size);
    uintptr_t response;
    uintptr_t out_address;
    if (header->version < min_version || header->version > version) {
        return KSHAKE_STATUS_REVISION_MISMATCH; /* 5 */
    }
    if (header->size < KSHAKE_ENVELOPE_SIZE(request_body_size)) {
        return KSHAKE_STATUS_INVALID_BUFFER_SIZE; /* 6 */
    }
    if (kshake_wire_detail_load_u32(in->argument2) < response_size) {
        return KSHAKE_STATUS_BUFFER_TOO_SMALL; /* 7 */
    }
    response = (uintptr_t)in->argument2;
    out_address = (uintptr_t)out;
    if (response < out_address + sizeof(kshake_wire_handshake) &&
        out_address < response + response_size) {
        return KSHAKE_STATUS_INVALID_PARAMETER; /* 8 */
    }
    return KSHAKE_STATUS_SUCCESS;
}

/* §2.3 checks 4-8 for one route, as the two functions above: `in` is the copy of In. Reads
 * request envelope bytes [0, 8) before check 5 and response envelope bytes [0, 4) before
 * check 7; nothing else. Writes only *request_version (the version the initiator spoke), and
 * only on KSHAKE_STATUS_SUCCESS. */
static inline kshake_wire_status
kshake_wire_check_request(const kshake_wire_handshake* in, const void* out, uint32_t min_version,
                          uint32_t version, size_t request_body_size, size_t response_body_size,
                          uint32_t* request_version) {
    kshake_envelope_header header;
    kshake_wire_status s = kshake_wire_read_request_header(in, &header);
    if (s == KSHAKE_STATUS_SUCCESS) {
        s = kshake_wire_check_request_header(in, &header, out, min_version, version,
                                             request_body_size, response_body_size);
    }
    if (s == KSHAKE_STATUS_SUCCESS) {
        *request_version = header.version;
    }
    return s;
}

/* §2.3: the request body, bytes [8, 8 + body_size) of the request envelope, copied
 * once; only after kshake_wire_check_request succeeded with this body_size. */
static inline void kshake_wire_read_request_body(const kshake_wire_handshake* in, void* body,
                                                 size_t body_size) {
    kshake_wire_detail_copy(body, (const unsigned char*)in->argument1 + KSHAKE_ENVELOPE_BODY_OFFSET,
                            body_size);
}

/* §2.4, once the handler has succeeded: the response envelope's first
 * KSHAKE_ENVELOPE_SIZE(body_size) bytes become {size, version (the request's), body}, and no
 * byte past them is written; then Out = {In.ProtocolId, the response envelope, NULL}. The
 * responder then returns KSHAKE_STATUS_SUCCESS, whatever success status its handler gave
 * (§2.4). A C++ payload that is an empty struct is one zero byte (body_size 1). */
static inline void kshake_wire_write_response(const kshake_wire_handshake* in, void* out,
                                              uint32_t version, const void* body,
                                              size_t body_size) {
    kshake_wire_handshake reply; /* taken from `in` first: In may overlap the response */
    unsigned char* const envelope = (unsigned char*)in->argument2;
    reply.protocol_id = in->protocol_id;
    reply.argument1 = in->argument2;
    reply.argument2 = NULL;
    kshake_wire_detail_copy(envelope + KSHAKE_ENVELOPE_BODY_OFFSET, body, body_size);
    kshake_wire_detail_store_u32(envelope, KSHAKE_ENVELOPE_SIZE(body_size));
    kshake_wire_detail_store_u32(envelope + 4, version);
    kshake_wire_detail_copy(out, &reply, sizeof reply);
}

/* §2.2 and §2.5, before the transport is called, in this order: Out is zeroed; the response
 * envelope's header becomes {response_capacity, 0} and the rest of its capacity is zeroed; the
 * request envelope's header becomes {size, version}, where size is
 * KSHAKE_ENVELOPE_SIZE(request_body_size), or response_capacity if that is larger and both
 * envelopes are one buffer (§2.2); In = {protocol_id, request envelope, response envelope}.
 * So In may be Out, and both envelopes may be one buffer. The request body (from byte 8 of the
 * request envelope) is the caller's to fill afterwards; Out is zero only where it overlaps
 * neither In nor the envelopes (§2.5). `in` and `out` may be KSHANDSHAKEs. */
static inline void kshake_wire_prepare_offer(void* in, void* out, const void* protocol_id,
                                             uint32_t version, void* request_envelope,
                                             size_t request_body_size, void* response_envelope,
                                             uint32_t response_capacity) {
    kshake_wire_handshake offer;
    unsigned char* const response = (unsigned char*)response_envelope;
    unsigned char* const zeroed = (unsigned char*)out;
    uint32_t request_size = KSHAKE_ENVELOPE_SIZE(request_body_size);
    size_t i;
    for (i = 0; i < sizeof(kshake_wire_handshake); ++i) {
        zeroed[i] = 0;
    }
    kshake_wire_detail_store_u32(response, response_capacity);
    kshake_wire_detail_store_u32(response + 4, 0);
    for (i = KSHAKE_ENVELOPE_BODY_OFFSET; i < response_capacity; ++i) {
        response[i] = 0;
    }
    if (request_envelope == response_envelope && response_capacity > request_size) {
        request_size = response_capacity;
    }
    kshake_wire_detail_store_u32(request_envelope, request_size);
    kshake_wire_detail_store_u32((unsigned char*)request_envelope + 4, version);
    kshake_wire_detail_copy(&offer.protocol_id, protocol_id, sizeof offer.protocol_id);
    offer.argument1 = request_envelope;
    offer.argument2 = response_envelope;
    kshake_wire_detail_copy(in, &offer, sizeof offer);
}

/* §2.5: a transport status other than KSHAKE_STATUS_SUCCESS ends the offer
 * without reading anything: a failure status is the peer's refusal, returned as it is; any
 * other success code (STATUS_PENDING, 0x4... informational) is a broken answer. */
static inline kshake_wire_status kshake_wire_detail_unanswered(kshake_wire_status status) {
    if (KSHAKE_NT_SUCCESS(status)) {
        return KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR;
    }
    return status;
}

/* §2.5: what the transport's status and Out amount to for an envelope
 * offer of `protocol_id` at `version`. KSHAKE_STATUS_SUCCESS (read the response body, from byte
 * 8 of the response envelope) only if the status is exactly KSHAKE_STATUS_SUCCESS, Out is
 * {protocol_id, response_envelope, NULL} and the response envelope's header is
 * {KSHAKE_ENVELOPE_SIZE(response_body_size), version}; KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR if
 * the peer said yes otherwise; a failure status as it is. */
static inline kshake_wire_status kshake_wire_judge_answer(kshake_wire_status status,
                                                          const void* out, const void* protocol_id,
                                                          uint32_t version,
                                                          const void* response_envelope,
                                                          size_t response_body_size) {
    kshake_wire_handshake answer;
    if (status != KSHAKE_STATUS_SUCCESS) {
        return kshake_wire_detail_unanswered(status);
    }
    kshake_wire_read_handshake(&answer, out);
    if (!kshake_wire_guid_equal(&answer.protocol_id, protocol_id) ||
        answer.argument1 != response_envelope || answer.argument2 != NULL ||
        kshake_wire_detail_load_u32(response_envelope) !=
            KSHAKE_ENVELOPE_SIZE(response_body_size) ||
        kshake_wire_detail_load_u32((const unsigned char*)response_envelope + 4) != version) {
        return KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR;
    }
    return KSHAKE_STATUS_SUCCESS;
}

/* §4 and §2.5, for a raw-codec offer (In = {protocol_id, argument1, argument2} as
 * the protocol defines them, Out zeroed): only Out.ProtocolId is checked. On
 * KSHAKE_STATUS_SUCCESS, Out's two pointers are the answer, as the protocol defines them. */
static inline kshake_wire_status
kshake_wire_judge_raw_answer(kshake_wire_status status, const void* out, const void* protocol_id) {
    if (status != KSHAKE_STATUS_SUCCESS) {
        return kshake_wire_detail_unanswered(status);
    }
    if (!kshake_wire_guid_equal(out, protocol_id)) {
        return KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR;
    }
    return KSHAKE_STATUS_SUCCESS;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KSHAKE_WIRE_H */
