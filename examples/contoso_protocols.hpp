// The private protocols of the examples: what a vendor ("contoso") would ship as one header for
// every driver that speaks them. Included by the user-mode demo (examples/demo.cpp), by the sample
// AVStream driver (examples/avstream_driver/) and by that driver's user-mode twin
// (tests/driver_logic_test.cpp): portable, no WDK and no mock types.
// SPDX-License-Identifier: MIT
#pragma once

#include <kshake/kshake.hpp>

namespace contoso {

using namespace kshake::literals;

// contoso.frame-pool: the sink lends the source a pool of frame buffers.
struct frame_pool_request {
    kshake::uint32_t frame_bytes;
    kshake::uint32_t min_frames;
};
struct frame_pool_grant {
    kshake::uint32_t frames;
    kshake::uint32_t alignment; // 0 in version 1, which had no alignment guarantee
    kshake::uint64_t pool_address;
};
struct frame_pool {
    static constexpr kshake::guid id = "8E4C7A52-1F0B-4D6E-9A37-5B2C1D0E6F81"_guid;
    static constexpr const char* name = "contoso.frame-pool";
    using request = frame_pool_request;
    using response = frame_pool_grant;
    static constexpr kshake::uint32_t version = 2;
    static constexpr kshake::uint32_t min_version = 1;
};

// contoso.shared-clock: the sink describes the clock the source may read.
struct clock_request {
    kshake::uint32_t resolution_100ns;
};
struct clock_info {
    kshake::uint64_t frequency_hz;
    kshake::uint32_t resolution_100ns;
    kshake::uint32_t shared; // 1 when the source may read the sink's clock directly
};
struct shared_clock {
    static constexpr kshake::guid id = "8E4C7A52-1F0B-4D6E-9A37-5B2C1D0E6F82"_guid;
    static constexpr const char* name = "contoso.shared-clock";
    using request = clock_request;
    using response = clock_info;
};

} // namespace contoso
