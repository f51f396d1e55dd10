// expect: kshake: a route handler must take the response as `P::response&`
// A handler taking the response by const reference: it could not fill it.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, const fx::ping_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
