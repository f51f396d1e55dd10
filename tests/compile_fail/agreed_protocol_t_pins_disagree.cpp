// expect: kshake: these pins can never agree: the responder serves none of the offered protocol ids
// expect-also: responder_serves_an_offered_id<kshake::offer<fx::interface_exchange>
// agreed_protocol_t on pins that share no protocol: must_agree's message, naming both sides,
// comes first (not an unsatisfied constraint on the alias).
#include "fixtures.hpp"

using sink = kshake::responder<fx::pin_state, kshake::route<fx::ping, fx::on_ping>>;

#ifdef KSHAKE_VALID_TWIN
using source_offers = kshake::offer<fx::interface_exchange, fx::ping>;
#else
using source_offers = kshake::offer<fx::interface_exchange>;
#endif
using agreed = kshake::agreed_protocol_t<source_offers, sink>;
static_assert(sizeof(kshake::request_t<agreed>) != 0);
