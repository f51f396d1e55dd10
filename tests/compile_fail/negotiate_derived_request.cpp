// expect: kshake: negotiate<P>(transport, request): the request must be a P::request
// A request struct derived from P::request: it would bind to `const P::request&`, and its extra
// member would never reach the peer.
#include "fixtures.hpp"

struct ping_request_with_flags : fx::ping_request {
    std::uint32_t flags;
};

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate<fx::ping>(fx::loopback{}, fx::ping_request{});
#else
    return kshake::negotiate<fx::ping>(fx::loopback{}, ping_request_with_flags{});
#endif
}
