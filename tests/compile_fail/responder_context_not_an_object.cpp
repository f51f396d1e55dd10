// expect: kshake: a responder's Context must be the (non-const) object type
// void as the responder's context (the pin's Context is a void*, but the responder names what it
// points to).
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
#else
using sink = kshake::responder<void, kshake::route<fx::ping, fx::on_ping>>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
