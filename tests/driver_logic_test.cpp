// The sample driver's handshake logic (examples/avstream_driver/sample_pins.hpp) in user mode:
// the same responder and the same negotiation sequence the driver compiles, run over mock pins
// that hand requests on as AVStream does. The driver adds only what is AVStream (contexts in the
// pins' object bags, KsPinRegisterHandshakeCallback, KsPinHandshake), and tests/kernel/ checks
// that part links into a loadable image.
#include "../examples/avstream_driver/sample_pins.hpp"

#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#include <vector>

namespace st = kshake::status;
using kshake::mock::connected_pin;

namespace {

constexpr std::uint32_t frame_bytes = 1920 * 1080 * 2;

// What the driver's SinkPinCreate sets up, with a recognisable pool address.
sample::sink_pin_state sink_like_the_driver() {
    return {0x7FF0'0000'1000ULL, 8, frame_bytes, 10'000'000};
}

// A source pin connected to a sink pin that did what SinkPinCreate does: context, then callback.
struct filter_chain {
    sample::sink_pin_state sink_state = sink_like_the_driver();
    kshake::mock::pin source;
    kshake::mock::pin sink{&sink_state};

    filter_chain() {
        sink.register_handshake_callback(&sample::sink_responder::callback<kshake::mock::pin*>);
        connect(source, sink);
    }
};

std::vector<kshake::ntstatus> statuses(const kshake::mock::pin& initiator) {
    std::vector<kshake::ntstatus> found;
    for (const auto& entry : initiator.log()) {
        found.push_back(entry.status);
    }
    return found;
}

} // namespace

TEST_CASE("two sample filters in a chain agree on frame-pool v2 and the shared clock") {
    filter_chain chain;
    const sample::source_agreement agreed =
        sample::negotiate_with_peer(connected_pin(chain.source), frame_bytes);

    CHECK(agreed.has_pool());
    CHECK(agreed.has_clock());
    CHECK(agreed.pool_status == st::success);
    CHECK(agreed.pool_version == 2U);
    CHECK(agreed.pool.frames == 8U);
    CHECK(agreed.pool.alignment == 4096U);
    CHECK(agreed.pool.pool_address == 0x7FF0'0000'1000ULL);
    CHECK(agreed.clock_status == st::success);
    CHECK(agreed.clock.frequency_hz == 10'000'000U);
    CHECK(agreed.clock.resolution_100ns == sample::wanted_clock_resolution_100ns);
    CHECK(agreed.clock.shared == 1U);

    // v3 first (refused: the sink serves v1..v2), then v2, then the clock; nothing else.
    const auto log = chain.source.log();
    REQUIRE(log.size() == 3);
    CHECK(log[0].offered == contoso::frame_pool::id);
    CHECK(log[0].status == st::revision_mismatch);
    CHECK(log[1].offered == contoso::frame_pool::id);
    CHECK(log[1].status == st::success);
    CHECK(log[2].offered == contoso::shared_clock::id);
    CHECK(log[2].status == st::success);
}

TEST_CASE("a peer that installed no handshake callback refuses everything; the source streams "
          "without the private protocols") {
    kshake::mock::pin source;
    kshake::mock::pin plain_sink; // an AVStream pin of another vendor
    connect(source, plain_sink);
    const auto agreed = sample::negotiate_with_peer(connected_pin(source), frame_bytes);

    CHECK_FALSE(agreed.has_pool());
    CHECK_FALSE(agreed.has_clock());
    CHECK(agreed.pool_status == st::invalid_device_request);
    CHECK(agreed.pool_version == 0U);
    CHECK(agreed.pool.frames == 0U);
    CHECK(agreed.pool.pool_address == 0U);
    CHECK(agreed.clock_status == st::invalid_device_request);
    CHECK(agreed.clock.frequency_hz == 0U);
    // All three frame-pool versions were tried before giving up, then the clock.
    CHECK(statuses(source) == std::vector<kshake::ntstatus>(4, st::invalid_device_request));
}

TEST_CASE("a source pin that has not negotiated has agreed nothing, and says why") {
    constexpr sample::source_agreement fresh{};
    static_assert(!fresh.has_pool() && !fresh.has_clock());
    CHECK(fresh.pool_status == st::invalid_device_state);
    CHECK(fresh.clock_status == st::invalid_device_state);

    constexpr auto external = sample::source_agreement::refused(st::not_supported);
    static_assert(!external.has_pool() && !external.has_clock());
    CHECK(external.pool_status == st::not_supported);
    CHECK(external.clock_status == st::not_supported);
}

TEST_CASE("an unconnected source pin agrees nothing") {
    kshake::mock::pin source;
    const auto agreed = sample::negotiate_with_peer(connected_pin(source), frame_bytes);
    CHECK(agreed.pool_status == st::device_not_connected);
    CHECK(agreed.pool_version == 0U);
    CHECK(agreed.clock_status == st::device_not_connected);
}

TEST_CASE("a sink with too few frames refuses every frame-pool version but still serves the "
          "clock") {
    filter_chain chain;
    chain.sink_state.pool_frames = sample::wanted_min_frames - 1;
    const auto agreed = sample::negotiate_with_peer(connected_pin(chain.source), frame_bytes);

    CHECK(agreed.pool_status == st::insufficient_resources); // the last refusal's status
    CHECK(agreed.pool_version == 0U);
    CHECK(agreed.pool.frames == 0U);
    CHECK(agreed.clock_status == st::success);
    CHECK(statuses(chain.source) ==
          std::vector<kshake::ntstatus>{st::revision_mismatch, st::insufficient_resources,
                                        st::insufficient_resources, st::success});
}

TEST_CASE("a frame larger than the sink's buffers is an invalid request") {
    filter_chain chain;
    const auto agreed = sample::negotiate_with_peer(connected_pin(chain.source), frame_bytes + 1);
    CHECK(agreed.pool_status == st::invalid_parameter);
    CHECK(agreed.pool_version == 0U);

    const auto empty = sample::negotiate_with_peer(connected_pin(chain.source), 0);
    CHECK(empty.pool_status == st::invalid_parameter);
}

TEST_CASE("a sink built against the first contoso header agrees on v1, without alignment") {
    using pool_v1_only = kshake::at_version<contoso::frame_pool, 1>;
    using old_sink = kshake::responder<sample::sink_pin_state,
                                       kshake::route<pool_v1_only, sample::grant_frame_pool>>;
    sample::sink_pin_state state = sink_like_the_driver();
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};
    sink.register_handshake_callback(&old_sink::callback<kshake::mock::pin*>);
    connect(source, sink);

    const auto agreed = sample::negotiate_with_peer(connected_pin(source), frame_bytes);
    CHECK(agreed.pool_status == st::success);
    CHECK(agreed.pool_version == 1U);
    CHECK(agreed.pool.frames == 8U);
    CHECK(agreed.pool.alignment == 0U);
    CHECK(agreed.clock_status == st::invalid_device_request); // it never served the clock
    CHECK(statuses(source) == std::vector<kshake::ntstatus>{st::revision_mismatch,
                                                            st::revision_mismatch, st::success,
                                                            st::invalid_device_request});
}

TEST_CASE("a peer that breaks the wire rules is a protocol error, never an agreement") {
    filter_chain chain;
    kshake::mock::fault corrupt{};
    corrupt.what = kshake::mock::fault::kind::corrupt_response_size;
    corrupt.value = 4;
    corrupt.times = 2; // the refused v3 and the v2 the sink accepts: every frame-pool offer made
    chain.sink.inject(corrupt);

    const auto agreed = sample::negotiate_with_peer(connected_pin(chain.source), frame_bytes);
    CHECK(agreed.pool_status == st::device_protocol_error);
    CHECK(agreed.pool_version == 0U);
    CHECK(agreed.pool.pool_address == 0U);
    CHECK(agreed.clock_status == st::success);
    // The broken answer to v2 ends the frame-pool negotiation: v1 is never offered (the sink may
    // believe it agreed on v2). The sink answered v2 with success; only the source saw the fault.
    const auto log = chain.source.log();
    REQUIRE(log.size() == 3);
    CHECK(log[0].offered == contoso::frame_pool::id);
    CHECK(log[0].status == st::revision_mismatch);
    CHECK(log[1].offered == contoso::frame_pool::id);
    CHECK(log[1].status == st::success);
    CHECK(log[2].offered == contoso::shared_clock::id);
    CHECK(log[2].status == st::success);
}

TEST_CASE("the sink's clock handler never reports a resolution of 0") {
    sample::sink_pin_state state = sink_like_the_driver();
    contoso::clock_info info{};
    CHECK(sample::describe_clock(state, contoso::clock_request{0}, info) == st::success);
    CHECK(info.resolution_100ns == 1U);
}
