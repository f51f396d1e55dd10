// expect: kshake: these pins can never agree: an offer and a route share a protocol id but not its request and response types
// The source's copy of the ping protocol has another response type.
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

struct source_ping {
    static constexpr kshake::guid id = fx::ping::id;
    using request = fx::ping_request;
#ifdef KSHAKE_VALID_TWIN
    using response = fx::ping_response;
#else
    using response = fx::ping_request;
#endif
};
static_assert(kshake::must_agree<kshake::offer<source_ping>, sink>);
