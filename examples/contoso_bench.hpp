// examples/contoso_protocols.hpp as a benchmark: what tools/bench_protocols.py needs from a header
// (docs/benchmarks.md, "Benchmarking your own protocols"). The responder serves both contoso
// protocols with the demo's handlers; the source offers the frame pool, then the shared clock.
//   python3 tools/bench_protocols.py examples/contoso_bench.hpp
// SPDX-License-Identifier: MIT
#pragma once

#include "contoso_protocols.hpp"

#include <kshake/kshake.hpp>

namespace contoso_bench {

struct sink_pin_state {
    kshake::uint64_t pool_address;
    kshake::uint32_t pool_frames;
    kshake::uint32_t reserved;
};

inline kshake::ntstatus grant_frame_pool(sink_pin_state& pin,
                                         const contoso::frame_pool_request& request,
                                         contoso::frame_pool_grant& grant,
                                         kshake::uint32_t version) noexcept {
    if (request.frame_bytes == 0 || request.min_frames > pin.pool_frames) {
        return kshake::status::insufficient_resources;
    }
    grant.frames = pin.pool_frames;
    grant.alignment = version >= 2 ? 4096U : 0U;
    grant.pool_address = pin.pool_address;
    return kshake::status::success;
}

inline kshake::ntstatus describe_clock(sink_pin_state&, const contoso::clock_request& request,
                                       contoso::clock_info& info) noexcept {
    info.frequency_hz = 10'000'000;
    info.resolution_100ns = request.resolution_100ns < 1 ? 1 : request.resolution_100ns;
    info.shared = 1;
    return kshake::status::success;
}

} // namespace contoso_bench

// The three names the tool reads, and one request.
using bench_responder =
    kshake::responder<contoso_bench::sink_pin_state,
                      kshake::route<contoso::frame_pool, contoso_bench::grant_frame_pool>,
                      kshake::route<contoso::shared_clock, contoso_bench::describe_clock>>;
using bench_offers = kshake::offer<contoso::frame_pool, contoso::shared_clock>;
inline contoso_bench::sink_pin_state bench_context{0x7FF0'0000'0000ULL, 8, 0};

// A value-initialised frame_pool_request asks for frames of 0 bytes, which the handler refuses:
// the hit case offers what a source would.
inline contoso::frame_pool_request bench_request(contoso::frame_pool) noexcept { return {4096, 4}; }
