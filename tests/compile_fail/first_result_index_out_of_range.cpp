// expect: kshake: negotiate_first result index out of range
// get<2>() on the result of a negotiate_first with two offers.
#include "fixtures.hpp"

std::uint32_t use() {
    const auto r = kshake::negotiate_first<fx::pool, fx::ping>(fx::loopback{}, fx::ping_request{},
                                                              fx::ping_request{});
#ifdef KSHAKE_VALID_TWIN
    return r.index() == 1 ? r.get<1>().value : 0;
#else
    return r.index() == 1 ? r.get<2>().value : 0;
#endif
}
