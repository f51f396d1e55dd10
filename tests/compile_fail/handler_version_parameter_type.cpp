// expect: kshake: a route handler's fourth parameter, when it has one, must be `kshake::uint32_t version`
// A versioned handler whose version parameter is an int.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&,
                                std::uint32_t) noexcept {
    return kshake::status::success;
}
#else
inline kshake::ntstatus handler(fx::pin_state&, const fx::ping_request&, fx::ping_response&,
                                int) noexcept {
    return kshake::status::success;
}
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::pool, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
