// expect: kshake: the second argument of must_agree/agrees/agreed_offer_v must be a kshake::responder
// must_agree given the sink's context type instead of its responder.
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
static_assert(kshake::must_agree<kshake::offer<fx::ping>, sink>);
#else
static_assert(kshake::must_agree<kshake::offer<fx::ping>, fx::pin_state>);
#endif
