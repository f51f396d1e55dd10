// harness: fail: expected message is missing
// expect: kshake: protocol versions start at 1
// Broken on purpose: the misuse fails, but with another kshake message than the one expected.
#include "../fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131420"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
#ifdef KSHAKE_VALID_TWIN
    static constexpr std::uint32_t version = 1;
#else
    static constexpr std::uint32_t version = 1;
    static constexpr std::uint32_t min_version = 2;
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
