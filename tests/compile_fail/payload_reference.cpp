// expect: kshake: a payload must be a struct type, not a reference
// A request declared as a reference to the struct.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
using payload = fx::ping_request;
#else
using payload = fx::ping_request&;
#endif

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using response = fx::ping_response;
    using request = payload;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<status_protocol>(fx::loopback{}, fx::ping_request{});
}
