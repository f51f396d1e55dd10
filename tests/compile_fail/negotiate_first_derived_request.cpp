// expect: kshake: negotiate_first<P1, P2, ...>(transport, request1, request2, ...) takes one request per offered protocol
// negotiate_first given a request struct derived from an offer's P::request (sliced otherwise).
#include "fixtures.hpp"

struct ping_request_with_flags : fx::ping_request {
    std::uint32_t flags;
};

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate_first<fx::ping, fx::pool>(fx::loopback{}, fx::ping_request{},
                                                       fx::ping_request{});
#else
    return kshake::negotiate_first<fx::ping, fx::pool>(fx::loopback{}, ping_request_with_flags{},
                                                       fx::ping_request{});
#endif
}
