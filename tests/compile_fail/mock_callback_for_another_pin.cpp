// expect: kshake: a mock::pin runs
// A mock pin given the callback instantiated for another pin type (a kernel PKSPIN's shape).
#include "fixtures.hpp"

#include <kshake/mock.hpp>

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;

void install(kshake::mock::pin& pin) {
#ifdef KSHAKE_VALID_TWIN
    pin.register_handshake_callback(&sink::callback<kshake::mock::pin*>);
#else
    pin.register_handshake_callback(&sink::callback<fx::fake_pin*>);
#endif
}
