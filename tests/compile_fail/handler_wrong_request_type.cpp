// expect: kshake: a route handler's second parameter must be `const P::request&`
// A handler taking another protocol's request.
#include "fixtures.hpp"

struct clock_request {
    std::uint64_t time;
};

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(fx::pin_state&, const clock_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
