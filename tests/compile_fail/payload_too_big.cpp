// expect: kshake: a payload must be at most kshake::max_payload_size bytes (KSHAKE_MAX_PAYLOAD_SIZE: 256 in kernel mode, 2048 in user mode)
// A response one byte over the size limit.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct payload {
    unsigned char bytes[kshake::max_payload_size];
};
#else
struct payload {
    unsigned char bytes[kshake::max_payload_size + 1];
};
#endif

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using request = fx::ping_request;
    using response = payload;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<status_protocol>(fx::loopback{}, fx::ping_request{});
}
