// expect: kshake: a protocol's version must be a `static constexpr kshake::uint32_t`
// A non-static version member.
#include "fixtures.hpp"

struct pool_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131436"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
#ifdef KSHAKE_VALID_TWIN
    static constexpr std::uint32_t version = 2;
#else
    std::uint32_t version = 2;
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
