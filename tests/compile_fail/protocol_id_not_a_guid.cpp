// expect: kshake: a protocol's id must be a kshake::guid
// A protocol whose id is the GUID text rather than a kshake::guid.
#include "fixtures.hpp"

struct clock_protocol {
#ifdef KSHAKE_VALID_TWIN
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
#else
    static constexpr const char* id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411";
#endif
    using request = fx::ping_request;
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
