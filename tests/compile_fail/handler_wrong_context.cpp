// expect: kshake: a route handler's first parameter must be `Context&`
// A handler taking another context type than the responder's.
#include "fixtures.hpp"

struct other_state {
    int frames;
};

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(other_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
