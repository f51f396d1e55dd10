// expect: kshake: a route's handler must return kshake::ntstatus
// A handler returning bool.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline bool handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return true;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
