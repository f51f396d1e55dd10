// Fuzz target: kshake::negotiate and kshake::negotiate_first against a hostile peer.
//
// The transport is a lambda the input drives. For every offer it first checks what the
// initiator sent (the protocol id, both envelopes' headers and the request body, a zeroed
// response body and a zeroed Out), then plays a peer that may write anything into the response
// envelope it was given (within the capacity the initiator announced), scribble on the request
// envelope, fill Out with any protocol id and any pointers (its own buffers, the request, null,
// wild addresses that must never be dereferenced) or leave it as it was, and return any status.
// A model of the wire rules predicts the result:
//   the peer's failure status (0x8..., 0xC...)  -> that status, no value;
//   STATUS_SUCCESS, the answer obeying the rules -> ok, the value equal to the bytes the peer
//                                                 wrote, and the version it answered with;
//   STATUS_SUCCESS, the answer breaking them, or
//   any other success code (STATUS_PENDING, an
//   informational 0x4... status, 1, ...)        -> STATUS_DEVICE_PROTOCOL_ERROR.
// negotiate_first must stop at the first acceptance, and at the first offer that ends with
// STATUS_DEVICE_PROTOCOL_ERROR (then with that status and no index); otherwise it reports the
// last refusal.
// ASan catches any read of memory the initiator does not own (a wild Out.Argument1, say).
// SPDX-License-Identifier: MIT
#include "fuzz_input.hpp"

#include <kshake/initiator.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <type_traits>

using namespace kshake::literals;
using kshake::ntstatus;
namespace status = kshake::status;

namespace {

struct blob {
    std::uint8_t bytes[24];
};
// With reserved fields where a compiler would pad: a payload has no implicit padding.
struct padded_request {
    std::uint32_t a;
    std::uint16_t b;
    std::uint16_t reserved;
    std::uint64_t c;
};
struct padded_response {
    std::uint64_t x;
    std::uint8_t y;
    std::uint8_t reserved[7];
};
struct max_payload {
    std::uint8_t bytes[kshake::max_payload_size];
};
struct tiny {
    std::uint8_t v;
};

struct p_padded {
    static constexpr kshake::guid id = "1F1E0001-0000-4000-8000-000000000001"_guid;
    using request = padded_request;
    using response = padded_response;
    static constexpr std::uint32_t version = 5;
    static constexpr std::uint32_t min_version = 2;
};
struct p_max {
    static constexpr kshake::guid id = "1F1E0002-0000-4000-8000-000000000002"_guid;
    using request = tiny;
    using response = max_payload;
    static constexpr std::uint32_t version = 3;
};
struct p_blob {
    static constexpr kshake::guid id = "1F1E0003-0000-4000-8000-000000000003"_guid;
    using request = blob;
    using response = blob;
};
struct p_raw {
    static constexpr kshake::guid id = "1F1E0004-0000-4000-8000-000000000004"_guid;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
    using codec = kshake::raw_codec;
};

// Compares a response with the body bytes the peer wrote, every byte: a payload has no
// padding, so its reserved fields must arrive as the peer wrote them too.
template <class T>
bool same_value(const T& v, const unsigned char* body) noexcept {
    static_assert(std::has_unique_object_representations_v<T>);
    return std::memcmp(&v, body, sizeof v) == 0;
}

template <class P>
constexpr bool is_raw = std::is_same_v<kshake::detail::codec_t<P>, kshake::raw_codec>;

// What the model concluded about one offer.
struct verdict {
    ntstatus status;           // predicted status of this offer
    unsigned char body[kshake::max_payload_size]; // envelope codec: the body the peer wrote
    kshake::raw_arguments raw; // raw codec: what Out carried
};

// Plays the peer for one offer of protocol P and predicts its outcome.
template <class P>
ntstatus hostile_peer(kshake_fuzz::input& in, const kshake::request_t<P>& sent,
                      const kshake::handshake& offer, kshake::handshake& out, verdict& v) noexcept {
    using request_type = kshake::request_t<P>;
    using response_type = kshake::response_t<P>;
    constexpr std::uint32_t request_envelope = kshake::detail::envelope_size<request_type>;
    constexpr std::uint32_t response_envelope = kshake::detail::envelope_size<response_type>;

    // What the initiator sent must follow the wire rules exactly.
    KSHAKE_FUZZ_CHECK(offer.protocol_id == P::id);
    if constexpr (is_raw<P>) {
        KSHAKE_FUZZ_CHECK(offer.argument1 == sent.argument1 && offer.argument2 == sent.argument2);
    } else {
        KSHAKE_FUZZ_CHECK(offer.argument1 != nullptr && offer.argument2 != nullptr);
        std::uint32_t header[2];
        std::memcpy(header, offer.argument1, sizeof header);
        KSHAKE_FUZZ_CHECK(header[0] == request_envelope && header[1] == kshake::version_v<P>);
        KSHAKE_FUZZ_CHECK(same_value(sent, static_cast<const unsigned char*>(offer.argument1) + 8));
        std::memcpy(header, offer.argument2, sizeof header);
        KSHAKE_FUZZ_CHECK(header[0] == response_envelope && header[1] == 0);
        // The response body starts zeroed: a peer that writes none of it is judged on zeros.
        const auto* const body = static_cast<const unsigned char*>(offer.argument2) + 8;
        bool zeroed = true;
        for (std::size_t i = 0; i < sizeof(response_type); ++i) {
            zeroed = zeroed && body[i] == 0;
        }
        KSHAKE_FUZZ_CHECK(zeroed);
    }
    // Out starts zeroed: a peer that answers without writing it names the nil GUID, no
    // protocol's id.
    const kshake::handshake zero_out{};
    KSHAKE_FUZZ_CHECK(std::memcmp(&out, &zero_out, sizeof out) == 0);

    // The hostile part. Envelopes: only the bytes the initiator announced are the peer's to use.
    auto* const response = static_cast<unsigned char*>(offer.argument2);
    if constexpr (!is_raw<P>) {
        const std::uint8_t how = in.u8();
        if ((how & 1U) != 0) { // a body
            in.bytes(response + 8, sizeof(response_type));
        }
        if ((how & 2U) != 0) { // a plausible header, or any
            std::uint32_t header[2] = {response_envelope, kshake::version_v<P>};
            switch (in.u8() % 6) {
            case 0:
                break;
            case 1:
                header[0] += 1;
                break;
            case 2:
                header[0] -= 1;
                break;
            case 3:
                // cppcheck-suppress compareBoolExpressionWithInt ; it reads `v<P> - 1` as `v < P >
                // -1`
                header[1] = kshake::min_version_v<P> - 1;
                break;
            case 4:
                header[1] = kshake::version_v<P> + 1 + in.u8();
                break;
            default:
                header[0] = in.u32();
                header[1] = in.u32();
                break;
            }
            std::memcpy(response, header, sizeof header);
        }
        if ((how & 4U) != 0) { // scribble on the (const) request envelope
            in.bytes(static_cast<unsigned char*>(offer.argument1),
                     in.u8() % (request_envelope + 1));
        }
        if ((how & 8U) != 0) { // any bytes over the whole response envelope
            in.bytes(response, in.u16() % (response_envelope + 1));
        }
    }

    switch (in.u8() % 4) {
    case 0:
        out.protocol_id = P::id;
        break;
    case 1:
        in.bytes(&out.protocol_id, sizeof out.protocol_id);
        break;
    case 2:
        out.protocol_id = P::id;
        out.protocol_id.data4[in.u8() % 8U] ^= static_cast<std::uint8_t>(1U << (in.u8() % 8U));
        break;
    default:
        break; // left as the initiator gave it
    }
    const auto wild = [&in]() noexcept {
        return reinterpret_cast<void*>(static_cast<std::uintptr_t>(in.u32()) | 1U);
    };
    for (void** field : {&out.argument1, &out.argument2}) {
        switch (in.u8() % 7) {
        case 0:
            *field = field == &out.argument1 ? offer.argument2 : nullptr; // what the rules say
            break;
        case 1:
            *field = nullptr;
            break;
        case 2:
            *field = offer.argument1;
            break;
        case 3:
            *field = offer.argument2;
            break;
        case 4:
            *field = offer.argument2 == nullptr
                         ? wild()
                         : static_cast<unsigned char*>(offer.argument2) + 1 + (in.u8() % 8U);
            break;
        case 5:
            *field = wild();
            break;
        default:
            break;
        }
    }

    ntstatus s = status::success;
    switch (in.u8() % 8) {
    case 0:
    case 1:
        break;
    case 2:
        s = ntstatus{0x103}; // STATUS_PENDING: a success code, but no answer
        break;
    case 3:
        s = static_cast<ntstatus>(0xC0000000U | in.u16());
        break;
    case 4:
        s = static_cast<ntstatus>(0x40000000U | in.u16()); // informational
        break;
    case 5:
        s = static_cast<ntstatus>(0x80000000U | in.u16()); // a warning: a refusal
        break;
    case 6:
        s = status::device_protocol_error; // the transport's own verdict
        break;
    default:
        s = static_cast<ntstatus>(in.u32());
        break;
    }

    // The model. Only STATUS_SUCCESS (0) is an answer to check; a failure status (severity
    // 0x8... or 0xC...) is the peer's refusal; any other success code is a broken answer.
    const auto code = static_cast<std::uint32_t>(s);
    if ((code >> 31U) != 0) {
        v.status = s;
    } else if (code != 0) {
        v.status = status::device_protocol_error;
    } else if constexpr (is_raw<P>) {
        v.status = out.protocol_id == P::id ? status::success : status::device_protocol_error;
        v.raw = {out.argument1, out.argument2};
    } else {
        std::uint32_t header[2];
        std::memcpy(header, response, sizeof header);
        const bool obeys = out.protocol_id == P::id && out.argument1 == offer.argument2 &&
                           out.argument2 == nullptr && header[0] == response_envelope &&
                           header[1] == kshake::version_v<P>;
        v.status = obeys ? status::success : status::device_protocol_error;
        std::memcpy(v.body, response + 8, sizeof(response_type));
    }
    return s;
}

template <class P>
void check_result(const kshake::result<kshake::response_t<P>>& r, const verdict& v) noexcept {
#if defined(KSHAKE_FUZZ_STATS) // how often each outcome is reached, for tuning the harness
    std::fprintf(stderr, "outcome once %08X\n", static_cast<unsigned>(r.status()));
#endif
    KSHAKE_FUZZ_CHECK(r.status() == v.status);
    KSHAKE_FUZZ_CHECK(r.ok() == (v.status == status::success));
    if (!r.ok()) {
        KSHAKE_FUZZ_CHECK(r.version() == 0);
        return;
    }
    KSHAKE_FUZZ_CHECK(r.version() == kshake::version_v<P>);
    if constexpr (is_raw<P>) {
        KSHAKE_FUZZ_CHECK(r->argument1 == v.raw.argument1 && r->argument2 == v.raw.argument2);
    } else {
        KSHAKE_FUZZ_CHECK(same_value(*r, v.body));
    }
}

template <class P>
kshake::request_t<P> make_request(kshake_fuzz::input& in) noexcept {
    kshake::request_t<P> request{};
    if constexpr (is_raw<P>) {
        request = {in.u8() % 2 == 0 ? nullptr : reinterpret_cast<void*>(in.u32() | 1U),
                   in.u8() % 2 == 0 ? nullptr : reinterpret_cast<void*>(in.u32() | 1U)};
    } else {
        in.bytes(&request, sizeof request);
    }
    return request;
}

template <class P>
void negotiate_once(kshake_fuzz::input& in) noexcept {
    const kshake::request_t<P> request = make_request<P>(in);
    static verdict v; // 2 KiB: kept off the fuzzer's stack frame
    v = {};
    int calls = 0;
    const auto peer = [&](const kshake::handshake& offer, kshake::handshake& out) noexcept {
        ++calls;
        return hostile_peer<P>(in, request, offer, out, v);
    };
    const auto r = kshake::negotiate<P>(peer, request);
    KSHAKE_FUZZ_CHECK(calls == 1);
    check_result<P>(r, v);
}

// negotiate_first over four offers: two versions of one protocol, then two others.
using p_padded_v5 = kshake::at_version<p_padded, 5>;
using p_padded_v3 = kshake::at_version<p_padded, 3>;

void negotiate_first(kshake_fuzz::input& in) noexcept {
    const auto r5 = make_request<p_padded_v5>(in);
    const auto r3 = make_request<p_padded_v3>(in);
    const auto rb = make_request<p_blob>(in);
    const auto rr = make_request<p_raw>(in);
    static verdict v[4];
    int calls = 0;
    const auto peer = [&](const kshake::handshake& offer, kshake::handshake& out) noexcept {
        const int i = calls++;
        KSHAKE_FUZZ_CHECK(i < 4);
        v[i] = {};
        switch (i) {
        case 0:
            return hostile_peer<p_padded_v5>(in, r5, offer, out, v[0]);
        case 1:
            return hostile_peer<p_padded_v3>(in, r3, offer, out, v[1]);
        case 2:
            return hostile_peer<p_blob>(in, rb, offer, out, v[2]);
        default:
            return hostile_peer<p_raw>(in, rr, offer, out, v[3]);
        }
    };
    const auto r =
        kshake::negotiate_first<p_padded_v5, p_padded_v3, p_blob, p_raw>(peer, r5, r3, rb, rr);
#if defined(KSHAKE_FUZZ_STATS)
    std::fprintf(stderr, "outcome first %zu %08X\n", r.index(), static_cast<unsigned>(r.status()));
#endif
    // The first accepted offer wins and nothing is offered after it; an offer that ends with
    // STATUS_DEVICE_PROTOCOL_ERROR (a broken answer, or the transport's own) ends the
    // negotiation there, unaccepted, since the peer may believe it agreed.
    int accepted = 4;
    int last = 3; // the offer the negotiation ended with
    for (int i = 0; i < calls; ++i) {
        if (v[i].status == status::success) {
            accepted = i;
            last = i;
            break;
        }
        if (v[i].status == status::device_protocol_error) {
            last = i;
            break;
        }
    }
    KSHAKE_FUZZ_CHECK(calls == last + 1);
    KSHAKE_FUZZ_CHECK(r.ok() == (accepted != 4));
    if (accepted == 4) {
        KSHAKE_FUZZ_CHECK(r.index() == r.none);
        KSHAKE_FUZZ_CHECK(r.version() == 0);
        KSHAKE_FUZZ_CHECK(r.status() == v[last].status);
        return;
    }
    KSHAKE_FUZZ_CHECK(r.index() == static_cast<std::size_t>(accepted));
    KSHAKE_FUZZ_CHECK(r.status() == status::success);
    switch (accepted) {
    case 0:
        KSHAKE_FUZZ_CHECK(r.version() == 5 && same_value(r.get<0>(), v[0].body));
        break;
    case 1:
        KSHAKE_FUZZ_CHECK(r.version() == 3 && same_value(r.get<1>(), v[1].body));
        break;
    case 2:
        KSHAKE_FUZZ_CHECK(r.version() == 1 && same_value(r.get<2>(), v[2].body));
        break;
    default: {
        const kshake::raw_arguments got = r.get<3>();
        KSHAKE_FUZZ_CHECK(r.version() == 1 && got.argument1 == v[3].raw.argument1 &&
                          got.argument2 == v[3].raw.argument2);
        break;
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kshake_fuzz::input in{data, size};
    switch (in.u8() % 5) {
    case 0:
        negotiate_once<p_padded>(in);
        break;
    case 1:
        negotiate_once<p_max>(in);
        break;
    case 2:
        negotiate_once<p_blob>(in);
        break;
    case 3:
        negotiate_once<p_raw>(in);
        break;
    default:
        negotiate_first(in);
        break;
    }
    return 0;
}
