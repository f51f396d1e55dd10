// expect: kshake: a route's handler takes 3 parameters
// A handler without the context parameter.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
