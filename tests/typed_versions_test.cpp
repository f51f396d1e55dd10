// Typed versions (docs/wire.md §3, docs/writing-a-protocol.md "Evolving a protocol"): one protocol
// id served with other request and response types per version range, old and new pins meeting
// in all four combinations, and the responder's choice of route by the request's version.
#include <kshake/contract.hpp>
#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace {

using namespace kshake::literals;

// The example of docs/writing-a-protocol.md, "Evolving a protocol".
inline constexpr kshake::guid pool_id = "5C0F3A10-2B4D-4E6F-8A1B-2C3D4E5F6A01"_guid;

// Release 1: version 1.
struct pool_request_v1 {
    std::uint32_t frames;
    std::uint32_t frame_bytes;
};
struct pool_grant_v1 {
    std::uint32_t granted;
    std::uint32_t reserved; // zero
};
struct pool_v1 {
    static constexpr kshake::guid id = pool_id;
    static constexpr std::uint32_t version = 1;
    using request = pool_request_v1;
    using response = pool_grant_v1;
};

// Release 2: versions 2 and 3 grow both structs at the end.
struct pool_request_v2 {
    std::uint32_t frames;
    std::uint32_t frame_bytes;
    std::uint32_t alignment; // new in version 2
    std::uint32_t flags;     // new in version 2
};
struct pool_grant_v2 {
    std::uint32_t granted;
    std::uint32_t reserved;      // zero
    std::uint64_t pool_address;  // new in version 2
};
struct pool_v2 {
    static constexpr kshake::guid id = pool_id;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
    using request = pool_request_v2;
    using response = pool_grant_v2;
};

struct sink_state {
    std::uint32_t served_v1;
    std::uint32_t served_v2;
    std::uint32_t last_version;
};

kshake::ntstatus serve_v1(sink_state& s, const pool_request_v1& in, pool_grant_v1& out) noexcept {
    ++s.served_v1;
    s.last_version = 1;
    out.granted = in.frames;
    return kshake::status::success;
}

kshake::ntstatus serve_v2(sink_state& s, const pool_request_v2& in, pool_grant_v2& out,
                          std::uint32_t version) noexcept {
    ++s.served_v2;
    s.last_version = version;
    out.granted = in.frames;
    out.pool_address = (0x1000ULL * in.alignment) + version;
    return kshake::status::success;
}

// The sink of release 1 serves version 1; the sink of release 2 serves both layouts.
using old_sink = kshake::responder<sink_state, kshake::route<pool_v1, serve_v1>>;
using new_sink = kshake::responder<sink_state, kshake::route<pool_v1, serve_v1>,
                                   kshake::route<pool_v2, serve_v2>>;

// The source of release 1 offers version 1; the source of release 2 prefers version 3, then 2,
// then falls back to version 1's layout.
using new_source_offers = kshake::offer<pool_v2, kshake::at_version<pool_v2, 2>, pool_v1>;
using old_source_offers = kshake::offer<pool_v1>;

static_assert(kshake::must_agree<new_source_offers, new_sink>);
static_assert(kshake::must_agree<new_source_offers, old_sink>);
static_assert(kshake::must_agree<old_source_offers, new_sink>);
static_assert(kshake::must_agree<old_source_offers, old_sink>);
static_assert(kshake::agreed_offer_v<new_source_offers, new_sink> == 0);
static_assert(kshake::agreed_offer_v<new_source_offers, old_sink> == 2);
static_assert(kshake::agreed_version_v<new_source_offers, new_sink> == 3);
static_assert(kshake::agreed_version_v<new_source_offers, old_sink> == 1);
// Version 2's layout at a version only version 1's route serves is not agreed: the route that
// holds version 1 has other types.
static_assert(!kshake::agrees<kshake::offer<kshake::at_version<pool_v2, 1>>, new_sink>);
// A version no route of the id holds.
static_assert(!kshake::agrees<kshake::offer<kshake::at_version<pool_v2, 4>>, new_sink>);

struct pins {
    sink_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};
    explicit pins(kshake::mock::handshake_callback callback) {
        connect(source, sink);
        sink.register_handshake_callback(callback);
    }
};
constexpr kshake::mock::handshake_callback new_sink_callback =
    &new_sink::callback<kshake::mock::pin*>;
constexpr kshake::mock::handshake_callback old_sink_callback =
    &old_sink::callback<kshake::mock::pin*>;

auto new_source(pins& p) {
    return new_source_offers::negotiate(kshake::mock::connected_pin(p.source),
                                        pool_request_v2{4, 4096, 64, 0},
                                        pool_request_v2{4, 4096, 64, 0}, pool_request_v1{4, 4096});
}

auto old_source(pins& p) {
    return kshake::negotiate<pool_v1>(kshake::mock::connected_pin(p.source),
                                      pool_request_v1{6, 4096});
}

} // namespace

TEST_CASE("typed versions: a new source meets a new sink at version 3's layout") {
    pins p{new_sink_callback};
    const auto r = new_source(p);
    REQUIRE(r.ok());
    CHECK(r.accepted<pool_v2>());
    CHECK(r.version() == 3);
    CHECK(r.get<pool_v2>().granted == 4);
    CHECK(r.get<pool_v2>().pool_address == (0x1000U * 64) + 3);
    CHECK(p.state.served_v2 == 1);
    CHECK(p.state.served_v1 == 0);
    CHECK(p.source.log().size() == 1);
}

TEST_CASE("typed versions: a new source meets an old sink and falls back to version 1") {
    pins p{old_sink_callback};
    const auto r = new_source(p);
    REQUIRE(r.ok());
    CHECK(r.accepted<pool_v1>());
    CHECK(r.version() == 1);
    CHECK(r.get<pool_v1>().granted == 4);
    CHECK(p.state.served_v1 == 1);
    // Versions 3 and 2 were offered first and refused for their version.
    const auto log = p.source.log();
    REQUIRE(log.size() == 3);
    CHECK(log[0].status == kshake::status::revision_mismatch);
    CHECK(log[1].status == kshake::status::revision_mismatch);
    CHECK(log[2].status == kshake::status::success);
}

TEST_CASE("typed versions: an old source meets a new sink, which answers with version 1's layout") {
    pins p{new_sink_callback};
    const auto r = old_source(p);
    REQUIRE(r.ok());
    CHECK(r.version() == 1);
    CHECK(r->granted == 6);
    CHECK(p.state.served_v1 == 1);
    CHECK(p.state.served_v2 == 0);
}

TEST_CASE("typed versions: an old source meets an old sink") {
    pins p{old_sink_callback};
    const auto r = old_source(p);
    REQUIRE(r.ok());
    CHECK(r.version() == 1);
    CHECK(r->granted == 6);
}

namespace {

// Requests built by hand, as a peer in another language would: the version picks the route and
// with it the sizes that are checked and written.
template <class Request>
struct hand_built {
    std::array<unsigned char, 64> request{};
    std::array<unsigned char, 64> response{};
    kshake::handshake in{};
    kshake::handshake out{};

    hand_built(const kshake::guid& id, std::uint32_t version, const Request& body,
               std::uint32_t request_size = kshake::detail::envelope_size<Request>,
               std::uint32_t capacity = 64) {
        std::memcpy(request.data(), &request_size, 4);
        std::memcpy(request.data() + 4, &version, 4);
        std::memcpy(request.data() + 8, &body, sizeof body);
        std::memcpy(response.data(), &capacity, 4);
        in = {id, request.data(), response.data()};
    }
    [[nodiscard]] std::uint32_t response_word(std::size_t at) const {
        std::uint32_t v = 0;
        std::memcpy(&v, response.data() + at, 4);
        return v;
    }
};

} // namespace

TEST_CASE("typed versions: the request's version picks the route, its sizes and its handler") {
    sink_state state{};
    SUBCASE("version 1: version 1's sizes") {
        hand_built<pool_request_v1> b{pool_id, 1, {3, 512}};
        REQUIRE(new_sink::serve(state, &b.in, &b.out) == kshake::status::success);
        CHECK(b.response_word(0) == kshake::detail::envelope_size<pool_grant_v1>);
        CHECK(b.response_word(4) == 1);
        CHECK(b.response_word(8) == 3);
        CHECK(state.served_v1 == 1);
    }
    SUBCASE("version 2: version 2's sizes") {
        hand_built<pool_request_v2> b{pool_id, 2, {5, 512, 16, 0}};
        REQUIRE(new_sink::serve(state, &b.in, &b.out) == kshake::status::success);
        CHECK(b.response_word(0) == kshake::detail::envelope_size<pool_grant_v2>);
        CHECK(b.response_word(4) == 2);
        CHECK(b.response_word(8) == 5);
        CHECK(state.served_v2 == 1);
        CHECK(state.last_version == 2);
    }
    SUBCASE("version 2 with version 1's request size is too short") {
        hand_built<pool_request_v2> b{
            pool_id, 2, {5, 512, 16, 0}, kshake::detail::envelope_size<pool_request_v1>};
        const auto before = b.response;
        CHECK(new_sink::serve(state, &b.in, &b.out) == kshake::status::invalid_buffer_size);
        CHECK(b.response == before);
        CHECK(state.served_v2 == 0);
    }
    SUBCASE("version 3 needs version 2's response capacity") {
        hand_built<pool_request_v2> b{pool_id,
                                      3,
                                      {5, 512, 16, 0},
                                      kshake::detail::envelope_size<pool_request_v2>,
                                      kshake::detail::envelope_size<pool_grant_v1>};
        CHECK(new_sink::serve(state, &b.in, &b.out) == kshake::status::buffer_too_small);
    }
    SUBCASE("a version no route serves") {
        for (const std::uint32_t version : {0U, 4U, 0xFFFFFFFFU}) {
            hand_built<pool_request_v2> b{pool_id, version, {5, 512, 16, 0}};
            CHECK(new_sink::serve(state, &b.in, &b.out) == kshake::status::revision_mismatch);
        }
        CHECK(state.served_v1 + state.served_v2 == 0);
    }
    SUBCASE("null envelopes are refused before any header is read") {
        hand_built<pool_request_v1> b{pool_id, 1, {3, 512}};
        b.in.argument1 = nullptr;
        CHECK(new_sink::serve(state, &b.in, &b.out) == kshake::status::invalid_parameter);
        b.in.argument1 = b.request.data();
        b.in.argument2 = nullptr;
        CHECK(new_sink::serve(state, &b.in, &b.out) == kshake::status::invalid_parameter);
    }
}

namespace {

// More ids than the linear dispatch takes (4), so the hashed table serves them: one entry per
// id, the id with three routes choosing by version behind it.
struct word {
    std::uint32_t value;
};
template <unsigned N, std::uint32_t Low, std::uint32_t High>
struct numbered {
    static constexpr kshake::guid id{
        0x5C0F3A20U + N, 0x2B4D, 0x4E6F, {0x8A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x6A, 0x02}};
    static constexpr std::uint32_t min_version = Low;
    static constexpr std::uint32_t version = High;
    using request = word;
    using response = word;
};
template <std::uint32_t Tag>
kshake::ntstatus answer_tag(sink_state&, const word& in, word& out,
                            std::uint32_t version) noexcept {
    out.value = (Tag * 1000) + (in.value * 10) + version;
    return kshake::status::success;
}

// Routes of id 0 at versions [1,1], [3,4] and [6,6], given out of order among the others.
using hashed_sink = kshake::responder<sink_state, kshake::route<numbered<1, 1, 1>, answer_tag<1>>,
                                      kshake::route<numbered<0, 3, 4>, answer_tag<2>>,
                                      kshake::route<numbered<2, 1, 2>, answer_tag<3>>,
                                      kshake::route<numbered<3, 1, 1>, answer_tag<4>>,
                                      kshake::route<numbered<0, 6, 6>, answer_tag<5>>,
                                      kshake::route<numbered<4, 1, 1>, answer_tag<6>>,
                                      kshake::route<numbered<5, 1, 1>, answer_tag<7>>,
                                      kshake::route<numbered<0, 1, 1>, answer_tag<8>>>;
// Two ids, one with two routes: the linear dispatch.
using linear_sink = kshake::responder<sink_state, kshake::route<numbered<0, 3, 4>, answer_tag<2>>,
                                      kshake::route<numbered<1, 1, 1>, answer_tag<1>>,
                                      kshake::route<numbered<0, 1, 2>, answer_tag<8>>>;

template <class Sink>
kshake::ntstatus ask(unsigned id, std::uint32_t version, std::uint32_t& answer) {
    sink_state state{};
    const kshake::guid g{
        0x5C0F3A20U + id, 0x2B4D, 0x4E6F, {0x8A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x6A, 0x02}};
    hand_built<word> b{g, version, word{7}};
    const kshake::ntstatus s = Sink::serve(state, &b.in, &b.out);
    answer = s == kshake::status::success ? b.response_word(8) : 0;
    return s;
}

} // namespace

TEST_CASE("typed versions: hashed dispatch serves each id's routes by version") {
    std::uint32_t a = 0;
    CHECK(ask<hashed_sink>(0, 1, a) == kshake::status::success);
    CHECK(a == 8071);
    CHECK(ask<hashed_sink>(0, 3, a) == kshake::status::success);
    CHECK(a == 2073);
    CHECK(ask<hashed_sink>(0, 4, a) == kshake::status::success);
    CHECK(a == 2074);
    CHECK(ask<hashed_sink>(0, 6, a) == kshake::status::success);
    CHECK(a == 5076);
    for (const std::uint32_t gap : {0U, 2U, 5U, 7U}) {
        CHECK(ask<hashed_sink>(0, gap, a) == kshake::status::revision_mismatch);
    }
    CHECK(ask<hashed_sink>(2, 2, a) == kshake::status::success);
    CHECK(a == 3072);
    CHECK(ask<hashed_sink>(5, 1, a) == kshake::status::success);
    CHECK(a == 7071);
    CHECK(ask<hashed_sink>(6, 1, a) == kshake::status::invalid_device_request);
}

TEST_CASE("typed versions: linear dispatch serves each id's routes by version") {
    std::uint32_t a = 0;
    CHECK(ask<linear_sink>(0, 1, a) == kshake::status::success);
    CHECK(a == 8071);
    CHECK(ask<linear_sink>(0, 2, a) == kshake::status::success);
    CHECK(a == 8072);
    CHECK(ask<linear_sink>(0, 4, a) == kshake::status::success);
    CHECK(a == 2074);
    CHECK(ask<linear_sink>(0, 5, a) == kshake::status::revision_mismatch);
    CHECK(ask<linear_sink>(1, 1, a) == kshake::status::success);
    CHECK(a == 1071);
    CHECK(ask<linear_sink>(1, 2, a) == kshake::status::revision_mismatch);
    CHECK(ask<linear_sink>(2, 1, a) == kshake::status::invalid_device_request);
}
