// expect: kshake: these pins can never agree: the responder serves none of the offered protocol ids
// The source offers only a protocol the sink does not serve.
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
using source_offers = kshake::offer<fx::interface_exchange, fx::ping>;
#else
using source_offers = kshake::offer<fx::interface_exchange>;
#endif
static_assert(kshake::must_agree<source_offers, sink>);
