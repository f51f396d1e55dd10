// expect: kshake: a payload must have no implicit padding
// A request with a byte before a 32-bit member: the compiler pads 3 bytes between them, which
// would cross the wire holding whatever the sender's stack held.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct payload {
    std::uint8_t flag;
    std::uint8_t reserved[3]; // where the compiler would pad, set to zero
    std::uint32_t count;
};
#else
struct payload {
    std::uint8_t flag;
    std::uint32_t count;
};
#endif

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using request = payload;
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<status_protocol>(fx::loopback{}, payload{});
}
