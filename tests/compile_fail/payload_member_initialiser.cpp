// expect: kshake: a payload must be a plain C struct with a trivial default constructor
// A request with a default member initialiser (no trivial default constructor).
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct payload {
    std::uint32_t frames;
};
#else
struct payload {
    std::uint32_t frames = 4;
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
