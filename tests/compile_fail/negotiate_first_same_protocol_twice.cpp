// expect: kshake: negotiate_first offers the same protocol at the same version twice
// negotiate_first lists pool at version 3 twice: pool speaks 3 and at_version<pool, 3> is the
// same offer.
#include "fixtures.hpp"

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate_first<fx::pool, kshake::at_version<fx::pool, 2>>(
        fx::loopback{}, fx::ping_request{}, fx::ping_request{});
#else
    return kshake::negotiate_first<fx::pool, kshake::at_version<fx::pool, 3>>(
        fx::loopback{}, fx::ping_request{}, fx::ping_request{});
#endif
}
