/* The C peer: a responder and an initiator in C11, built on <kshake/kshake_wire.h> alone, as a
 * C driver would write them (docs/wire.md). tests/c_peer/c_peer_test.cpp has them negotiate with
 * kshake both ways.
 * SPDX-License-Identifier: MIT */
#include "peer.h"

static const kshake_wire_guid echo_id = C_PEER_ECHO_ID;
static const kshake_wire_guid query_id = C_PEER_QUERY_ID;
static const kshake_wire_guid other_id = C_PEER_RAW_ID;

/* The handlers: each fills a zeroed response. */
static kshake_wire_status handle_echo(c_peer_state* state, const c_peer_echo_request* request,
                                      c_peer_echo_response* response, uint32_t version) {
    ++state->echo_served;
    state->last_version = version;
    state->last_echo = *request;
    response->value = request->value + 1U;
    response->version = version;
    response->cookie = state->cookie;
    return state->echo_status; /* filled, and maybe refused anyway */
}

static kshake_wire_status handle_query(c_peer_state* state, const c_peer_query_request* request,
                                       c_peer_query_response* response) {
    static const char name[] = "c-peer";
    size_t i;
    ++state->query_served;
    for (i = 0; i < sizeof name - 1; ++i) {
        response->name[i] = (uint8_t)name[i];
    }
    response->command = (uint16_t)(request->command & 0xFFFFU);
    return KSHAKE_STATUS_SUCCESS;
}

static void zero(void* bytes, size_t count) {
    unsigned char* const b = (unsigned char*)bytes;
    size_t i;
    for (i = 0; i < count; ++i) {
        b[i] = 0;
    }
}

static void copy(void* to, const void* from, size_t count) {
    unsigned char* const t = (unsigned char*)to;
    const unsigned char* const f = (const unsigned char*)from;
    size_t i;
    for (i = 0; i < count; ++i) {
        t[i] = f[i];
    }
}

/* A valid answer, broken afterwards as state->fault says (§2.5's rules). */
static kshake_wire_status deliver(c_peer_state* state, const kshake_wire_handshake* in,
                                  kshake_wire_handshake* out, uint32_t version, const void* body,
                                  size_t body_size) {
    unsigned char* const response = (unsigned char*)in->argument2;
    kshake_wire_handshake reply;
    if (state->fault == C_PEER_FAULT_NOTHING_WRITTEN) {
        return KSHAKE_STATUS_SUCCESS;
    }
    kshake_wire_write_response(in, out, version, body, body_size);
    kshake_wire_read_handshake(&reply, out);
    switch (state->fault) {
    case C_PEER_FAULT_OTHER_PROTOCOL_ID:
        reply.protocol_id = other_id;
        break;
    case C_PEER_FAULT_OTHER_ARGUMENT1:
        reply.argument1 = state->elsewhere;
        break;
    case C_PEER_FAULT_ARGUMENT2_SET:
        reply.argument2 = in->argument1;
        break;
    case C_PEER_FAULT_RESPONSE_SIZE:
        response[0] = (unsigned char)(response[0] + 1U); /* one byte more than the envelope */
        break;
    case C_PEER_FAULT_RESPONSE_VERSION:
        response[4] = (unsigned char)(response[4] + 1U);
        break;
    case C_PEER_FAULT_INFORMATIONAL:
        return (kshake_wire_status)0x40000000;
    case C_PEER_FAULT_PENDING:
        return KSHAKE_STATUS_PENDING;
    default:
        break;
    }
    copy(out, &reply, sizeof reply); /* Out may be unaligned: bytes, not an assignment */
    return KSHAKE_STATUS_SUCCESS;
}

/* §2.3 checks 4-9 and §2.4 for the echo route, [2, 4]. */
static kshake_wire_status serve_echo(c_peer_state* state, const kshake_wire_handshake* in,
                                     kshake_wire_handshake* out) {
    c_peer_echo_request request;
    c_peer_echo_response response;
    uint32_t version = 0;
    kshake_wire_status s =
        kshake_wire_check_request(in, out, C_PEER_ECHO_MIN_VERSION, C_PEER_ECHO_VERSION,
                                  sizeof request, sizeof response, &version);
    if (s != KSHAKE_STATUS_SUCCESS) {
        return s;
    }
    kshake_wire_read_request_body(in, &request, sizeof request);
    zero(&response, sizeof response);
    s = handle_echo(state, &request, &response, version);
    if (!KSHAKE_NT_SUCCESS(s)) {
        return s; /* nothing written */
    }
    return deliver(state, in, out, version, &response, sizeof response);
}

static kshake_wire_status serve_query(c_peer_state* state, const kshake_wire_handshake* in,
                                      kshake_wire_handshake* out) {
    c_peer_query_request request;
    c_peer_query_response response;
    uint32_t version = 0;
    kshake_wire_status s =
        kshake_wire_check_request(in, out, 1, 1, sizeof request, sizeof response, &version);
    if (s != KSHAKE_STATUS_SUCCESS) {
        return s;
    }
    kshake_wire_read_request_body(in, &request, sizeof request);
    zero(&response, sizeof response);
    s = handle_query(state, &request, &response);
    if (!KSHAKE_NT_SUCCESS(s)) {
        return s;
    }
    return deliver(state, in, out, version, &response, sizeof response);
}

kshake_wire_status c_responder(void* pin_context, kshake_wire_handshake* in,
                               kshake_wire_handshake* out) {
    c_peer_state* const state = (c_peer_state*)pin_context;
    kshake_wire_handshake copy;
    if (in == NULL || out == NULL) {
        return KSHAKE_STATUS_INVALID_PARAMETER; /* check 1 */
    }
    if (state == NULL) {
        return KSHAKE_STATUS_INVALID_DEVICE_STATE; /* check 2 */
    }
    /* The id, once; the pointers only for an id served (wire.md §2.3, §8). */
    kshake_wire_read_protocol_id(&copy, in);
    if (kshake_wire_guid_equal(&copy.protocol_id, &echo_id)) {
        kshake_wire_read_arguments(&copy, in);
        return serve_echo(state, &copy, out);
    }
    if (kshake_wire_guid_equal(&copy.protocol_id, &query_id)) {
        kshake_wire_read_arguments(&copy, in);
        return serve_query(state, &copy, out);
    }
    return KSHAKE_STATUS_INVALID_DEVICE_REQUEST; /* check 3 */
}

kshake_wire_status c_negotiate(c_peer_transport transport, void* context,
                               const kshake_wire_guid* protocol_id, uint32_t version,
                               const void* request, size_t request_size, void* response,
                               size_t response_size) {
    /* Both envelopes at odd addresses: nothing on the wire may assume alignment. */
    union {
        uint64_t align;
        unsigned char bytes[1 + KSHAKE_ENVELOPE_BODY_OFFSET + C_PEER_MAX_BODY];
    } request_buffer;
    union {
        uint64_t align;
        unsigned char bytes[3 + KSHAKE_ENVELOPE_BODY_OFFSET + C_PEER_MAX_BODY];
    } response_buffer;
    unsigned char* const request_envelope = request_buffer.bytes + 1;
    unsigned char* const response_envelope = response_buffer.bytes + 3;
    const unsigned char* const body = (const unsigned char*)request;
    unsigned char* const answer = (unsigned char*)response;
    kshake_wire_handshake in;
    kshake_wire_handshake out;
    kshake_wire_status s;
    size_t i;
    if (request_size > C_PEER_MAX_BODY || response_size > C_PEER_MAX_BODY) {
        return KSHAKE_STATUS_INVALID_PARAMETER;
    }
    kshake_wire_prepare_offer(&in, &out, protocol_id, version, request_envelope, request_size,
                              response_envelope, KSHAKE_ENVELOPE_SIZE(response_size));
    for (i = 0; i < request_size; ++i) {
        request_envelope[KSHAKE_ENVELOPE_BODY_OFFSET + i] = body[i];
    }
    s = transport(context, &in, &out);
    s = kshake_wire_judge_answer(s, &out, protocol_id, version, response_envelope, response_size);
    if (s != KSHAKE_STATUS_SUCCESS) {
        return s;
    }
    for (i = 0; i < response_size; ++i) {
        answer[i] = response_envelope[KSHAKE_ENVELOPE_BODY_OFFSET + i];
    }
    return KSHAKE_STATUS_SUCCESS;
}

kshake_wire_status c_negotiate_raw(c_peer_transport transport, void* context,
                                   const kshake_wire_guid* protocol_id, void* argument1,
                                   void* argument2, void** answer1, void** answer2) {
    kshake_wire_handshake in;
    kshake_wire_handshake out;
    kshake_wire_status s;
    in.protocol_id = *protocol_id;
    in.argument1 = argument1;
    in.argument2 = argument2;
    zero(&out, sizeof out); /* §2.5: Out starts zeroed */
    s = kshake_wire_judge_raw_answer(transport(context, &in, &out), &out, protocol_id);
    if (s != KSHAKE_STATUS_SUCCESS) {
        return s;
    }
    *answer1 = out.argument1;
    *answer2 = out.argument2;
    return KSHAKE_STATUS_SUCCESS;
}
