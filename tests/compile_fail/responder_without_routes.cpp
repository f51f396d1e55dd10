// expect: kshake: a responder needs at least one route
// A responder with no routes.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
#else
using sink = kshake::responder<fx::pin_state>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
