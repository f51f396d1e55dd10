// expect: kshake: a responder's routes must be kshake::route<Protocol, handler>
// A protocol listed where a route belongs.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
#else
using sink = kshake::responder<fx::pin_state, fx::ping>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
