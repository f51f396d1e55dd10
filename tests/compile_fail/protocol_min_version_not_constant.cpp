// expect: kshake: a protocol's min_version must be a `static constexpr kshake::uint32_t`
// A min_version of a signed type with a negative value: not a std::uint32_t constant.
#include "fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
    static constexpr std::uint32_t version = 2;
#ifdef KSHAKE_VALID_TWIN
    static constexpr std::uint32_t min_version = 1;
#else
    static constexpr int min_version = -1;
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
