// expect: kshake: a function-object handler's operator() must be const
// A mutable lambda as a handler: handlers are stateless.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
inline constexpr auto handler = [](fx::pin_state&, const fx::ping_request&,
                                   fx::ping_response&) noexcept -> kshake::ntstatus { return 0; };
#else
inline constexpr auto handler = [](fx::pin_state&, const fx::ping_request&,
                                   fx::ping_response&) mutable noexcept -> kshake::ntstatus { return 0; };
#endif

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler>>;
inline constexpr auto callback = fx::callback_of<sink>;
