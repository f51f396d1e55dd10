// expect: kshake: a function-object handler must be stateless
// A function object with a data member as a handler (g++ also takes a lambda with captures
// here; clang refuses that one itself, see docs/compile-time-checks.md): the route holds a
// compile-time copy, so the state is never the pin's.
#include "fixtures.hpp"

struct handler {
#ifndef KSHAKE_VALID_TWIN
    std::uint32_t answer;
#endif
    kshake::ntstatus operator()(fx::pin_state&, const fx::ping_request&,
                                fx::ping_response&) const noexcept {
        return kshake::status::success;
    }
};

#ifdef KSHAKE_VALID_TWIN
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler{}>>;
#else
using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, handler{7}>>;
#endif
inline constexpr auto callback = fx::callback_of<sink>;
