// expect: kshake: a protocol's id must not be the nil GUID
// A protocol whose id is all zeros: an initiator starts Out zeroed, so a peer that answers
// without writing Out would seem to name it.
#include "fixtures.hpp"

struct clock_protocol {
#ifdef KSHAKE_VALID_TWIN
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131411"_guid;
#else
    static constexpr kshake::guid id = "00000000-0000-0000-0000-000000000000"_guid;
#endif
    using request = fx::ping_request;
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<clock_protocol>(fx::loopback{}, fx::ping_request{});
}
