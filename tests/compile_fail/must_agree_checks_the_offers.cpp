// expect: kshake: negotiate_first offers the same protocol at the same version twice
// must_agree runs the offer list's own checks: the same offer twice.
#include "fixtures.hpp"

inline kshake::ntstatus serve_pool(fx::pin_state&, const fx::ping_request&, fx::ping_response&,
                                   std::uint32_t) noexcept {
    return kshake::status::success;
}
// The sink serves pool in versions 1 and 2 only, and ping.
struct sink_pool : fx::pool {
    static constexpr std::uint32_t version = 2;
};
using sink = kshake::responder<fx::pin_state, kshake::route<sink_pool, serve_pool>,
                               kshake::route<fx::ping, fx::on_ping>>;

#ifdef KSHAKE_VALID_TWIN
static_assert(kshake::must_agree<kshake::offer<fx::ping, kshake::at_version<fx::pool, 2>>, sink>);
#else
static_assert(kshake::must_agree<kshake::offer<fx::ping, fx::ping>, sink>);
#endif
