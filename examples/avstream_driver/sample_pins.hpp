// The sample driver's handshake logic: the sink pin's responder and the source pin's offers.
//
// Nothing here names a WDK type, so the same code compiles into the driver
// (avstream_driver.cpp, over KsPinHandshake) and into its user-mode twin
// (tests/driver_logic_test.cpp, over kshake::mock pins). The driver adds only what is AVStream:
// allocating the pin contexts, installing the responder, and choosing when to negotiate.
// SPDX-License-Identifier: MIT
#pragma once

#include "../contoso_protocols.hpp"

#include <kshake/kshake.hpp>

namespace sample {

// ---- The sink (input) pin: serves contoso.frame-pool v1..v2 and contoso.shared-clock ----

// The sink pin's context (KSPIN.Context). Written once in the pin's Create dispatch and only
// read afterwards, so handlers need no lock: the handshake callback may run while the sink's
// own filter control mutex is not held (it is the *source's* filter that is in a state change).
struct sink_pin_state {
    kshake::uint64_t pool_address;   // where the frames live, as the two drivers agree to name it
    kshake::uint32_t pool_frames;    // frames in the pool
    kshake::uint32_t max_frame_bytes; // the largest frame the pool's buffers hold
    kshake::uint64_t clock_frequency_hz;
};

// contoso.frame-pool, versions 1..2: version 2 adds the alignment guarantee. A handler's response
// starts zero-filled and reaches the peer only if the handler returns a success status.
[[nodiscard]] inline kshake::ntstatus grant_frame_pool(sink_pin_state& pin,
                                                       const contoso::frame_pool_request& request,
                                                       contoso::frame_pool_grant& grant,
                                                       kshake::uint32_t version) noexcept {
    if (request.frame_bytes == 0 || request.frame_bytes > pin.max_frame_bytes) {
        return kshake::status::invalid_parameter;
    }
    if (request.min_frames > pin.pool_frames) {
        return kshake::status::insufficient_resources;
    }
    grant.frames = pin.pool_frames;
    grant.alignment = version >= 2 ? 4096U : 0U;
    grant.pool_address = pin.pool_address;
    return kshake::status::success;
}

[[nodiscard]] inline kshake::ntstatus describe_clock(sink_pin_state& pin,
                                                     const contoso::clock_request& request,
                                                     contoso::clock_info& info) noexcept {
    info.frequency_hz = pin.clock_frequency_hz;
    info.resolution_100ns = request.resolution_100ns < 1 ? 1U : request.resolution_100ns;
    info.shared = 1;
    return kshake::status::success;
}

// The routing table, built at compile time. kshake::avstream::install<sink_responder>(Pin)
// registers it with KsPinRegisterHandshakeCallback; the pin's Context must be a sink_pin_state.
using sink_responder =
    kshake::responder<sink_pin_state, kshake::route<contoso::frame_pool, grant_frame_pool>,
                      kshake::route<contoso::shared_clock, describe_clock>>;

// ---- The source (output) pin: offers frame-pool v3, v2, v1, then the clock ----

// v3 first, so that a sink built against a newer contoso header is used at its best; a sink of
// this sample serves v1..v2, so two instances of this filter settle on v2.
using pool_v3 = kshake::at_version<contoso::frame_pool, 3>;
using pool_v2 = kshake::at_version<contoso::frame_pool, 2>;
using pool_v1 = kshake::at_version<contoso::frame_pool, 1>;

// What the source pin agreed with its peer (part of its KSPIN.Context). A default-constructed
// agreement is "not negotiated": the pin then streams without the private protocols.
struct source_agreement {
    kshake::ntstatus pool_status = kshake::status::invalid_device_state; // not negotiated (yet)
    kshake::uint32_t pool_version = 0;     // 1 or 2 (3 with a newer sink); 0 when none agreed
    contoso::frame_pool_grant pool{};   // valid when has_pool()
    kshake::ntstatus clock_status = kshake::status::invalid_device_state;
    contoso::clock_info clock{};        // valid when has_clock()

    [[nodiscard]] constexpr bool has_pool() const noexcept { return pool_version != 0; }
    [[nodiscard]] constexpr bool has_clock() const noexcept {
        return kshake::nt_success(clock_status);
    }
    // Nothing offered, for `why` (e.g. the peer is not an AVStream pin).
    [[nodiscard]] static constexpr source_agreement refused(kshake::ntstatus why) noexcept {
        source_agreement none{};
        none.pool_status = why;
        none.clock_status = why;
        return none;
    }
};

inline constexpr kshake::uint32_t wanted_min_frames = 4;
inline constexpr kshake::uint32_t wanted_clock_resolution_100ns = 10;

// Offers the private protocols to whatever `peer` reaches (kshake::avstream::connected_pin in
// the driver, a mock pin in the test) and returns what was agreed. A refusal is not an error:
// a peer that is not a contoso pin (or no AVStream pin at all) refuses everything, and the
// source then streams the standard way. Never throws, never allocates; PASSIVE_LEVEL.
// What the source offers, checked against what the sink serves when both are built: a change to
// either side that leaves them nothing in common fails the build of the driver and its test.
using source_pool_offers = kshake::offer<pool_v3, pool_v2, pool_v1>;
static_assert(kshake::must_agree<source_pool_offers, sink_responder>);
static_assert(kshake::agreed_version_v<source_pool_offers, sink_responder> == 2,
              "the sample's sink serves frame-pool v1..v2, so v2 is agreed");
static_assert(kshake::must_agree<kshake::offer<contoso::shared_clock>, sink_responder>);

template <class Transport>
[[nodiscard]] source_agreement negotiate_with_peer(Transport&& peer,
                                                   kshake::uint32_t frame_bytes) noexcept {
    source_agreement agreed{};
    const contoso::frame_pool_request want{frame_bytes, wanted_min_frames};
    const kshake::first_result<pool_v3, pool_v2, pool_v1> pool =
        source_pool_offers::negotiate(peer, want, want, want);
    agreed.pool_status = pool.status();
    if (pool) {
        agreed.pool_version = pool.version();
        agreed.pool = pool.accepted<pool_v3>()   ? pool.get<pool_v3>()
                      : pool.accepted<pool_v2>() ? pool.get<pool_v2>()
                                                 : pool.get<pool_v1>();
    }

    const kshake::result<contoso::clock_info> clock = kshake::negotiate<contoso::shared_clock>(
        peer, contoso::clock_request{wanted_clock_resolution_100ns});
    agreed.clock_status = clock.status();
    if (clock) {
        agreed.clock = *clock;
    }
    return agreed;
}

} // namespace sample
