// expect: kshake: responder::callback<Pin>: Pin is the pin's pointer type
// A mock pin given callback<kshake::mock::pin>, without the `*`.
#include "fixtures.hpp"

#include <kshake/mock.hpp>

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;

void install(kshake::mock::pin& pin) {
#ifdef KSHAKE_VALID_TWIN
    pin.register_handshake_callback(&sink::callback<kshake::mock::pin*>);
#else
    pin.register_handshake_callback(&sink::callback<kshake::mock::pin>);
#endif
}
