// expect: kshake: negotiate_first<P1, P2, ...>(transport, request1, request2, ...) takes one request per offered protocol
// Two protocols offered, one request given.
#include "fixtures.hpp"

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate_first<fx::pool, fx::ping>(fx::loopback{}, fx::ping_request{},
                                                      fx::ping_request{});
#else
    return kshake::negotiate_first<fx::pool, fx::ping>(fx::loopback{}, fx::ping_request{});
#endif
}
