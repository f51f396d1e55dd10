// The responder as a foreign driver sees it: hand-built envelopes, byte-for-byte checks.
#include "test_protocols.hpp"

#include <doctest/doctest.h>

#include <array>
#include <utility>

using namespace test;
namespace st = kshake::status;

namespace {

// Request and response buffers the way a C peer lays them out, with guard bytes after the
// response so that a write past envelope_size would show.
template <class Req, class Resp>
struct wire_buffers {
    alignas(8) unsigned char request[kshake::detail::envelope_size<Req> + 16]{};
    alignas(8) unsigned char response[kshake::detail::envelope_size<Resp> + 16]{};

    wire_buffers(std::uint32_t request_size, std::uint32_t version, const Req& body,
                 std::uint32_t response_capacity) {
        std::memset(response, 0xA5, sizeof response);
        const kshake::detail::envelope_header rq{request_size, version};
        std::memcpy(request, &rq, sizeof rq);
        std::memcpy(request + 8, &body, sizeof body);
        const kshake::detail::envelope_header rs{response_capacity, 0};
        std::memcpy(response, &rs, sizeof rs);
    }
};

template <class P>
wire_buffers<typename P::request, typename P::response>
valid_buffers(const typename P::request& body, std::uint32_t version = kshake::version_v<P>) {
    return {kshake::detail::envelope_size<typename P::request>, version, body,
            kshake::detail::envelope_size<typename P::response>};
}

// Calls serve and checks that on failure nothing the caller owns changed.
template <class Buffers>
kshake::ntstatus serve_and_check_untouched(sink_state& state, const kshake::handshake* in,
                                           kshake::handshake* out, Buffers& buffers) {
    const auto out_before = out == nullptr ? std::vector<unsigned char>{} : bytes_of(*out);
    const auto request_before = bytes_of(buffers.request);
    const auto response_before = bytes_of(buffers.response);
    const kshake::ntstatus s = sink_responder::serve(state, in, out);
    if (!kshake::nt_success(s)) {
        if (out != nullptr) {
            CHECK(bytes_of(*out) == out_before);
        }
        CHECK(bytes_of(buffers.request) == request_before);
        CHECK(bytes_of(buffers.response) == response_before);
    }
    return s;
}

const kshake::handshake untouched_out{"FFFFFFFF-EEEE-DDDD-CCCC-BBBBBBBBBBBB"_guid,
                                      reinterpret_cast<void*>(std::uintptr_t{0x1234}),
                                      reinterpret_cast<void*>(std::uintptr_t{0x5678})};

} // namespace

TEST_CASE("envelope layout: size at 0, version at 4, body at 8") {
    CHECK(offsetof(kshake::detail::envelope<large>, size) == 0U);
    CHECK(offsetof(kshake::detail::envelope<large>, version) == 4U);
    CHECK(offsetof(kshake::detail::envelope<large>, body) == 8U);
    CHECK(offsetof(kshake::detail::envelope<tiny>, body) == 8U);
    CHECK(kshake::detail::envelope_size<tiny> == 9U);
    CHECK(kshake::detail::envelope_size<large> == 2008U);
    CHECK(kshake::detail::envelope_size<with_reserved> == 8U + sizeof(with_reserved));
}

TEST_CASE("a valid request writes exactly the response envelope and Out") {
    sink_state state{};
    auto b = valid_buffers<padded>(with_reserved{5, {}, 10, 0, 0}, 3);
    const kshake::handshake in{padded::id, b.request, b.response};
    kshake::handshake out = untouched_out;
    const auto request_before = bytes_of(b.request);
    REQUIRE(sink_responder::serve(state, &in, &out) == st::success);
    CHECK(out.protocol_id == padded::id);
    CHECK(out.argument1 == b.response);
    CHECK(out.argument2 == nullptr);
    kshake::detail::envelope_header header{};
    std::memcpy(&header, b.response, sizeof header);
    CHECK(header.size == kshake::detail::envelope_size<with_reserved>);
    CHECK(header.version == 3U);
    with_reserved body{};
    std::memcpy(&body, b.response + 8, sizeof body);
    CHECK(body.flag == 5);
    CHECK(body.count == 20U);
    CHECK(body.code == 3);
    for (std::size_t i = kshake::detail::envelope_size<with_reserved>; i < sizeof b.response; ++i) {
        CHECK(b.response[i] == 0xA5); // nothing written past the envelope
    }
    CHECK(bytes_of(b.request) == request_before);
}

TEST_CASE("the response body's reserved fields arrive as zero, not stack garbage") {
    static_assert(sizeof(with_reserved) == 12U && offsetof(with_reserved, count) == 4U &&
                  offsetof(with_reserved, code) == 8U);
    sink_state state{};
    // The handler never sets the reserved fields; the peer's request even carries nonzero ones.
    auto b = valid_buffers<padded>(with_reserved{5, {0xEE, 0xEE, 0xEE}, 10, 0, 0xEEEE});
    const kshake::handshake in{padded::id, b.request, b.response};
    kshake::handshake out{};
    REQUIRE(sink_responder::serve(state, &in, &out) == st::success);
    // with_reserved: flag at 0, reserved1 at 1..3, count at 4, code at 8, reserved2 at 10..11
    CHECK(b.response[8 + 1] == 0);
    CHECK(b.response[8 + 2] == 0);
    CHECK(b.response[8 + 3] == 0);
    CHECK(b.response[8 + 10] == 0);
    CHECK(b.response[8 + 11] == 0);
    with_reserved body{};
    std::memcpy(&body, b.response + 8, sizeof body);
    CHECK(body.reserved1[0] == 0);
    CHECK(body.reserved1[1] == 0);
    CHECK(body.reserved1[2] == 0);
    CHECK(body.reserved2 == 0);
    CHECK(body.count == 20U);
}

TEST_CASE("a request larger than the envelope is accepted; its tail is ignored") {
    sink_state state{};
    auto b = valid_buffers<echo_tiny>(tiny{1});
    const kshake::detail::envelope_header bigger{kshake::detail::envelope_size<tiny> + 8, 1};
    std::memcpy(b.request, &bigger, sizeof bigger);
    const kshake::handshake in{echo_tiny::id, b.request, b.response};
    kshake::handshake out{};
    CHECK(sink_responder::serve(state, &in, &out) == st::success);
}

TEST_CASE("every malformed request fails with its status and writes nothing") {
    sink_state state{};
    SUBCASE("null In") {
        auto b = valid_buffers<echo_tiny>(tiny{1});
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, nullptr, &out, b) == st::invalid_parameter);
    }
    SUBCASE("null Out") {
        auto b = valid_buffers<echo_tiny>(tiny{1});
        const kshake::handshake in{echo_tiny::id, b.request, b.response};
        CHECK(serve_and_check_untouched(state, &in, nullptr, b) == st::invalid_parameter);
    }
    SUBCASE("unknown protocol") {
        auto b = valid_buffers<echo_tiny>(tiny{1});
        const kshake::handshake in{unknown::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::invalid_device_request);
    }
    SUBCASE("null request envelope") {
        auto b = valid_buffers<echo_tiny>(tiny{1});
        const kshake::handshake in{echo_tiny::id, nullptr, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::invalid_parameter);
    }
    SUBCASE("null response envelope") {
        auto b = valid_buffers<echo_tiny>(tiny{1});
        const kshake::handshake in{echo_tiny::id, b.request, nullptr};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::invalid_parameter);
    }
    SUBCASE("version below the route's range") {
        auto b = valid_buffers<padded>(with_reserved{}, 1);
        const kshake::handshake in{padded::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::revision_mismatch);
    }
    SUBCASE("version above the route's range") {
        auto b = valid_buffers<padded>(with_reserved{}, 5);
        const kshake::handshake in{padded::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::revision_mismatch);
    }
    SUBCASE("version zero") {
        auto b = valid_buffers<echo_tiny>(tiny{1}, 0);
        const kshake::handshake in{echo_tiny::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::revision_mismatch);
    }
    SUBCASE("request envelope one byte short") {
        wire_buffers<with_reserved, with_reserved> b{
            kshake::detail::envelope_size<with_reserved> - 1, 2, with_reserved{},
            kshake::detail::envelope_size<with_reserved>};
        const kshake::handshake in{padded::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::invalid_buffer_size);
    }
    SUBCASE("request size zero") {
        wire_buffers<tiny, tiny> b{0, 1, tiny{}, kshake::detail::envelope_size<tiny>};
        const kshake::handshake in{echo_tiny::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::invalid_buffer_size);
    }
    SUBCASE("response buffer one byte short") {
        wire_buffers<tiny, large> b{kshake::detail::envelope_size<tiny>, 1, tiny{},
                                    kshake::detail::envelope_size<large> - 1};
        const kshake::handshake in{bulk::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == st::buffer_too_small);
    }
    SUBCASE("response envelope overlapping Out") {
        auto b = valid_buffers<echo_tiny>(tiny{1});
        // Out lives inside the response buffer: writing the response would clobber it.
        alignas(8) unsigned char response_and_out[64]{};
        const kshake::detail::envelope_header rs{kshake::detail::envelope_size<tiny>, 0};
        std::memcpy(response_and_out, &rs, sizeof rs);
        auto* out = reinterpret_cast<kshake::handshake*>(response_and_out + 8);
        const kshake::handshake in{echo_tiny::id, b.request, response_and_out};
        const auto before = bytes_of(response_and_out);
        CHECK(sink_responder::serve(state, &in, out) == st::invalid_parameter);
        CHECK(bytes_of(response_and_out) == before);
    }
    SUBCASE("handler that writes part of its response and then fails") {
        auto b = valid_buffers<half_written>(tiny{1});
        const kshake::handshake in{half_written::id, b.request, b.response};
        kshake::handshake out = untouched_out;
        CHECK(serve_and_check_untouched(state, &in, &out, b) == refused_by_handler);
        CHECK(state.served == 1U);
    }
    CHECK(state.served <= 1U);
}

TEST_CASE("Out may alias In: the request is read before anything is written") {
    sink_state state{};
    auto b = valid_buffers<echo_tiny>(tiny{6});
    kshake::handshake both{echo_tiny::id, b.request, b.response};
    REQUIRE(sink_responder::serve(state, &both, &both) == st::success);
    CHECK(both.protocol_id == echo_tiny::id);
    CHECK(both.argument1 == b.response);
    CHECK(b.response[8] == 7);
}

TEST_CASE("the request and response envelopes may be one buffer") {
    sink_state state{};
    alignas(8) unsigned char shared[32]{};
    const kshake::detail::envelope_header header{kshake::detail::envelope_size<tiny>, 1};
    std::memcpy(shared, &header, sizeof header);
    shared[8] = 20;
    const kshake::handshake in{echo_tiny::id, shared, shared};
    kshake::handshake out{};
    REQUIRE(sink_responder::serve(state, &in, &out) == st::success);
    CHECK(shared[8] == 21);
}

namespace {
// ks.h's KSHANDSHAKE and NTSTATUS (a LONG), spelled for this host.
struct ks_handshake {
    struct {
        std::uint32_t Data1;
        std::uint16_t Data2;
        std::uint16_t Data3;
        unsigned char Data4[8];
    } ProtocolId;
    void* Argument1;
    void* Argument2;
};
using NTSTATUS = std::int32_t;
struct ks_pin {
    void* Context;
};
using pfn_handshake = NTSTATUS (*)(ks_pin*, ks_handshake*, ks_handshake*);
} // namespace

TEST_CASE("callback has the PFNKSPINHANDSHAKE shape and finds the context in the pin") {
    constexpr pfn_handshake callback = &sink_responder::callback<ks_pin*, ks_handshake, NTSTATUS>;
    sink_state state{};
    ks_pin pin{&state};
    auto b = valid_buffers<echo_tiny>(tiny{1});
    ks_handshake in{};
    const kshake::handshake typed_in{echo_tiny::id, b.request, b.response};
    std::memcpy(&in, &typed_in, sizeof in);
    ks_handshake out{};
    CHECK(callback(&pin, &in, &out) == st::success);
    CHECK(out.Argument1 == b.response);
    CHECK(out.ProtocolId.Data1 == echo_tiny::id.data1);
    CHECK(state.served == 1U);

    SUBCASE("a pin without a context is refused without a write") {
        ks_pin bare{nullptr};
        ks_handshake out2{};
        const auto before = bytes_of(out2);
        CHECK(callback(&bare, &in, &out2) == st::invalid_device_state);
        CHECK(callback(nullptr, &in, &out2) == st::invalid_device_state);
        CHECK(bytes_of(out2) == before);
    }
    SUBCASE("null In or Out") {
        CHECK(callback(&pin, nullptr, &out) == st::invalid_parameter);
        CHECK(callback(&pin, &in, nullptr) == st::invalid_parameter);
    }
}

namespace {
// A family of distinct protocols for large responders: route K answers K.
struct index_payload {
    std::uint32_t value;
};
// How the ids of a family differ, for the route table's fallbacks (detail/route_table.hpp):
enum class id_shape {
    // in Data1 (by one) and in Data4's last byte: keys that differ only in their low bits, which
    // a narrow (32-bit) multiplier cannot spread to the top bits;
    sequential,
    // only in Data4: the first 8 bytes, the cheapest key, are the same for every id;
    tail_only,
    // ids 0 and 1 share their first 8 bytes and ids 2 and 3 the xor of their halves, so neither
    // cheap key tells them apart and the table multiplies the second half in.
    both_keys_collide,
};
consteval kshake::guid numbered_id(std::uint32_t k, id_shape shape) {
    kshake::guid g = "9A3B0000-5C1D-4E2F-8A7B-000000000000"_guid;
    if (shape == id_shape::sequential) {
        g.data1 += k;
        g.data4[7] = static_cast<std::uint8_t>(k * 7U);
    } else if (shape == id_shape::tail_only) {
        g.data4[6] = static_cast<std::uint8_t>(k >> 8U);
        g.data4[7] = static_cast<std::uint8_t>(k);
    } else {
        g.data1 += k < 2 ? 0 : k; // ids 0 and 1 share Data1-Data3
        g.data4[7] = static_cast<std::uint8_t>(k);
        if (k == 3) { // id 2's halves, each xored with 1: the same xor of halves
            g.data1 = 0x9A3B0000U + 2U;
            g.data1 ^= 1U;
            g.data4[7] = 2;
            g.data4[0] ^= 1U;
        }
    }
    return g;
}
template <std::uint32_t K, id_shape Shape = id_shape::sequential>
struct numbered {
    static constexpr kshake::guid id = numbered_id(K, Shape);
    using request = index_payload;
    using response = index_payload;
};
template <std::uint32_t K>
kshake::ntstatus answer_index(sink_state&, const index_payload& in, index_payload& out) noexcept {
    out.value = K * 1000U + in.value;
    return kshake::status::success;
}
template <id_shape Shape, std::uint32_t... Ks>
kshake::responder<sink_state, kshake::route<numbered<Ks, Shape>, answer_index<Ks>>...>
    responder_for(std::integer_sequence<std::uint32_t, Ks...>);

template <std::uint32_t N, id_shape Shape = id_shape::sequential>
using numbered_responder =
    decltype(responder_for<Shape>(std::make_integer_sequence<std::uint32_t, N>{}));

template <class Responder, std::uint32_t K, id_shape Shape = id_shape::sequential>
kshake::ntstatus ask(sink_state& state, std::uint32_t& answer) {
    auto b = valid_buffers<numbered<K, Shape>>(index_payload{5});
    const kshake::handshake in{numbered<K, Shape>::id, b.request, b.response};
    kshake::handshake out{};
    const kshake::ntstatus s = Responder::serve(state, &in, &out);
    std::memcpy(&answer, b.response + 8, sizeof answer);
    return s;
}

template <class Responder, id_shape Shape = id_shape::sequential, std::uint32_t... Ks>
void ask_all(std::integer_sequence<std::uint32_t, Ks...>) {
    using asker = kshake::ntstatus (*)(sink_state&, std::uint32_t&);
    constexpr asker askers[] = {&ask<Responder, Ks, Shape>...};
    sink_state state{};
    for (std::uint32_t k = 0; k < sizeof...(Ks); ++k) {
        std::uint32_t answer = 0;
        CAPTURE(k);
        CHECK(askers[k](state, answer) == st::success);
        CHECK(answer == (k * 1000U) + 5U);
    }
}
} // namespace

// The table a responder of these ids builds (detail/route_table.hpp).
template <std::uint32_t N, id_shape Shape, std::uint32_t... Ks>
consteval auto table_for(std::integer_sequence<std::uint32_t, Ks...>) {
    const kshake::guid ids[] = {numbered<Ks, Shape>::id...};
    return kshake::detail::build_route_table(ids);
}
template <std::uint32_t N, id_shape Shape>
constexpr auto table_of = table_for<N, Shape>(std::make_integer_sequence<std::uint32_t, N>{});

// The key fold (0: the first 8 bytes, 1: the xor of both halves, 2 on: the second half
// multiplied in) and whether the multiplier is a sign-extended 32-bit immediate.
constexpr bool narrow(std::uint64_t multiplier) {
    return multiplier >> 31U == 0 || multiplier >> 31U == 0x1FFFFFFFFU;
}

template <id_shape Shape, std::uint32_t N>
void check_family(unsigned fold) {
    using r = numbered_responder<N, Shape>;
    CAPTURE(N);
    CHECK(table_of<N, Shape>.built);
    CHECK(table_of<N, Shape>.fold == fold);
    ask_all<r, Shape>(std::make_integer_sequence<std::uint32_t, N>{});
    sink_state state{};
    std::uint32_t answer = 0;
    CHECK(ask<r, N, Shape>(state, answer) == st::invalid_device_request); // the next id
}

TEST_CASE("the route table tells apart ids that differ only where the cheap keys do not look") {
    // A narrow multiplier is tried first (one `imul` with an immediate); sequential ids need a
    // wide one.
    CHECK(narrow(kshake::detail::route_multiplier(0, false)));
    CHECK_FALSE(narrow(kshake::detail::route_multiplier(0, true)));
    CHECK_FALSE(narrow(table_of<300, id_shape::sequential>.multiplier));
    // 16 ids: one level of slots; 17: buckets and displacements; both at each shape.
    static_assert(kshake::detail::route_table<16>::single_level);
    static_assert(!kshake::detail::route_table<17>::single_level);
    check_family<id_shape::sequential, 16>(0);
    check_family<id_shape::sequential, 17>(0);
    check_family<id_shape::tail_only, 2>(1);
    check_family<id_shape::tail_only, 16>(1);
    check_family<id_shape::tail_only, 17>(1);
    check_family<id_shape::tail_only, 300>(1);
    check_family<id_shape::both_keys_collide, 4>(2);
    check_family<id_shape::both_keys_collide, 40>(2);
}

TEST_CASE("a responder with many routes dispatches every id to its own handler") {
    // 2, 4 and 5 routes are dispatched by a table without buckets, 300 by one with buckets.
    using two = numbered_responder<2>;
    using four = numbered_responder<4>;
    using five = numbered_responder<5>;
    using many = numbered_responder<300>;
    ask_all<two>(std::make_integer_sequence<std::uint32_t, 2>{});
    ask_all<four>(std::make_integer_sequence<std::uint32_t, 4>{});
    ask_all<five>(std::make_integer_sequence<std::uint32_t, 5>{});
    ask_all<many>(std::make_integer_sequence<std::uint32_t, 300>{});
    sink_state state{};
    std::uint32_t answer = 0;
    // ids just outside the family are unknown
    CHECK(ask<many, 300>(state, answer) == st::invalid_device_request);
    CHECK(ask<two, 2>(state, answer) == st::invalid_device_request);
    CHECK(ask<four, 4>(state, answer) == st::invalid_device_request);
    CHECK(ask<five, 5>(state, answer) == st::invalid_device_request);
    auto b = valid_buffers<echo_tiny>(tiny{1});
    const kshake::handshake in{echo_tiny::id, b.request, b.response};
    kshake::handshake out{};
    CHECK(many::serve(state, &in, &out) == st::invalid_device_request);
}

TEST_CASE("a handler's status may be NTSTATUS and its version ULONG where those are 32 bits") {
    // Windows targets (the kernel cases build this way) have a 32-bit long; LP64 hosts do not,
    // and there a long status or version would be truncated, so it is refused.
    constexpr bool long_is_32_bits = sizeof(long) == 4;
    static_assert(kshake::status_type<int> && kshake::status_type<long> == long_is_32_bits);
    static_assert(!kshake::status_type<unsigned int> && !kshake::status_type<long long>);
    static_assert(kshake::detail::version_parameter<unsigned int>);
    static_assert(kshake::detail::version_parameter<unsigned long> == long_is_32_bits);
    static_assert(!kshake::detail::version_parameter<int>);
    static_assert(!kshake::detail::version_parameter<const unsigned int&>);
    CHECK(kshake::detail::version_parameter<std::uint32_t>);
}

namespace {
// A handler that only reads its context may take it as const Context&
// (docs/compile-time-checks.md).
kshake::ntstatus read_frames(const sink_state& state, const tiny& request,
                             tiny& response) noexcept {
    response.value = static_cast<std::uint8_t>(request.value + state.frames);
    return st::success;
}
using reading_responder = kshake::responder<sink_state, kshake::route<echo_tiny, read_frames>>;
} // namespace

TEST_CASE("a handler may take its context as const Context&") {
    sink_state state{};
    state.frames = 5;
    auto b = valid_buffers<echo_tiny>(tiny{2});
    const kshake::handshake in{echo_tiny::id, b.request, b.response};
    kshake::handshake out{};
    REQUIRE(reading_responder::serve(state, &in, &out) == st::success);
    tiny answer{};
    std::memcpy(&answer, b.response + 8, sizeof answer);
    CHECK(answer.value == 7);
}
