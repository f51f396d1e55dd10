// expect: kshake: a payload must be a struct, not a pointer
// The payload rules hold for a responder too: a route whose protocol has a pointer response.
#include "fixtures.hpp"

struct status_protocol {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131410"_guid;
    using request = fx::ping_request;
#ifdef KSHAKE_VALID_TWIN
    using response = fx::ping_response;
#else
    using response = fx::ping_response*;
#endif
};

inline kshake::ntstatus serve(fx::pin_state&, const status_protocol::request&,
                              status_protocol::response&) noexcept {
    return kshake::status::success;
}

using sink = kshake::responder<fx::pin_state, kshake::route<status_protocol, serve>>;
inline constexpr auto callback = fx::callback_of<sink>;
