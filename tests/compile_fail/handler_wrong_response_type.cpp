// expect: kshake: a route handler's third parameter must be `P::response&`
// A handler filling another protocol's response.
#include "fixtures.hpp"

struct clock_response {
    std::uint64_t time;
};

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, clock_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
