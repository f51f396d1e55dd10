// expect: kshake: a protocol's members must be public
// A private version: kshake cannot read it, and would otherwise speak version 1.
#include "fixtures.hpp"

class pool_protocol {
  public:
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131434"_guid;
    using request = fx::ping_request;
    using response = fx::ping_response;
#ifndef KSHAKE_VALID_TWIN
  private:
#endif
    static constexpr std::uint32_t version = 3;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<pool_protocol>(fx::loopback{}, fx::ping_request{});
}
