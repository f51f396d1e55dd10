// expect: kshake: a payload must be a complete type
// A response that is declared but not defined where the protocol is used.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct grant {
    std::uint32_t frames;
};
#else
struct grant;
#endif

struct pool_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131431"_guid;
    using request = fx::ping_request;
    using response = grant;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
