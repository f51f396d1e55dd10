// expect: kshake: not a protocol
// negotiate<P> with a pointer to a protocol rather than the protocol.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using offered = fx::ping;
#else
using offered = fx::ping*;
#endif

[[nodiscard]] auto use() {
    return kshake::negotiate<offered>(fx::loopback{}, fx::ping_request{});
}
