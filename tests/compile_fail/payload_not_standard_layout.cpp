// expect: kshake: a payload must be standard layout
// A response with public and private data members.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
struct payload {
    std::uint32_t a;
    std::uint32_t b;
};
#else
class payload {
  public:
    std::uint32_t a;
    [[nodiscard]] std::uint32_t get() const { return b; }

  private:
    std::uint32_t b;
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
