// expect: kshake: the callback's status type must be NTSTATUS or kshake::ntstatus
// A callback whose status type is not a 32-bit signed status: every failure would be cut down
// (bool: any status becomes 1).
#include "fixtures.hpp"

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;
#ifdef KSHAKE_VALID_TWIN
inline constexpr auto callback = &sink::callback<fx::fake_pin*, kshake::handshake, kshake::ntstatus>;
#else
inline constexpr auto callback = &sink::callback<fx::fake_pin*, kshake::handshake, bool>;
#endif
