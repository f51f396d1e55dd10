// expect: kshake: a protocol's codec must be kshake::envelope_codec or kshake::raw_codec
// A protocol naming a codec of its own.
#include "fixtures.hpp"

struct my_codec {};

struct interface_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131412"_guid;
#ifdef KSHAKE_VALID_TWIN
    using codec = kshake::envelope_codec;
#else
    using codec = my_codec;
#endif
    using request = fx::ping_request;
    using response = fx::ping_response;
};

[[nodiscard]] auto use() {
    return kshake::negotiate<interface_protocol>(fx::loopback{}, fx::ping_request{});
}
