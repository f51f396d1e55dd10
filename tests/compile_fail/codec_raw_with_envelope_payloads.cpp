// expect: kshake: a raw_codec protocol must use kshake::raw_arguments
// A raw_codec protocol whose request and response are ordinary structs.
#include "fixtures.hpp"

struct interface_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131412"_guid;
    using codec = kshake::raw_codec;
#ifdef KSHAKE_VALID_TWIN
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
#else
    using request = fx::ping_request;
    using response = fx::ping_response;
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate<interface_protocol>(fx::loopback{}, interface_protocol::request{});
}
