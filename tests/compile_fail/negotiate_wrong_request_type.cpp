// expect: kshake: negotiate<P>(transport, request): the request must be a P::request
// expect-also: clock_request
// negotiate<P> given another protocol's request.
#include "fixtures.hpp"

struct clock_request {
    std::uint64_t time;
};

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    return kshake::negotiate<fx::ping>(fx::loopback{}, fx::ping_request{});
#else
    return kshake::negotiate<fx::ping>(fx::loopback{}, clock_request{});
#endif
}
