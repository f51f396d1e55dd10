// expect: kshake: these pins can never agree: an offer and a route share a protocol id but not a codec
// The source speaks ping through the raw codec, the sink through the envelope.
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
#ifdef KSHAKE_VALID_TWIN
    using request = fx::ping_request;
    using response = fx::ping_response;
#else
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
#endif
};
static_assert(kshake::must_agree<kshake::offer<source_ping>, sink>);
