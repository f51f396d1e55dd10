// expect: kshake: that protocol is not one of this negotiate_first's offers
// get<P>() for a protocol that was not offered.
#include "fixtures.hpp"

std::uint32_t use() {
    const auto r = kshake::negotiate_first<fx::pool, fx::ping>(fx::loopback{}, fx::ping_request{},
                                                              fx::ping_request{});
#ifdef KSHAKE_VALID_TWIN
    return r.accepted<fx::ping>() ? r.get<fx::ping>().value : 0;
#else
    return r.accepted<fx::ping>() ? r.get<fx::interface_exchange>().argument1 != nullptr : 0;
#endif
}
