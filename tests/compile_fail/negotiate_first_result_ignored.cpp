// expect: kshake: check the result
// A negotiate_first whose result is ignored: nothing says which offer, if any, was accepted.
#include "fixtures.hpp"

kshake::ntstatus use() {
#ifdef KSHAKE_VALID_TWIN
    const auto r = kshake::negotiate_first<fx::ping, fx::pool>(fx::loopback{}, fx::ping_request{},
                                                               fx::ping_request{});
    return r.status();
#else
    kshake::negotiate_first<fx::ping, fx::pool>(fx::loopback{}, fx::ping_request{},
                                                fx::ping_request{});
    return kshake::status::success;
#endif
}
