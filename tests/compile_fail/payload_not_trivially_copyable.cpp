// expect: kshake: a payload must be trivially copyable
// A response with a user-provided destructor: it cannot be copied byte for byte.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct payload {
    std::uint32_t handle;
};
#else
struct payload {
    std::uint32_t handle;
    ~payload() {}
};
#endif

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using request = fx::ping_request;
    using response = payload;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<status_protocol>(fx::loopback{}, fx::ping_request{});
}
