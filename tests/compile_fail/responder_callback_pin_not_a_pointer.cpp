// expect: kshake: responder::callback<Pin>: Pin is the pin's pointer type
// The callback instantiated for the pin type itself rather than a pointer to it.
#include "fixtures.hpp"

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
#ifdef KSHAKE_VALID_TWIN
inline constexpr auto callback = &sink::callback<fx::fake_pin*>;
#else
inline constexpr auto callback = &sink::callback<fx::fake_pin>;
#endif
