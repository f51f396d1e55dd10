// expect: kshake: the callback's handshake type must have KSHANDSHAKE's layout
// The callback instantiated with a handshake type that is not laid out as KSHANDSHAKE.
#include "fixtures.hpp"

struct platform_handshake {
    kshake::guid ProtocolId;
    void* Argument1;
#ifdef KSHAKE_VALID_TWIN
    void* Argument2;
#endif
};

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
inline constexpr auto callback = &sink::callback<fx::fake_pin*, platform_handshake>;
