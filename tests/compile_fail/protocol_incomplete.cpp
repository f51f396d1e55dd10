// expect: kshake: a protocol must be a complete type
// A protocol declared but not defined where it is negotiated.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct pool_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131432"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
};
#else
struct pool_protocol;
#endif

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
