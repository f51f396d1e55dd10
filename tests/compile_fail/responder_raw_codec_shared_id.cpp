// expect: kshake: two routes of one responder serve the same protocol id, and one of them uses kshake::raw_codec
// expect-also: raw_codec_id_served_once<
// A raw request carries no version, so no version range can set a raw route apart from another
// route of its id.
#include "fixtures.hpp"

struct exchange_again {
#ifdef KSHAKE_VALID_TWIN
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131499"_guid;
#else
    static constexpr kshake::guid id = fx::interface_exchange::id;
#endif
    static constexpr std::uint32_t min_version = 2;
    static constexpr std::uint32_t version = 2;
    using request = fx::ping_request;
    using response = fx::ping_response;
};

using sink = kshake::responder<fx::pin_state, kshake::route<fx::interface_exchange, fx::on_interface>,
                               kshake::route<exchange_again, fx::on_ping>>;
inline constexpr auto callback = fx::callback_of<sink>;
