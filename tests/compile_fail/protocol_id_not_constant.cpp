// expect: kshake: a protocol's id must be a compile-time constant
// A protocol whose id is `static const` and defined out of line: not a constant expression.
#include "fixtures.hpp"

struct clock_protocol {
#ifdef KSHAKE_VALID_TWIN
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
#else
    static const kshake::guid id;
#endif
    using request = fx::ping_request;
    using response = fx::ping_response;
};
#ifndef KSHAKE_VALID_TWIN
const kshake::guid clock_protocol::id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
#endif

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
