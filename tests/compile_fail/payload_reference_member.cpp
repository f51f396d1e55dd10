// expect: kshake: a payload must be assignable
// A response with a reference member (a payload crosses to another driver: hold a pointer or a value).
#include "fixtures.hpp"

struct grant {
#ifdef KSHAKE_VALID_TWIN
    std::uint32_t frames;
#else
    std::uint32_t& frames;
#endif
};

struct pool_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131430"_guid;
    using request = fx::ping_request;
    using response = grant;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
