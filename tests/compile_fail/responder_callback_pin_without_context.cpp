// expect: kshake: responder::callback needs a pin pointer with a `Context` member
// The callback instantiated for a pin type with no context.
#include "fixtures.hpp"

struct bare_pin {
#ifdef KSHAKE_VALID_TWIN
    void* Context;
#else
    void* Cookie;
#endif
};

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
inline constexpr auto callback = &sink::callback<bare_pin*>;
