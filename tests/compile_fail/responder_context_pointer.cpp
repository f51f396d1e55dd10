// expect: kshake: a responder's Context is the type the pin's Context points to, not a pointer
// A pointer as the responder's Context, with handlers taking a reference to that pointer: the
// pin's Context would be read as a pointer to a pointer.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
#else
inline kshake::ntstatus handler(fx::pin_state*&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
using sink = kshake::responder<fx::pin_state*, kshake::route<fx::ping, handler>>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
