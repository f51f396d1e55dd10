// Fuzz target: the responder's PFNKSPINHANDSHAKE-shaped callback and serve(), plain and traced
// (serve with a hook, traced_callback), fed In/Out handshakes and envelopes that a hostile or
// buggy peer driver controls.
//
// The input decides where In, Out and both envelopes live (null, their own exact-size heap
// block, anywhere in one shared arena, on top of each other, unaligned), which protocol id is
// offered (a served one, a near miss, random bytes), the envelope headers and every body byte.
// A reference model written from the wire rules (docs/wire.md, docs/error-contract.md) predicts
// the status and every byte each buffer must hold afterwards; the target checks both exactly:
//   failure  -> every byte of every buffer unchanged, the handler's partial work invisible;
//   success  -> only the response envelope's envelope_size bytes and Out changed, to the
//               predicted values.
// ASan reports any read or write outside the bytes the peer provided. The harness keeps only the
// promise the wire rules ask of a peer, and only for the bytes the rules let the responder touch
// on the way the model predicts (the order of docs/error-contract.md): the request envelope's
// 8-byte header once the id is served, the response envelope's 4-byte size once the request
// header has passed, the request body and the response envelope's envelope_size bytes once
// every check has passed. Anything short of that is allowed, as is a `size` that claims more
// bytes than are there: a responder that reads the response header's version, reads the
// request body before its checks or beyond envelope_size<request>, or touches an envelope it
// has already refused, is caught. In may also be an exact-size block of only the bytes check 3
// may read for an unknown id (its 16-byte id, or its first 8 when they start no route's id and
// the route table keys on them alone): a responder, traced or not, that reads In's pointers or
// bytes 8-15 before it may is caught by ASan. A traced call must answer as a plain one does and
// report the status it returned and the bytes of the id it read (request_event).
// SPDX-License-Identifier: MIT
#include "fuzz_input.hpp"

#include <kshake/responder.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

using namespace kshake::literals;
using kshake::ntstatus;
namespace status = kshake::status;

namespace {

struct context {
    std::uint32_t calls;
};

// One behaviour for every handler, on bytes, so the model can run exactly the same code.
// It writes half the response, may fail (after that partial write) with an error (0xC...) or a
// warning (0x8...) status, may leave the last byte untouched (so a responder that forgot to
// zero the response would leak it), and may return a success code other than STATUS_SUCCESS
// (1, STATUS_PENDING or an informational 0x4... status), which delivers the response as
// STATUS_SUCCESS does.
ntstatus behave(unsigned tag, const unsigned char* request, std::size_t request_size,
                unsigned char* response, std::size_t response_size,
                std::uint32_t version) noexcept {
    const unsigned first = request[0];
    const unsigned second = request_size > 1 ? request[1] : 0U;
    const auto salt = static_cast<unsigned char>((tag * 31U) + version);
    const std::size_t half = response_size / 2;
    for (std::size_t i = 0; i < half; ++i) {
        response[i] = static_cast<unsigned char>(request[i % request_size] ^ salt);
    }
    if ((first & 3U) == 3U) {
        const std::uint32_t severity = (first & 8U) != 0 ? 0x80000000U : 0xC0000000U;
        return static_cast<ntstatus>(severity | 1U | (second << 4U));
    }
    const std::size_t end = (first & 4U) != 0 ? response_size - 1 : response_size;
    for (std::size_t i = half; i < end; ++i) {
        response[i] = static_cast<unsigned char>(request[(i * 7) % request_size] + salt);
    }
    if ((first & 3U) != 2U) {
        return status::success;
    }
    switch (second % 3U) {
    case 0:
        return ntstatus{1};
    case 1:
        return ntstatus{0x103}; // STATUS_PENDING
    default:
        return static_cast<ntstatus>(0x40000000U | (second << 4U)); // informational
    }
}

// The wire rules' reading of a handler's status: success (0x0...) and informational (0x4...)
// codes deliver the response, warnings (0x8...) and errors (0xC...) refuse it. Written out
// here rather than taken from kshake::nt_success, so that the model does not share its code.
bool delivers(ntstatus s) noexcept { return (static_cast<std::uint32_t>(s) >> 31U) == 0; }

ntstatus behave_raw(void* a1, void* a2, void*& r1, void*& r2) noexcept {
    if (a1 == nullptr && a2 == nullptr) {
        return status::not_supported;
    }
    r1 = a2;
    r2 = a1;
    return status::success;
}

// Payloads of several sizes and shapes: 1 byte, with reserved fields where a compiler would
// pad (a payload has no implicit padding), odd-sized, the maximum.
struct tiny {
    std::uint8_t v;
};
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
static_assert(sizeof(padded_request) == 16 && sizeof(padded_response) == 16);
struct odd_request {
    std::uint8_t bytes[13];
};
struct odd_response {
    std::uint16_t words[7];
};
struct max_payload {
    std::uint8_t bytes[kshake::max_payload_size];
};

struct p_tiny {
    static constexpr kshake::guid id = "5A1C0001-0000-4000-8000-000000000001"_guid;
    using request = tiny;
    using response = tiny;
};
struct p_padded {
    static constexpr kshake::guid id = "5A1C0002-0000-4000-8000-000000000002"_guid;
    using request = padded_request;
    using response = padded_response;
    static constexpr std::uint32_t version = 5;
    static constexpr std::uint32_t min_version = 2;
};
struct p_odd {
    static constexpr kshake::guid id = "5A1C0003-0000-4000-8000-000000000003"_guid;
    using request = odd_request;
    using response = odd_response;
    static constexpr std::uint32_t version = 7;
    static constexpr std::uint32_t min_version = 7;
};
struct p_max {
    static constexpr kshake::guid id = "5A1C0004-0000-4000-8000-000000000004"_guid;
    using request = max_payload;
    using response = max_payload;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 1;
};
struct p_small_big {
    static constexpr kshake::guid id = "5A1C0005-0000-4000-8000-000000000005"_guid;
    using request = tiny;
    using response = max_payload;
    static constexpr std::uint32_t version = 0xFFFFFFFFU;
    static constexpr std::uint32_t min_version = 0xFFFFFFFEU;
};
struct p_raw {
    static constexpr kshake::guid id = "5A1C0006-0000-4000-8000-000000000006"_guid;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
    using codec = kshake::raw_codec;
};
// Ids that differ only in their last byte: the hardest case for the route table's hash.
template <std::size_t N>
struct p_numbered {
    static constexpr kshake::guid id = {
        0x5A1C1000U, 0x1234, 0x4321, {0x80, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(N)}};
    using request = tiny;
    using response = odd_response;
};

// An empty payload: its one byte never crosses the wire, but the handler must see it zeroed
// (docs/wire.md §2.4); the fuzzed bytes around it are whatever the stack held.
struct empty {};
struct p_empty {
    static constexpr kshake::guid id = "5A1C0007-0000-4000-8000-000000000007"_guid;
    using request = empty;
    using response = empty;
};
template <class P>
ntstatus handle_empty(context& c, const kshake::request_t<P>&,
                      kshake::response_t<P>& response) noexcept {
    ++c.calls;
    unsigned char byte = 0xFF;
    std::memcpy(&byte, &response, 1);
    KSHAKE_FUZZ_CHECK(byte == 0);
    return status::success;
}

template <class P, unsigned Tag>
ntstatus run(context& c, const kshake::request_t<P>& request, kshake::response_t<P>& response,
             std::uint32_t version) noexcept {
    ++c.calls;
    unsigned char in[sizeof request];
    unsigned char out[sizeof response];
    std::memcpy(in, &request, sizeof in);
    std::memcpy(out, &response, sizeof out);
    const ntstatus s = behave(Tag, in, sizeof in, out, sizeof out, version);
    std::memcpy(&response, out, sizeof out);
    return s;
}
template <class P, unsigned Tag>
ntstatus handle3(context& c, const kshake::request_t<P>& request,
                 kshake::response_t<P>& response) noexcept {
    return run<P, Tag>(c, request, response, 0);
}
template <class P, unsigned Tag>
ntstatus handle4(context& c, const kshake::request_t<P>& request, kshake::response_t<P>& response,
                 std::uint32_t version) noexcept {
    return run<P, Tag>(c, request, response, version);
}
ntstatus handle_raw(context& c, const kshake::raw_arguments& request,
                    kshake::raw_arguments& response) noexcept {
    ++c.calls;
    return behave_raw(request.argument1, request.argument2, response.argument1, response.argument2);
}

// What the model knows of a route.
struct route_info {
    kshake::guid id{};
    std::size_t request_size{};
    std::size_t response_size{};
    std::uint32_t min_version{};
    std::uint32_t version{};
    bool raw{};
    bool passes_version{};
    unsigned tag{};
    bool empty{}; // p_empty: handle_empty answers, with a zero body
};

template <class P, unsigned Tag, bool PassesVersion>
constexpr route_info info() noexcept {
    return {P::id,
            sizeof(kshake::request_t<P>),
            sizeof(kshake::response_t<P>),
            kshake::min_version_v<P>,
            kshake::version_v<P>,
            std::is_same_v<kshake::detail::codec_t<P>, kshake::raw_codec>,
            PassesVersion,
            Tag};
}

// The raw route: no envelopes, so no sizes or versions on the wire.
constexpr route_info raw_info{p_raw::id, 0, 0, 1, 1, true, false, 0};

using multi_responder = kshake::responder<
    context, kshake::route<p_tiny, &handle3<p_tiny, 1>>,
    kshake::route<p_padded, &handle4<p_padded, 2>>, kshake::route<p_odd, &handle3<p_odd, 3>>,
    kshake::route<p_max, &handle4<p_max, 4>>, kshake::route<p_small_big, &handle4<p_small_big, 5>>,
    kshake::route<p_raw, &handle_raw>, kshake::route<p_empty, &handle_empty<p_empty>>>;
constexpr route_info multi_routes[] = {
    info<p_tiny, 1, false>(),
    info<p_padded, 2, true>(),
    info<p_odd, 3, false>(),
    info<p_max, 4, true>(),
    info<p_small_big, 5, true>(),
    raw_info,
    {p_empty::id, sizeof(empty), sizeof(empty), 1, 1, false, false, 0, true},
};

using single_responder = kshake::responder<context, kshake::route<p_padded, &handle4<p_padded, 2>>>;
constexpr route_info single_routes[] = {info<p_padded, 2, true>()};

// Six routes: a small table without buckets (route_table's single_level, up to 16 ids), as for
// multi_responder; many_responder's 49 go through the two-level table, single_responder's one id
// is compared in place.
// Two of its ids share their bytes 0-7, so it looks ids up by those and compares the two
// ids' bytes 8-15 in turn (detail/dispatch.hpp's first_halves).
using few_responder =
    kshake::responder<context, kshake::route<p_tiny, &handle3<p_tiny, 1>>,
                      kshake::route<p_max, &handle4<p_max, 4>>, kshake::route<p_raw, &handle_raw>,
                      kshake::route<p_odd, &handle3<p_odd, 3>>,
                      kshake::route<p_numbered<0>, &handle3<p_numbered<0>, 100>>,
                      kshake::route<p_numbered<1>, &handle3<p_numbered<1>, 101>>>;
constexpr route_info few_routes[] = {info<p_tiny, 1, false>(),
                                     info<p_max, 4, true>(),
                                     raw_info,
                                     info<p_odd, 3, false>(),
                                     info<p_numbered<0>, 100, false>(),
                                     info<p_numbered<1>, 101, false>()};

constexpr std::size_t numbered_count = 48;
template <std::size_t... I>
auto make_many(std::index_sequence<I...>)
    -> kshake::responder<context, kshake::route<p_numbered<I>, &handle3<p_numbered<I>, 100 + I>>...,
                         kshake::route<p_raw, &handle_raw>>;
using many_responder = decltype(make_many(std::make_index_sequence<numbered_count>{}));
template <std::size_t... I>
constexpr auto many_info(std::index_sequence<I...>) noexcept {
    return std::array<route_info, sizeof...(I) + 1>{info<p_numbered<I>, 100 + I, false>()...,
                                                    raw_info};
}
constexpr auto many_routes = many_info(std::make_index_sequence<numbered_count>{});

struct fake_pin { // the part of KSPIN the responder reads
    void* Context;
};

// KSHANDSHAKE as bytes: alignment 1, so In and Out may sit at any address.
struct wire_handshake {
    unsigned char bytes[sizeof(kshake::handshake)];
};

constexpr std::size_t handshake_size = sizeof(kshake::handshake);

// Every block of memory the peer owns in one test case. Each is an exact-size heap block, so
// ASan sees the first byte past it.
struct memory {
    std::vector<unsigned char> blocks[5]; // arena, In, Out, argument 1, argument 2
    std::vector<unsigned char> before[5];

    // The block holding `p` and the bytes from `p` to its end, or {-1, 0}.
    [[nodiscard]] std::pair<int, std::size_t> locate(const void* p) const noexcept {
        const auto q = reinterpret_cast<std::uintptr_t>(p);
        for (int b = 0; b < 5; ++b) {
            const auto start = reinterpret_cast<std::uintptr_t>(blocks[b].data());
            if (!blocks[b].empty() && q >= start && q - start < blocks[b].size()) {
                return {b, blocks[b].size() - (q - start)};
            }
        }
        return {-1, 0};
    }
    // Applies a predicted write to the snapshot copies (`expected`).
    void predict(std::vector<unsigned char> (&expected)[5], const void* at, const void* bytes,
                 std::size_t n) const noexcept {
        const auto [b, room] = locate(at);
        KSHAKE_FUZZ_CHECK(b >= 0 && room >= n);
        const auto offset =
            static_cast<std::size_t>(static_cast<const unsigned char*>(at) - blocks[b].data());
        std::memcpy(expected[b].data() + offset, bytes, n);
    }
};

struct prediction {
    ntstatus status;
    std::uint32_t calls; // handler calls
    bool peer_lied;      // the bytes the responder may touch here are not all there: no test
};

// The wire rules, applied to the memory as it is before the call: the status the responder
// must return, and (in `expected`) every byte each block must hold afterwards.
template <std::size_t N>
prediction predict(const memory& m, std::vector<unsigned char> (&expected)[5],
                   const unsigned char* in_at, unsigned char* out_at, bool no_pin_context,
                   const route_info (&routes)[N]) noexcept {
    std::uint32_t calls = 0;
    if (in_at == nullptr || out_at == nullptr) {
        return {status::invalid_parameter, calls, false};
    }
    if (no_pin_context) {
        return {status::invalid_device_state, calls, false};
    }
    // In may be shorter than a handshake (only what check 3 reads of an unknown id).
    kshake::handshake h{};
    const std::size_t in_room = m.locate(in_at).second;
    std::memcpy(&h, in_at, in_room < sizeof h ? in_room : sizeof h);
    const route_info* r = nullptr;
    for (const route_info& candidate : routes) {
        if (candidate.id == h.protocol_id) {
            r = &candidate;
        }
    }
    if (r == nullptr) {
        return {status::invalid_device_request, calls, false};
    }
    if (r->raw) {
        calls = 1;
        void* r1 = nullptr;
        void* r2 = nullptr;
        const ntstatus s = behave_raw(h.argument1, h.argument2, r1, r2);
        if (!delivers(s)) {
            return {s, calls, false};
        }
        const kshake::handshake reply{r->id, r1, r2};
        m.predict(expected, out_at, &reply, sizeof reply);
        return {status::success, calls, false};
    }
    if (h.argument1 == nullptr || h.argument2 == nullptr) {
        return {status::invalid_parameter, calls, false};
    }
    // The bytes behind an envelope pointer that belong to the peer (0 for a wild one).
    const auto room = [&m](const void* p) noexcept { return m.locate(p).second; };
    const std::size_t request_envelope = 8 + r->request_size;
    const std::size_t response_envelope = 8 + r->response_size;
    const prediction lied{status::unsuccessful, calls, true};
    if (room(h.argument1) < 8) {
        return lied;
    }
    std::uint32_t request_header[2];
    std::memcpy(request_header, h.argument1, sizeof request_header);
    if (request_header[1] < r->min_version || request_header[1] > r->version) {
        return {status::revision_mismatch, calls, false};
    }
    if (request_header[0] < request_envelope) {
        return {status::invalid_buffer_size, calls, false};
    }
    if (room(h.argument2) < 4) {
        return lied;
    }
    std::uint32_t capacity = 0; // the response header's size; its version is not the callee's
    std::memcpy(&capacity, h.argument2, sizeof capacity);
    if (capacity < response_envelope) {
        return {status::buffer_too_small, calls, false};
    }
    const auto a2 = reinterpret_cast<std::uintptr_t>(h.argument2);
    const auto o = reinterpret_cast<std::uintptr_t>(out_at);
    if (a2 < o + handshake_size && o < a2 + response_envelope) {
        return {status::invalid_parameter, calls, false};
    }
    // Both sizes said the envelopes are all there: a peer that lied about that corrupts memory
    // by itself (no callee can tell), which is no test of the responder.
    if (room(h.argument1) < request_envelope || room(h.argument2) < response_envelope) {
        return lied;
    }
    std::vector<unsigned char> request(r->request_size);
    std::memcpy(request.data(), static_cast<const unsigned char*>(h.argument1) + 8,
                r->request_size);
    std::vector<unsigned char> envelope(response_envelope, 0);
    calls = 1;
    const ntstatus s = r->empty
                           ? status::success
                           : behave(r->tag, request.data(), request.size(), envelope.data() + 8,
                                    r->response_size, r->passes_version ? request_header[1] : 0);
    if (!delivers(s)) {
        return {s, calls, false};
    }
    const std::uint32_t header[2] = {static_cast<std::uint32_t>(response_envelope),
                                     request_header[1]};
    std::memcpy(envelope.data(), header, sizeof header);
    m.predict(expected, h.argument2, envelope.data(), envelope.size());
    const kshake::handshake reply{r->id, h.argument2, nullptr};
    m.predict(expected, out_at, &reply, sizeof reply);
    return {status::success, calls, false};
}

// An envelope's `size` for `need` bytes of envelope with `room` bytes behind it: mostly no more
// than is there, sometimes more (a size kshake must not believe beyond envelope_size).
std::uint32_t pick_size(kshake_fuzz::input& in, std::size_t need, std::size_t room) noexcept {
    const auto n = static_cast<std::uint32_t>(need);
    const auto there = static_cast<std::uint32_t>(room);
    std::uint32_t size = 0;
    switch (in.u8() % 7) {
    case 0:
        size = n;
        break;
    case 1:
        size = n - 1 - (in.u8() % n);
        break;
    case 2:
        size = n + in.u8();
        break;
    case 3:
        size = in.u32();
        break;
    case 4:
        size = 0;
        break;
    case 5:
        return there; // the largest honest size
    default:
        return there + 1 + in.u8(); // claims more than is there
    }
    return size > there ? there : size;
}

std::uint32_t pick_version(kshake_fuzz::input& in, const route_info& r) noexcept {
    switch (in.u8() % 7) {
    case 0:
        return r.min_version;
    case 1:
        return r.version;
    case 2:
        return r.min_version - 1;
    case 3:
        return r.version + 1;
    case 4:
        return in.u32();
    case 5:
        return r.min_version + (in.u8() % (r.version - r.min_version + 1));
    default:
        return 0;
    }
}

enum class entry { callback_bytes, callback_handshake, serve };

// The bytes of In check 3 reads for an id no route serves (docs/wire.md §2.3): 16 when its bytes
// 0-7 start a route's id, or when more than four distinct ids share their bytes 0-7 (the table
// then keys on all 16 bytes); else 8. Written from the rule, not from the responder's tables.
template <std::size_t N>
std::size_t unknown_id_read(const kshake::guid& id, const route_info (&routes)[N]) noexcept {
    const auto first_half = [](const kshake::guid& g) noexcept {
        std::uint64_t v = 0;
        std::memcpy(&v, &g, sizeof v);
        return v;
    };
    for (std::size_t i = 0; i < N; ++i) {
        if (first_half(routes[i].id) == first_half(id)) {
            return 16;
        }
        std::size_t sharing = 1; // distinct ids with route i's bytes 0-7, route i's own included
        for (std::size_t j = 0; j < N; ++j) {
            bool seen = routes[j].id == routes[i].id;
            for (std::size_t k = 0; k < j && !seen; ++k) {
                seen = routes[k].id == routes[j].id;
            }
            if (!seen && first_half(routes[j].id) == first_half(routes[i].id)) {
                ++sharing;
            }
        }
        if (sharing > 4) {
            return 16;
        }
    }
    return 8;
}

// The hooks of the traced entries: the last request_event (traced_callback's is a global).
struct last_event {
    kshake::request_event event{};
    std::uint32_t count{};
    void operator()(const kshake::offer_event&) noexcept {}
    void operator()(const kshake::request_event& e) noexcept {
        event = e;
        ++count;
    }
};
last_event callback_trace; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

template <class Responder, std::size_t N>
void fuzz_one(kshake_fuzz::input& in, const route_info (&routes)[N], entry how,
              bool traced) noexcept {
    memory m{};
    const bool aligned = how != entry::callback_bytes;
    const std::size_t grain = aligned ? alignof(kshake::handshake) : 1;

    // The arena: one block any of In, Out and the envelopes may share.
    const std::size_t arena_size = in.u16() % 6144U;
    m.blocks[0].resize(arena_size);
    in.bytes(m.blocks[0].data(), arena_size);

    // In.
    unsigned char* in_at = nullptr;
    const std::uint8_t in_byte = in.u8();
    const std::uint8_t in_mode = in_byte % 3;
    // In in its own block, cut to what check 3 reads, when the id turns out to be unknown.
    const bool short_in = in_mode == 1 && (in_byte / 3U) % 4U == 3U;
    if (in_mode == 1 || (in_mode == 2 && arena_size < handshake_size)) {
        m.blocks[1].resize(handshake_size);
        in_at = m.blocks[1].data();
    } else if (in_mode == 2) {
        const std::size_t slots = ((arena_size - handshake_size) / grain) + 1;
        in_at = m.blocks[0].data() + (in.u16() % slots) * grain;
    }
    // Out: also exactly In, or overlapping it by part.
    unsigned char* out_at = nullptr;
    const std::uint8_t out_mode = in.u8() % 5;
    if (out_mode == 1 || (out_mode == 2 && arena_size < handshake_size)) {
        m.blocks[2].resize(handshake_size);
        in.bytes(m.blocks[2].data(), handshake_size);
        out_at = m.blocks[2].data();
    } else if (out_mode == 2) {
        const std::size_t slots = ((arena_size - handshake_size) / grain) + 1;
        out_at = m.blocks[0].data() + (in.u16() % slots) * grain;
    } else if (out_mode == 3) {
        out_at = in_at;
    } else if (out_mode == 4 && in_at != nullptr) {
        const auto [b, room] = m.locate(in_at);
        const std::size_t shift = (in.u8() % (handshake_size / grain)) * grain;
        out_at = room >= shift + handshake_size ? in_at + shift : in_at;
    }

    // The protocol id: a served one, a one-bit near miss, or any 16 bytes.
    kshake::guid id{};
    const std::uint8_t id_mode = in.u8();
    const route_info& target = routes[in.u8() % N];
    if (id_mode < 0x90) {
        id = target.id;
    } else if (id_mode < 0xD0) {
        id = target.id;
        unsigned char raw[16];
        std::memcpy(raw, &id, sizeof raw);
        const std::uint8_t bit = in.u8();
        raw[(bit / 8U) % 16U] =
            static_cast<unsigned char>(raw[(bit / 8U) % 16U] ^ (1U << (bit % 8U)));
        std::memcpy(&id, raw, sizeof raw);
    } else {
        in.bytes(&id, sizeof id);
    }

    // The two arguments: null, their own block, in the arena, on In, on Out, on each other,
    // or (raw protocols only, which never dereference them) any address. The request envelope
    // has at least its 8-byte header behind it; the response envelope may have less than its
    // 4-byte size, which the responder must then not read (the model says when it may).
    void* args[2] = {nullptr, nullptr};
    for (int a = 0; a < 2; ++a) {
        const std::size_t least = a == 0 ? 8 : 1;
        const std::uint8_t mode = in.u8() % 7;
        unsigned char* at = nullptr;
        if (mode == 1) {
            const std::size_t size = least + (in.u16() % 2200U);
            m.blocks[3 + a].resize(size);
            in.bytes(m.blocks[3 + a].data(), size);
            at = m.blocks[3 + a].data();
        } else if (mode == 2 && arena_size >= least) {
            at = m.blocks[0].data() + in.u16() % (arena_size - least + 1);
        } else if (mode == 3) {
            at = in_at;
        } else if (mode == 4) {
            at = out_at;
        } else if (mode == 5 && a == 1) {
            at = static_cast<unsigned char*>(args[0]);
        } else if (mode == 6 && target.raw) {
            args[a] = reinterpret_cast<void*>(static_cast<std::uintptr_t>(in.u32()) | 1U);
            continue;
        }
        args[a] = at;
        if (at != nullptr) {
            const std::size_t need = 8 + (a == 0 ? target.request_size : target.response_size);
            const auto [b, room] = m.locate(at);
            const std::uint32_t header[2] = {pick_size(in, need, room), pick_version(in, target)};
            std::memcpy(at, header, room >= 8 ? 8 : room);
        }
    }
    if (in_at != nullptr) {
        const kshake::handshake h{id, args[0], args[1]};
        std::memcpy(in_at, &h, sizeof h);
    }
    bool served_id = false;
    for (const route_info& r : routes) {
        served_id = served_id || r.id == id;
    }
    const std::size_t id_read = served_id ? 16 : unknown_id_read(id, routes);
    // Only In's own block: nothing else may point into it when it shrinks.
    if (short_in && !served_id && out_at != in_at && args[0] != in_at && args[1] != in_at) {
        std::vector<unsigned char> cut(id_read); // exact size: ASan sees its first byte past
        std::memcpy(cut.data(), &id, id_read);
        m.blocks[1].swap(cut);
        in_at = m.blocks[1].data();
    }

    const std::uint8_t pin_mode = in.u8() % 4;
    context ctx{0};
    fake_pin pin{pin_mode == 1 ? nullptr : &ctx};
    fake_pin* const pin_pointer = pin_mode == 0 ? nullptr : &pin;

    for (int b = 0; b < 5; ++b) {
        m.before[b] = m.blocks[b];
    }

    // The model.
    std::vector<unsigned char> expected[5];
    for (int b = 0; b < 5; ++b) {
        expected[b] = m.before[b];
    }
    const prediction want =
        predict(m, expected, in_at, out_at, how != entry::serve && pin_mode < 2, routes);
    if (want.peer_lied) {
        return;
    }

    ntstatus got = status::unsuccessful;
    last_event serve_trace;
    callback_trace = {};
    auto* const wire_in = reinterpret_cast<wire_handshake*>(in_at);
    auto* const wire_out = reinterpret_cast<wire_handshake*>(out_at);
    auto* const handshake_in = reinterpret_cast<kshake::handshake*>(in_at);
    auto* const handshake_out = reinterpret_cast<kshake::handshake*>(out_at);
    switch (how) {
    case entry::callback_bytes:
        got = traced
                  ? Responder::template traced_callback<callback_trace, fake_pin*, wire_handshake,
                                                        ntstatus>(pin_pointer, wire_in, wire_out)
                  : Responder::template callback<fake_pin*, wire_handshake, ntstatus>(
                        pin_pointer, wire_in, wire_out);
        break;
    case entry::callback_handshake:
        got = traced ? Responder::template traced_callback<callback_trace, fake_pin*>(
                           pin_pointer, handshake_in, handshake_out)
                     : Responder::template callback<fake_pin*>(pin_pointer, handshake_in,
                                                               handshake_out);
        break;
    case entry::serve:
        got = traced ? Responder::serve(ctx, handshake_in, handshake_out, serve_trace)
                     : Responder::serve(ctx, handshake_in, handshake_out);
        break;
    }
    if (traced) {
        // One event, saying what was answered and which bytes of the id were read: none
        // before check 3, then all that check 3 read.
        const last_event& e = how == entry::serve ? serve_trace : callback_trace;
        KSHAKE_FUZZ_CHECK(e.count == 1U);
        KSHAKE_FUZZ_CHECK(e.event.status == got);
        const bool checks_1_2_refused =
            in_at == nullptr || out_at == nullptr || (how != entry::serve && pin_mode < 2);
        const std::size_t read = checks_1_2_refused ? 0 : id_read;
        KSHAKE_FUZZ_CHECK(e.event.protocol_id_bytes == read);
        unsigned char id_seen[16]{};
        std::memcpy(id_seen, &id, read);
        KSHAKE_FUZZ_CHECK(std::memcmp(&e.event.protocol_id, id_seen, sizeof id_seen) == 0);
        KSHAKE_FUZZ_CHECK((e.event.refused_by == kshake::request_check::unknown_protocol) ==
                          (!checks_1_2_refused && !served_id));
        KSHAKE_FUZZ_CHECK(e.event.refused_by != kshake::request_check::none ||
                          got == status::success);
    }

#if defined(KSHAKE_FUZZ_STATS) // how often each outcome is reached, for tuning the harness
    std::fprintf(stderr, "outcome %08X entry %d\n", static_cast<unsigned>(got),
                 static_cast<int>(how));
#endif
    KSHAKE_FUZZ_CHECK(got == want.status);
    KSHAKE_FUZZ_CHECK(ctx.calls == want.calls);
    for (int b = 0; b < 5; ++b) {
        KSHAKE_FUZZ_CHECK(m.blocks[b] == expected[b]);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kshake_fuzz::input in{data, size};
    const std::uint8_t config = in.u8();
    const auto how = static_cast<entry>((config / 3U) % 3U);
    // Another digit of the config: the traced entry of the same kind (serve with a hook,
    // traced_callback).
    const bool traced = (config / 18U) % 2U == 1U;
    switch (config % 3U) {
    case 0:
        fuzz_one<multi_responder>(in, multi_routes, how, traced);
        break;
    case 1: // the config's otherwise unused high part picks one of the two linear responders
        if ((config / 9U) % 2U == 0) {
            fuzz_one<single_responder>(in, single_routes, how, traced);
        } else {
            fuzz_one<few_responder>(in, few_routes, how, traced);
        }
        break;
    default: {
        route_info routes[many_routes.size()];
        for (std::size_t i = 0; i < many_routes.size(); ++i) {
            routes[i] = many_routes[i];
        }
        fuzz_one<many_responder>(in, routes, how, traced);
        break;
    }
    }
    return 0;
}
