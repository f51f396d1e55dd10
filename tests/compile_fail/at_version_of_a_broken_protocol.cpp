// expect: kshake: a payload must be a struct, not a pointer
// at_version<P, V> of a protocol with a pointer response: the message is the protocol's own.
#include "fixtures.hpp"

struct clock_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
    using request = fx::ping_request;
#ifdef KSHAKE_VALID_TWIN
    using response = fx::ping_response;
#else
    using response = fx::ping_response*;
#endif
    static constexpr std::uint32_t version = 3;
};

[[nodiscard]] auto use() {
    return kshake::negotiate_first<kshake::at_version<clock_protocol, 3>,
                                   kshake::at_version<clock_protocol, 2>>(
        fx::loopback{}, fx::ping_request{}, fx::ping_request{});
}
