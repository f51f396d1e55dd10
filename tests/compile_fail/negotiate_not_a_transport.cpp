// expect: kshake: not a transport
// negotiate over a pin state instead of a transport.
#include "fixtures.hpp"

[[nodiscard]] auto use(fx::pin_state& state) {
#ifdef KSHAKE_VALID_TWIN
    static_cast<void>(state);
    return kshake::negotiate<fx::ping>(fx::loopback{}, fx::ping_request{});
#else
    return kshake::negotiate<fx::ping>(state, fx::ping_request{});
#endif
}
