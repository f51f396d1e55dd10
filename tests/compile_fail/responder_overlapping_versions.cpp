// expect: kshake: two routes of one responder serve the same protocol id at overlapping versions
// expect-also: protocol_version_ranges_disjoint<fx::pool, pool_v3_to_4>
// Typed versions: routes of one id need disjoint version ranges. pool serves [1, 3]; a second
// layout of pool from version 3 overlaps it at version 3. The error must name both protocols.
#include "fixtures.hpp"

struct grown_request {
    std::uint32_t value;
    std::uint32_t extra;
};
struct pool_v3_to_4 {
    static constexpr kshake::guid id = fx::pool::id;
#ifdef KSHAKE_VALID_TWIN
    static constexpr std::uint32_t min_version = 4;
#else
    static constexpr std::uint32_t min_version = 3;
#endif
    static constexpr std::uint32_t version = 4;
    using request = grown_request;
    using response = fx::ping_response;
};
inline kshake::ntstatus on_grown(fx::pin_state&, const grown_request&,
                                 fx::ping_response&) noexcept {
    return kshake::status::success;
}

using sink = kshake::responder<fx::pin_state, kshake::route<fx::pool, fx::on_pool>,
                               kshake::route<pool_v3_to_4, on_grown>>;
inline constexpr auto callback = fx::callback_of<sink>;
