// expect: kshake: a protocol needs `using request = <payload struct>;`
// A protocol without a request type.
#include "fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
#ifdef KSHAKE_VALID_TWIN
    using request = fx::ping_request;
#endif
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
