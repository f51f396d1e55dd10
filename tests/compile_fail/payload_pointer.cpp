// expect: kshake: a payload must be a struct, not a pointer
// A response that is a pointer to a struct rather than the struct.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using payload = fx::ping_response;
#else
using payload = fx::ping_response*;
#endif

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using request = fx::ping_request;
    using response = payload;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<status_protocol>(fx::loopback{}, fx::ping_request{});
}
