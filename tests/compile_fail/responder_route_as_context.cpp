// expect: kshake: a responder's first argument is its Context
// The Context forgotten: the first route is taken for the Context.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
#else
using sink = kshake::responder<kshake::route<fx::ping, fx::on_ping>>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
