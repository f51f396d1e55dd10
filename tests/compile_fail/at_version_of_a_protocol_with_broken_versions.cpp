// expect: kshake: a protocol's min_version must not exceed its version
// at_version<P, V> replaces P's version range with V; P's own range must still be valid, so a
// source pin cannot build against a protocol header that the sink cannot compile.
#include "fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131412"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
    static constexpr std::uint32_t version = 1;
#ifdef KSHAKE_VALID_TWIN
    static constexpr std::uint32_t min_version = 1;
#else
    static constexpr std::uint32_t min_version = 2;
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate_first<kshake::at_version<clock_protocol, 2>,
                                   kshake::at_version<clock_protocol, 1>>(
        fx::loopback{}, fx::ping_request{}, fx::ping_request{});
}
