// expect: kshake: a route handler must take the request as `const P::request&`
// A handler taking the request by non-const reference.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(fx::pin_state&, fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
