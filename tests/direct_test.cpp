// kshake::direct_pin (kshake/direct.hpp): a transport straight to a peer's handshake callback,
// tested through the public API only: negotiate, negotiate_first, and the transport called by
// hand to see what it does with In, Out and the caller's buffers.
#include "test_protocols.hpp"

#include <kshake/kshake.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

using namespace test;
namespace st = kshake::status;

namespace {

// The least pin a responder's callback reads: KSPIN's Context.
struct test_pin {
    void* Context;
};

// A platform-style handshake: KSHANDSHAKE's layout, but not kshake's type.
struct platform_guid {
    std::uint32_t Data1;
    std::uint16_t Data2;
    std::uint16_t Data3;
    std::uint8_t Data4[8];
};
struct platform_handshake {
    platform_guid ProtocolId;
    void* Argument1;
    void* Argument2;
};

using sink = sink_responder;

// A PFNKSPINHANDSHAKE as ks.h declares it: not noexcept, the platform's types.
using platform_callback = std::int32_t (*)(test_pin*, platform_handshake*, platform_handshake*);

// What a scripted peer saw and does, for the calls made by hand.
struct script {
    kshake::ntstatus answer{st::success};
    bool write_out{true};
    const void* in_seen{nullptr};
    const void* out_seen{nullptr};
    kshake::handshake in_copy{};
    kshake::handshake out_on_entry{};
};
// The scripted peer is a plain function (a callback has no state), so its script is shared.
script& peer_script() {
    static script s;
    return s;
}

kshake::ntstatus scripted_peer(test_pin*, kshake::handshake* in, kshake::handshake* out) noexcept {
    peer_script().in_seen = in;
    peer_script().out_seen = out;
    std::memcpy(&peer_script().in_copy, in, sizeof *in);
    std::memcpy(&peer_script().out_on_entry, out, sizeof *out);
    // The peer may scribble on In: it is the transport's copy, not the caller's.
    in->argument1 = nullptr;
    if (peer_script().write_out) {
        *out = {in->protocol_id, &peer_script(), nullptr};
    }
    return peer_script().answer;
}

bool same_bytes(const kshake::handshake& a, const kshake::handshake& b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

kshake::handshake sentinel() {
    kshake::handshake h{};
    std::memset(&h, 0xA5, sizeof h);
    return h;
}

} // namespace

TEST_CASE("direct_pin is a transport built from a responder's callback") {
    using transport = decltype(kshake::direct_pin(&sink::callback<test_pin*>, nullptr));
    static_assert(kshake::transport<transport>);
    static_assert(kshake::transport<const transport>);
    static_assert(std::is_same_v<transport, kshake::direct_pin<test_pin*>>);
    static_assert(std::is_trivially_copyable_v<transport>);
    static_assert(sizeof(transport) == 2 * sizeof(void*), "a pointer and a pin: nothing else");
    using platform = decltype(kshake::direct_pin(
        &sink::callback<test_pin*, platform_handshake, std::int32_t>, nullptr));
    static_assert(std::is_same_v<platform, kshake::direct_pin<test_pin*, platform_handshake>>);
    const platform_callback plain = &sink::callback<test_pin*, platform_handshake, std::int32_t>;
    static_assert(std::is_same_v<decltype(kshake::direct_pin(plain, nullptr)), platform>);
}

TEST_CASE("direct_pin from a pin's registered callback reads it at each call") {
    // A test pin that records what KsPinRegisterHandshakeCallback was given, as ks.sys does.
    struct registering_pin {
        void* Context;
        // PFNKSPINHANDSHAKE's shape, as KsPinRegisterHandshakeCallback takes it (not noexcept)
        kshake::ntstatus (*registered)(registering_pin*, kshake::handshake*, kshake::handshake*);
    };
    sink_state state{};
    registering_pin peer{&state, &sink::callback<registering_pin*>};
    const kshake::direct_pin to_peer(&peer.registered, &peer);
    static_assert(std::is_same_v<
                  std::remove_const_t<decltype(to_peer)>,
                  kshake::direct_pin<registering_pin*, kshake::handshake, kshake::ntstatus, true>>);
    static_assert(kshake::transport<decltype(to_peer)>);
    REQUIRE(kshake::negotiate<echo_tiny>(to_peer, tiny{1}).ok());
    CHECK(state.served == 1U);

    // Registered again: the next handshake reaches the new callback, through the same transport.
    using other = kshake::responder<sink_state, kshake::route<bulk, serve_bulk>>;
    peer.registered = &other::callback<registering_pin*>;
    CHECK(kshake::negotiate<echo_tiny>(to_peer, tiny{1}).status() == st::invalid_device_request);
    CHECK(kshake::negotiate<bulk>(to_peer, tiny{2}).ok());
    CHECK(state.served == 2U);
}

TEST_CASE("negotiate through direct_pin reaches the responder and gets its answer") {
    sink_state state{};
    test_pin peer{&state};
    const auto r = kshake::negotiate<echo_tiny>(
        kshake::direct_pin(&sink::callback<test_pin*>, &peer), tiny{41});
    REQUIRE(r.ok());
    CHECK(r->value == 42);
    CHECK(r.version() == 1U);
    CHECK(state.served == 1U);

    SUBCASE("with the platform's handshake type and a plain PFNKSPINHANDSHAKE") {
        const platform_callback plain =
            &sink::callback<test_pin*, platform_handshake, std::int32_t>;
        const auto p = kshake::negotiate<echo_tiny>(kshake::direct_pin(plain, &peer), tiny{9});
        REQUIRE(p.ok());
        CHECK(p->value == 10);
        CHECK(state.served == 2U);
    }
}

TEST_CASE("negotiate_first through direct_pin falls through a refused offer") {
    sink_state state{};
    test_pin peer{&state};
    const kshake::direct_pin to_sink(&sink::callback<test_pin*>, &peer);
    // padded is served at versions 2..4: version 5 is refused, version 3 accepted.
    const with_reserved request{7, {}, 100, 0, 0};
    const auto r =
        kshake::negotiate_first<kshake::at_version<padded, 5>, kshake::at_version<padded, 3>>(
            to_sink, request, request);
    REQUIRE(r.ok());
    CHECK(r.index() == 1U);
    CHECK(r.status_of(0) == st::revision_mismatch);
    CHECK(r.status_of(1) == st::success);
    CHECK(r.version() == 3U);
    CHECK(r.template get<1>().code == 3U); // the handler saw version 3
    CHECK(r.template get<1>().count == 200U);
    CHECK(state.served == 1U);

    SUBCASE("and reports the last refusal when every offer is refused") {
        const auto none = kshake::negotiate_first<kshake::at_version<padded, 5>, unknown>(
            to_sink, request, tiny{1});
        CHECK_FALSE(none.ok());
        CHECK(none.status_of(0) == st::revision_mismatch);
        CHECK(none.status() == st::invalid_device_request);
    }
}

TEST_CASE("a refusal through direct_pin leaves the caller's buffers untouched") {
    sink_state state{};
    test_pin peer{&state};
    const kshake::direct_pin to_sink(&sink::callback<test_pin*>, &peer);

    SUBCASE("an unknown id: out keeps its bytes, and so does in") {
        const kshake::handshake in{unknown::id, &state, &state};
        const kshake::handshake before_in = in;
        kshake::handshake out = sentinel();
        CHECK(to_sink(in, out) == st::invalid_device_request);
        CHECK(same_bytes(out, sentinel()));
        CHECK(same_bytes(in, before_in));
        CHECK(state.served == 0U);
    }
    SUBCASE("a refused negotiation fails with the peer's status and served nothing") {
        const auto r = kshake::negotiate<unknown>(to_sink, tiny{1});
        CHECK_FALSE(r.ok());
        CHECK(r.status() == st::invalid_device_request);
        CHECK(state.served == 0U);
    }
    SUBCASE("a pin without a context") {
        test_pin orphan{nullptr};
        kshake::handshake out = sentinel();
        const kshake::handshake in{echo_tiny::id, &state, &state};
        CHECK(kshake::direct_pin(&sink::callback<test_pin*>, &orphan)(in, out) ==
              st::invalid_device_state);
        CHECK(same_bytes(out, sentinel()));
    }
}

TEST_CASE("direct_pin copies In and Out as the platform does") {
    test_pin peer{nullptr};
    const kshake::direct_pin to_peer(&scripted_peer, &peer);
    int request = 0;
    int response = 0;
    const kshake::handshake in{echo_tiny::id, &request, &response};

    SUBCASE("STATUS_SUCCESS: out is the peer's Out; the peer saw copies, Out zero-filled") {
        peer_script() = script{};
        kshake::handshake out = sentinel();
        CHECK(to_peer(in, out) == st::success);
        CHECK(out.protocol_id == echo_tiny::id);
        CHECK(out.argument1 == &peer_script());
        CHECK(out.argument2 == nullptr);
        CHECK(peer_script().in_seen != &in);
        CHECK(peer_script().out_seen != &out);
        CHECK(same_bytes(peer_script().in_copy, in));
        CHECK(same_bytes(peer_script().out_on_entry, kshake::handshake{}));
        CHECK(in.argument1 == &request); // the peer scribbled on its copy only
    }
    SUBCASE("a failure after writing Out: out untouched") {
        peer_script() = script{st::unsuccessful, true};
        kshake::handshake out = sentinel();
        CHECK(to_peer(in, out) == st::unsuccessful);
        CHECK(same_bytes(out, sentinel()));
    }
    SUBCASE("a success code other than STATUS_SUCCESS after writing Out: out untouched") {
        peer_script() = script{st::pending, true};
        kshake::handshake out = sentinel();
        CHECK(to_peer(in, out) == st::pending);
        CHECK(same_bytes(out, sentinel()));
        // and negotiate takes it as a broken answer (wire.md §2.5, R0)
        CHECK(kshake::negotiate<echo_tiny>(to_peer, tiny{1}).status() == st::device_protocol_error);
    }
    SUBCASE("STATUS_SUCCESS without writing Out: out is the zeros the peer left") {
        peer_script() = script{st::success, false};
        kshake::handshake out = sentinel();
        CHECK(to_peer(in, out) == st::success);
        CHECK(same_bytes(out, kshake::handshake{}));
    }
}
