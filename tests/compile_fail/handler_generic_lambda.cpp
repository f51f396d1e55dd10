// expect: kshake: a route's handler must be a function
// A generic lambda (auto parameters) as a handler: its signature cannot be checked.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline constexpr auto handler = [](fx::pin_state&, const fx::ping_request&,
                                   fx::ping_response&) noexcept -> kshake::ntstatus { return 0; };
#else
inline constexpr auto handler = [](auto&, const auto&, auto&) noexcept -> kshake::ntstatus { return 0; };
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
