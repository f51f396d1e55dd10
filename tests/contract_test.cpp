// kshake/contract.hpp: what the compile-time contract check predicts, and the proof that a real
// negotiate_first over mock pins agrees with the prediction.
#include "mock_pins.hpp"

#include <kshake/contract.hpp>
#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#include <type_traits>

using namespace test;
using kshake::at_version;
using kshake::offer;

namespace {

// Same id and payloads as padded (served in [2, 4] by sink_responder), but another codec or
// other types: the id alone must not make an agreement.
struct padded_other_payloads {
    static constexpr kshake::guid id = padded::id;
    using request = tiny;
    using response = tiny;
    static constexpr std::uint32_t version = 3;
};
struct padded_raw {
    static constexpr kshake::guid id = padded::id;
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
};
// A raw protocol carries no version, so the route's range does not apply to it.
using pool_interface_v9 = at_version<pool_interface, 9>;

using preferred_padded =
    offer<at_version<padded, 6>, at_version<padded, 5>, at_version<padded, 3>, echo_tiny>;
using nothing_served = offer<unknown>;
using versions_above = offer<at_version<padded, 5>, at_version<padded, 6>>;
using versions_below = offer<at_version<padded, 1>>;

} // namespace

TEST_CASE("agreed_offer_v is the first offer a route accepts, in preference order") {
    static_assert(kshake::agreed_offer_v<preferred_padded, sink_responder> == 2);
    static_assert(std::is_same_v<kshake::agreed_protocol_t<preferred_padded, sink_responder>,
                                 at_version<padded, 3>>);
    static_assert(kshake::agreed_version_v<preferred_padded, sink_responder> == 3U);
    static_assert(kshake::agrees<preferred_padded, sink_responder>);
    static_assert(kshake::must_agree<preferred_padded, sink_responder>);
    static_assert(kshake::agreed_offer_v<offer<echo_tiny, padded>, sink_responder> == 0);
    CHECK(kshake::agreed_offer_v<preferred_padded, sink_responder> == 2U);
}

TEST_CASE("the route's version range is inclusive at both ends") {
    static_assert(kshake::agrees<offer<at_version<padded, 2>>, sink_responder>);
    static_assert(kshake::agrees<offer<at_version<padded, 4>>, sink_responder>);
    static_assert(!kshake::agrees<versions_above, sink_responder>);
    static_assert(!kshake::agrees<versions_below, sink_responder>);
    static_assert(kshake::agreed_offer_v<versions_above, sink_responder> == versions_above::none);
    CHECK(versions_above::none == 2U);
}

TEST_CASE("an id alone is not an agreement: codec and payload types must match too") {
    static_assert(!kshake::agrees<nothing_served, sink_responder>);
    static_assert(!kshake::agrees<offer<padded_other_payloads>, sink_responder>);
    static_assert(!kshake::agrees<offer<padded_raw>, sink_responder>);
    static_assert(kshake::agrees<offer<pool_interface_v9>, sink_responder>);
    using raw_first = offer<padded_raw, unknown, echo_tiny>;
    static_assert(kshake::agreed_offer_v<raw_first, sink_responder> == 2);
    CHECK(kshake::agreed_offer_v<nothing_served, sink_responder> == nothing_served::none);
}

TEST_CASE("agrees is a plain concept: false, not an error, for non-offers and non-responders") {
    static_assert(!kshake::agrees<int, sink_responder>);
    static_assert(!kshake::agrees<preferred_padded, int>);
    static_assert(!kshake::agrees<echo_tiny, sink_responder>);
    CHECK(kshake::agrees<offer<echo_tiny>, sink_responder>);
}

TEST_CASE("responder exposes its routes as a route_list") {
    static_assert(sink_responder::routes::size == sink_responder::route_count);
    using echo_route = kshake::route<echo_tiny, serve_echo>;
    static_assert(std::is_same_v<kshake::responder<sink_state, echo_route>::routes,
                                 kshake::route_list<echo_route>>);
    CHECK(sink_responder::routes::size == 5U);
}

TEST_CASE("a real negotiate_first agrees on the offer the contract check predicted") {
    pair_of_pins pins;
    const auto r = preferred_padded::negotiate(
        kshake::mock::connected_pin(pins.source), with_reserved{1, {}, 2, 0, 0},
        with_reserved{1, {}, 2, 0, 0}, with_reserved{1, {}, 2, 0, 0}, tiny{1});
    REQUIRE(r.ok());
    CHECK(r.index() == kshake::agreed_offer_v<preferred_padded, sink_responder>);
    CHECK(r.version() == kshake::agreed_version_v<preferred_padded, sink_responder>);

    const auto refused = versions_above::negotiate(kshake::mock::connected_pin(pins.source),
                                                   with_reserved{}, with_reserved{});
    CHECK_FALSE(refused.ok());
    CHECK(refused.index() == kshake::agreed_offer_v<versions_above, sink_responder>);
    CHECK(refused.status() == kshake::status::revision_mismatch);

    const auto by_id = kshake::negotiate_first<padded_other_payloads, echo_tiny>(
        kshake::mock::connected_pin(pins.source), tiny{1}, tiny{2});
    REQUIRE(by_id.ok());
    CHECK(by_id.index() ==
          kshake::agreed_offer_v<offer<padded_other_payloads, echo_tiny>, sink_responder>);
}
