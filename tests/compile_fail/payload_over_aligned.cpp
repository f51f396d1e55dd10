// expect: kshake: a payload must be aligned to at most 8 bytes
// A request aligned to 16 bytes: the envelope body sits at byte 8.
#include "fixtures.hpp"

// 16 bytes either way, so neither has padding.
#ifdef KSHAKE_VALID_TWIN
struct alignas(8) payload {
    std::uint32_t value[4];
};
#else
struct alignas(16) payload {
    std::uint32_t value[4];
};
#endif

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using response = fx::ping_response;
    using request = payload;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<status_protocol>(fx::loopback{}, payload{});
}
