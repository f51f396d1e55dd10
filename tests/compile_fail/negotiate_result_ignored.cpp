// expect: kshake: check the result
// A negotiation whose result is ignored: nothing says whether the peer accepted.
#include "fixtures.hpp"

kshake::ntstatus use() {
#ifdef KSHAKE_VALID_TWIN
    const auto r = kshake::negotiate<fx::ping>(fx::loopback{}, fx::ping_request{});
    return r.status();
#else
    kshake::negotiate<fx::ping>(fx::loopback{}, fx::ping_request{});
    return kshake::status::success;
#endif
}
