// expect: kshake: a protocol needs `using response = <payload struct>;`
// A protocol without a response type (here in a responder route).
#include "fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
    using request = fx::ping_request;
#ifdef KSHAKE_VALID_TWIN
    using response = fx::ping_response;
#endif
};

using sink = kshake::responder<fx::pin_state, kshake::route<clock_protocol, fx::on_ping>>;
inline constexpr auto callback = fx::callback_of<sink>;
