// expect: kshake: a route's handler must return kshake::ntstatus
// A handler returning a 64-bit integer: a status is 32 bits (NTSTATUS is a 32-bit `long` only
// where Windows code is compiled), so a wider return type would be truncated on the way out.
#include "fixtures.hpp"

#include <cstdint>

#ifdef KSHAKE_VALID_TWIN
inline std::int32_t handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#else
inline std::int64_t handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
