// expect: kshake: a protocol's id must be a compile-time constant
// A non-static id: a member of each object, not a constant of the protocol.
#include "fixtures.hpp"

struct pool_protocol {
#ifdef KSHAKE_VALID_TWIN
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131435"_guid;
#else
    kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131435"_guid;
#endif
    using request = fx::ping_request;
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
