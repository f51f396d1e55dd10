// expect: kshake: a protocol needs `static constexpr kshake::guid id
// negotiate_first offered a request type in place of a protocol.
#include "fixtures.hpp"

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate_first<fx::pool, fx::ping>(fx::loopback{}, fx::ping_request{},
                                                      fx::ping_request{});
#else
    return kshake::negotiate_first<fx::pool, fx::ping_request>(fx::loopback{}, fx::ping_request{},
                                                              fx::ping_request{});
#endif
}
