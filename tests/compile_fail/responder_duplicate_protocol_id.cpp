// expect: kshake: two routes of one responder serve the same protocol id
// expect-also: protocol_version_ranges_disjoint<fx::ping, ping_again>
// Two routes for one id at one version: a second protocol type that reuses ping's GUID. The
// error must name both protocols.
#include "fixtures.hpp"

struct ping_again {
    static constexpr kshake::guid id = fx::ping::id;
    using request = fx::ping_request;
    using response = fx::ping_response;
};
struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
};

#ifdef KSHAKE_VALID_TWIN
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>,
                               kshake::route<fx::pool, fx::on_pool>,
                               kshake::route<clock_protocol, fx::on_ping>>;
#else
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>,
                               kshake::route<fx::pool, fx::on_pool>,
                               kshake::route<ping_again, fx::on_ping>>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
