// expect: kshake: negotiate_first needs at least one protocol
// negotiate_first with an empty offer list.
#include "fixtures.hpp"

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate_first<fx::ping>(fx::loopback{}, fx::ping_request{});
#else
    return kshake::negotiate_first<>(fx::loopback{});
#endif
}
