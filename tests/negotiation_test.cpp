// Typed negotiation end to end: negotiate / negotiate_first over mock AVStream pins.
#include "mock_pins.hpp"

#include <kshake/mock.hpp>

#include <doctest/doctest.h>

using namespace test;
namespace st = kshake::status;
using kshake::mock::connected_pin;

TEST_CASE("a tiny payload round-trips") {
    pair_of_pins pins;
    const auto r = kshake::negotiate<echo_tiny>(connected_pin(pins.source), tiny{41});
    REQUIRE(r.ok());
    CHECK(r.status() == st::success);
    CHECK(r->value == 42);
    CHECK(r.version() == 1U);
    CHECK(pins.state.served == 1U);
}

TEST_CASE("a payload with reserved fields round-trips field for field") {
    pair_of_pins pins;
    const auto r =
        kshake::negotiate<padded>(connected_pin(pins.source), with_reserved{7, {}, 100, 0, 0});
    REQUIRE(r.ok());
    CHECK(r->flag == 7);
    CHECK(r->count == 200U);
    CHECK(r->code == 4); // the handler saw version 4, the version padded speaks
    CHECK(r.version() == 4U);
    // The handler left the reserved fields alone: they arrive as the zeros kshake started from.
    CHECK(r->reserved1[0] == 0);
    CHECK(r->reserved1[1] == 0);
    CHECK(r->reserved1[2] == 0);
    CHECK(r->reserved2 == 0);
}

TEST_CASE("a 2000-byte response round-trips") {
    pair_of_pins pins;
    const auto r = kshake::negotiate<bulk>(connected_pin(pins.source), tiny{3});
    REQUIRE(r.ok());
    for (std::size_t i = 0; i < std::size(r->words); ++i) {
        CHECK(r->words[i] == static_cast<std::uint32_t>(i) * 3U);
    }
}

TEST_CASE("an interface pointer comes back through the raw codec") {
    pair_of_pins pins;
    int pool = 0;
    int cookie = 0;
    pins.state.pool_interface = &pool;
    const auto r = kshake::negotiate<pool_interface>(connected_pin(pins.source),
                                                     kshake::raw_arguments{&cookie, nullptr});
    REQUIRE(r.ok());
    CHECK(r->argument1 == &pool);
    CHECK(r->argument2 == &cookie);
}

TEST_CASE("the same negotiation works over IOCTL_KS_HANDSHAKE to an unconnected pin") {
    sink_state state{};
    kshake::mock::pin sink{&state};
    sink.register_handshake_callback(&sink_responder::callback<kshake::mock::pin*>);
    const auto r = kshake::negotiate<echo_tiny>(kshake::mock::file_object(sink), tiny{9});
    REQUIRE(r.ok());
    CHECK(r->value == 10);
    const auto log = sink.log();
    REQUIRE(log.size() == 1U);
    CHECK(log[0].via == kshake::mock::log_entry::path::ioctl);
    CHECK(log[0].offered == echo_tiny::id);
    CHECK(log[0].status == st::success);
}

TEST_CASE("refusals come back as statuses, with no response") {
    pair_of_pins pins;
    SUBCASE("unknown protocol") {
        const auto r = kshake::negotiate<unknown>(connected_pin(pins.source), tiny{1});
        CHECK(r.status() == st::invalid_device_request);
        CHECK_FALSE(r.ok());
        CHECK_FALSE(static_cast<bool>(r));
        CHECK(r.version() == 0U);
    }
    SUBCASE("handler failure passes its status through") {
        const auto r = kshake::negotiate<half_written>(connected_pin(pins.source), tiny{1});
        CHECK(r.status() == refused_by_handler);
        CHECK(pins.state.served == 1U);
    }
    SUBCASE("not connected") {
        pins.source.disconnect();
        const auto r = kshake::negotiate<echo_tiny>(connected_pin(pins.source), tiny{1});
        CHECK(r.status() == st::device_not_connected);
        CHECK(pins.state.served == 0U);
    }
    SUBCASE("peer without a handshake callback") {
        pins.sink.register_handshake_callback(nullptr);
        const auto r = kshake::negotiate<echo_tiny>(connected_pin(pins.source), tiny{1});
        CHECK(r.status() == st::invalid_device_request);
    }
}

TEST_CASE("version ranges are inclusive at both edges") {
    pair_of_pins pins;
    // padded is served in [2, 4].
    CHECK(kshake::negotiate<kshake::at_version<padded, 1>>(connected_pin(pins.source),
                                                           with_reserved{})
              .status() == st::revision_mismatch);
    const auto low = kshake::negotiate<kshake::at_version<padded, 2>>(connected_pin(pins.source),
                                                                      with_reserved{});
    REQUIRE(low.ok());
    CHECK(low.version() == 2U);
    CHECK(low->code == 2);
    const auto high = kshake::negotiate<kshake::at_version<padded, 4>>(connected_pin(pins.source),
                                                                       with_reserved{});
    REQUIRE(high.ok());
    CHECK(high.version() == 4U);
    CHECK(kshake::negotiate<kshake::at_version<padded, 5>>(connected_pin(pins.source),
                                                           with_reserved{})
              .status() == st::revision_mismatch);
    CHECK(pins.state.served == 2U);
}

TEST_CASE("negotiate_first stops at the first offer the peer accepts") {
    pair_of_pins pins;
    const auto r = kshake::negotiate_first<echo_tiny, padded>(connected_pin(pins.source), tiny{1},
                                                              with_reserved{1, {}, 2, 3, 0});
    REQUIRE(r.ok());
    CHECK(r.index() == 0U);
    CHECK(r.accepted<echo_tiny>());
    CHECK_FALSE(r.accepted<padded>());
    CHECK(r.get<echo_tiny>().value == 2);
    CHECK(pins.source.log().size() == 1U); // padded was never offered
}

TEST_CASE("negotiate_first falls through refusals in order") {
    pair_of_pins pins;
    const auto r = kshake::negotiate_first<unknown, kshake::at_version<padded, 5>,
                                           kshake::at_version<padded, 3>, echo_tiny>(
        connected_pin(pins.source), tiny{1}, with_reserved{}, with_reserved{1, {}, 21, 0, 0},
        tiny{5});
    REQUIRE(r.ok());
    CHECK(r.index() == 2U);
    CHECK(r.version() == 3U);
    CHECK(r.get<2>().count == 42U);
    const auto log = pins.source.log();
    REQUIRE(log.size() == 3U);
    CHECK(log[0].offered == unknown::id);
    CHECK(log[0].status == st::invalid_device_request);
    CHECK(log[1].offered == padded::id);
    CHECK(log[1].status == st::revision_mismatch);
    CHECK(log[2].status == st::success);
}

TEST_CASE("negotiate_first reports the last refusal when nothing is accepted") {
    pair_of_pins pins;
    const auto r = kshake::negotiate_first<unknown, kshake::at_version<padded, 9>>(
        connected_pin(pins.source), tiny{1}, with_reserved{});
    CHECK_FALSE(r.ok());
    CHECK(r.index() == decltype(r)::none);
    CHECK(r.status() == st::revision_mismatch);
    CHECK(pins.source.log().size() == 2U);
}

TEST_CASE("every injected fault is caught by the initiator") {
    using kind = kshake::mock::fault::kind;
    pair_of_pins pins;
    struct case_t {
        const char* what{};
        kshake::mock::fault fault{};
        kshake::ntstatus expected{};
    };
    const case_t cases[] = {
        {"forced status", {kind::force_status, st::not_supported, {}, 0, 1}, st::not_supported},
        {"another protocol id",
         {kind::answer_other_protocol, st::success, padded::id, 0, 1},
         st::device_protocol_error},
        {"response size too small",
         {kind::corrupt_response_size, st::success, {}, 8, 1},
         st::device_protocol_error},
        {"response size too large",
         {kind::corrupt_response_size, st::success, {}, 4096, 1},
         st::device_protocol_error},
        {"response version changed",
         {kind::corrupt_response_version, st::success, {}, 2, 1},
         st::device_protocol_error},
        {"response version zero",
         {kind::corrupt_response_version, st::success, {}, 0, 1},
         st::device_protocol_error},
        {"Out points to a foreign buffer",
         {kind::redirect_response, st::success, {}, 0, 1},
         st::device_protocol_error},
        {"Out written, then failure",
         {kind::write_out_then_fail, st::unsuccessful, {}, 0, 1},
         st::unsuccessful},
    };
    for (const case_t& c : cases) {
        CAPTURE(c.what);
        pins.sink.inject(c.fault);
        const auto r = kshake::negotiate<echo_tiny>(connected_pin(pins.source), tiny{1});
        CHECK(r.status() == c.expected);
        CHECK_FALSE(r.ok());
        // the fault was one-shot: the next negotiation is clean
        const auto again = kshake::negotiate<echo_tiny>(connected_pin(pins.source), tiny{1});
        CHECK(again.ok());
    }
}

TEST_CASE("a raw-codec reply with another protocol id is caught") {
    pair_of_pins pins;
    pins.sink.inject(
        {kshake::mock::fault::kind::answer_other_protocol, st::success, echo_tiny::id, 0, 1});
    const auto r =
        kshake::negotiate<pool_interface>(connected_pin(pins.source), kshake::raw_arguments{});
    CHECK(r.status() == st::device_protocol_error);
}

TEST_CASE("a transport that claims success without answering is caught") {
    const auto silent = [](const kshake::handshake&, kshake::handshake&) noexcept {
        return kshake::status::success;
    };
    CHECK(kshake::negotiate<echo_tiny>(silent, tiny{1}).status() == st::device_protocol_error);
    CHECK(kshake::negotiate<pool_interface>(silent, kshake::raw_arguments{}).status() ==
          st::device_protocol_error);
}

namespace {
struct out_by_value {
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake) const noexcept {
        return st::success;
    }
};
struct out_by_const_ref {
    kshake::ntstatus operator()(const kshake::handshake&, const kshake::handshake&) const noexcept {
        return st::success;
    }
};
struct generic_out {
    template <class Out>
    kshake::ntstatus operator()(const kshake::handshake&, Out&) const noexcept {
        return st::success;
    }
};
struct long_status {
    long operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
        return st::not_supported;
    }
};
} // namespace

TEST_CASE("a transport takes out by non-const reference and may return a 32-bit long") {
    // A copy of `out` would lose the peer's answer: such a callable is not a transport.
    static_assert(!kshake::transport<out_by_value> && !kshake::transport<out_by_const_ref>);
    static_assert(kshake::transport<generic_out>);
    // NTSTATUS is a long: a transport may return it where long is 32 bits (Windows targets;
    // tools: the mingw compilers), never where it is 64 (this LP64 host).
    static_assert(kshake::transport<long_status> == (sizeof(long) == 4));
    CHECK(kshake::transport<kshake::mock::connected_pin>);
}
