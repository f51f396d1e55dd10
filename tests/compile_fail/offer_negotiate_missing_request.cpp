// expect: kshake: negotiate_first<P1, P2, ...>(transport, request1, request2, ...) takes one request per offered protocol
// offer<...>::negotiate given fewer requests than offers.
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

using source_offers = kshake::offer<kshake::at_version<fx::pool, 2>, fx::ping>;
static_assert(kshake::must_agree<source_offers, sink>);

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return source_offers::negotiate(fx::loopback{}, fx::ping_request{}, fx::ping_request{});
#else
    return source_offers::negotiate(fx::loopback{}, fx::ping_request{});
#endif
}
