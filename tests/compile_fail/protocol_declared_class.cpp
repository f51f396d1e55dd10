// expect: kshake: a protocol's members must be public
// A protocol declared `class`: its id, request and response exist but are private.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct pool_protocol {
#else
class pool_protocol {
#endif
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131433"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
