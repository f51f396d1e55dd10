// kshake demo: a capture source pin and an encoder sink pin agree on a private frame pool and a
// shared clock, over mock AVStream pins, and a trace hook (kshake/trace.hpp) on both pins prints
// each offer and each request as it is answered. The sample driver (examples/avstream_driver/)
// offers and serves the same protocols (examples/contoso_protocols.hpp) with the same calls over
// real pins.
#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

// The private protocols, shared by both drivers (in real life: one vendor header).
#include "contoso_protocols.hpp"

#include <cinttypes>
#include <cstdio>

// ---- The encoder sink pin: serves both protocols ----
namespace encoder {

struct sink_pin_state {
    std::uint64_t pool_address;
    std::uint32_t pool_frames;
};

kshake::ntstatus grant_frame_pool(sink_pin_state& pin, const contoso::frame_pool_request& request,
                                  contoso::frame_pool_grant& grant,
                                  std::uint32_t version) noexcept {
    if (request.frame_bytes == 0 || request.min_frames > pin.pool_frames) {
        return kshake::status::insufficient_resources;
    }
    grant.frames = pin.pool_frames;
    grant.alignment = version >= 2 ? 4096U : 0U;
    grant.pool_address = pin.pool_address;
    return kshake::status::success;
}

kshake::ntstatus describe_clock(sink_pin_state&, const contoso::clock_request& request,
                                contoso::clock_info& info) noexcept {
    info.frequency_hz = 10'000'000;
    info.resolution_100ns = request.resolution_100ns < 1 ? 1 : request.resolution_100ns;
    info.shared = 1;
    return kshake::status::success;
}

using handshake_responder =
    kshake::responder<sink_pin_state, kshake::route<contoso::frame_pool, grant_frame_pool>,
                      kshake::route<contoso::shared_clock, describe_clock>>;

} // namespace encoder

// ---- The trace hook: both pins report to it, and it prints each event as one line ----
namespace {

// traced_callback takes its hook as a template argument, so the hook is an object of static
// storage duration. A driver writes kshake::avstream::dbgprint_trace here instead, and its lines
// go to the kernel debugger.
kshake::mock::trace_printer trace;

} // namespace

int main() {
    std::printf("kshake %d.%d.%d demo: a capture source pin negotiates with an encoder sink pin\n"
                "(mock AVStream pins; a driver runs the same code over KsPinHandshake)\n\n",
                KSHAKE_VERSION_MAJOR, KSHAKE_VERSION_MINOR, KSHAKE_VERSION_PATCH);

    encoder::sink_pin_state sink_state{0x7FF0'0000'0000ULL, 8};
    kshake::mock::pin sink{&sink_state};
    kshake::mock::pin source;
    // At pin creation the sink installs its responder, as KsPinRegisterHandshakeCallback does:
    // traced, so each request it answers is reported to the hook.
    sink.register_handshake_callback(
        &encoder::handshake_responder::traced_callback<trace, kshake::mock::pin*>);
    connect(source, sink);
    // The source's transport; each negotiation goes through traced(to_sink, trace), which
    // reports each offer to the same hook.
    const kshake::mock::connected_pin to_sink{source};
    std::printf("sink serves %s v%" PRIu32 "..v%" PRIu32 " and %s v%" PRIu32 "\n",
                contoso::frame_pool::name, kshake::min_version_v<contoso::frame_pool>,
                kshake::version_v<contoso::frame_pool>, contoso::shared_clock::name,
                kshake::version_v<contoso::shared_clock>);
    std::printf("(the \"kshake request\" lines are the sink's trace, the \"kshake offer\" lines "
                "the source's)\n\n");

    // The source was built against a newer header: it prefers frame-pool v3, then falls back.
    using pool_v3 = kshake::at_version<contoso::frame_pool, 3>;
    using pool_v2 = kshake::at_version<contoso::frame_pool, 2>;
    using pool_v1 = kshake::at_version<contoso::frame_pool, 1>;
    const contoso::frame_pool_request want{1920 * 1080 * 2, 4};

    std::printf("1. frame pool: offer v3, v2, v1 in that order (negotiate_first)\n");
    // Checked at compile time: the sink serves one of these offers, and which.
    using source_offers = kshake::offer<pool_v3, pool_v2, pool_v1>;
    static_assert(kshake::must_agree<source_offers, encoder::handshake_responder>);
    static_assert(kshake::agreed_version_v<source_offers, encoder::handshake_responder> == 2);
    const auto pool = source_offers::negotiate(kshake::traced(to_sink, trace), want, want, want);
    if (!pool) {
        std::printf("  no frame pool: %s\n", kshake::to_string(pool.status()).c_str());
        return 1;
    }
    // Why v2: how each offer ended, in the order offered (the hook's lines above say the same).
    std::printf("  offers: v3 %s, v2 %s, v1 %s%s\n", kshake::to_string(pool.status_of(0)).c_str(),
                kshake::to_string(pool.status_of(1)).c_str(),
                kshake::to_string(pool.status_of(2)).c_str(),
                pool.status_of(2) == kshake::status::cancelled ? " (never sent)" : "");
    const auto grant = pool.get<pool_v2>();
    std::printf("  agreed: %s v%" PRIu32 ": %" PRIu32 " frames of %" PRIu32
                " bytes, alignment %" PRIu32 ", pool at 0x%" PRIX64 "\n\n",
                contoso::frame_pool::name, pool.version(), grant.frames, want.frame_bytes,
                grant.alignment, grant.pool_address);

    std::printf("2. clock (negotiate)\n");
    const auto clock = kshake::negotiate<contoso::shared_clock>(kshake::traced(to_sink, trace),
                                                                contoso::clock_request{10});
    if (!clock) {
        std::printf("  no clock: %s\n", kshake::to_string(clock.status()).c_str());
        return 1;
    }
    std::printf("  agreed: %s v%" PRIu32 ": %" PRIu64 " Hz, resolution %" PRIu32
                " x 100 ns, shared %s\n\n",
                contoso::shared_clock::name, clock.version(), clock->frequency_hz,
                clock->resolution_100ns, clock->shared != 0 ? "yes" : "no");

    const bool expected = pool.accepted<pool_v2>() && pool.version() == 2 && grant.frames == 8 &&
                          grant.alignment == 4096 && clock->frequency_hz == 10'000'000;
    std::printf("%s\n", expected
                            ? "result: agreed on frame-pool v2 and shared-clock v1, as expected"
                            : "result: UNEXPECTED agreement");
    return expected ? 0 : 1;
}
