// expect: kshake: a protocol's min_version must not exceed its version
// min_version 3 with version 2: an empty version range.
#include "fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
#ifdef KSHAKE_VALID_TWIN
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
#else
    static constexpr std::uint32_t version = 2;
    static constexpr std::uint32_t min_version = 3;
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
