// expect: kshake: these pins can never agree: the responder serves an offered protocol id, but no version offered for it lies within
// expect-also: offered_version_within_route_range<kshake::at_version<fx::pool, 3>, sink_pool>
// agreed_version_v on pins that share an id at no common version: must_agree's message, naming
// the offer and the route, comes first (not an unsatisfied constraint on the variable).
#include "fixtures.hpp"

inline kshake::ntstatus serve_pool(fx::pin_state&, const fx::ping_request&, fx::ping_response&,
                                   std::uint32_t) noexcept {
    return kshake::status::success;
}
// The sink serves pool in versions 1 and 2 only.
struct sink_pool : fx::pool {
    static constexpr std::uint32_t version = 2;
};
using sink = kshake::responder<fx::pin_state, kshake::route<sink_pool, serve_pool>>;

#ifdef KSHAKE_VALID_TWIN
using source_offers = kshake::offer<kshake::at_version<fx::pool, 3>, kshake::at_version<fx::pool, 2>>;
#else
using source_offers = kshake::offer<kshake::at_version<fx::pool, 3>>;
#endif
static_assert(kshake::agreed_version_v<source_offers, sink> >= 1);
