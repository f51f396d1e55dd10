// The initiator's trace (issue 15, kshake/trace.hpp): first_result::status_of for every offer,
// each offer an initiator makes (offer_event, the rule of docs/wire.md §2.5 a broken answer broke)
// through kshake::traced over kshake::mock pins, and that a negotiation without a hook is
// unchanged. The hooks here are the tests' own (recorder), so that the tests depend on nothing but
// the core.
#include "trace_test.hpp"

#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace trace_test;

namespace {

// ---- initiator side ----

const probe_request ok_request{0, 21};

// What a rule-breaking peer does: the honest responder's answer, then one rule of docs/wire.md
// §2.5 broken (R0: a success code other than STATUS_SUCCESS).
struct rule_case {
    kshake::answer_rule rule;
    const char* code; // "R0" ... "R5"
};
const rule_case rule_cases[] = {
    {kshake::answer_rule::status_code, "R0"},   {kshake::answer_rule::protocol_id, "R1"},
    {kshake::answer_rule::argument1, "R2"},     {kshake::answer_rule::argument2, "R3"},
    {kshake::answer_rule::response_size, "R4"}, {kshake::answer_rule::response_version, "R5"},
};

// Breaks `rule` in the answer to In, an honest answer from linear_sink first.
ntstatus break_rule(kshake::answer_rule rule, sink_state& state, const kshake::handshake& in,
                    kshake::handshake& out, void* elsewhere) noexcept {
    const ntstatus s = linear_sink::serve(state, &in, &out);
    if (s != st::success) {
        return s;
    }
    auto* const response = static_cast<unsigned char*>(in.argument2);
    switch (rule) {
    case kshake::answer_rule::status_code:
        return st::pending;
    case kshake::answer_rule::protocol_id:
        out.protocol_id = stranger::id;
        break;
    case kshake::answer_rule::argument1:
        out.argument1 = elsewhere;
        break;
    case kshake::answer_rule::argument2:
        out.argument2 = elsewhere;
        break;
    case kshake::answer_rule::response_size:
        store32(response, load32(response) + 8U); // another version's struct size
        break;
    case kshake::answer_rule::response_version:
        store32(response + 4, load32(response + 4) - 1U); // a version it was not offered
        break;
    case kshake::answer_rule::none:
        break;
    }
    return s;
}

} // namespace

// ================================================================================================
// first_result::status_of

TEST_CASE("status_of: the accepted offer, the refused before it, the never-sent after it") {
    traced_pins<linear_sink> pins;
    const auto r =
        kshake::negotiate_first<kshake::at_version<ping, 4>, ping, kshake::at_version<ping, 2>>(
            kshake::mock::connected_pin(pins.source), ok_request, ok_request, ok_request);
    REQUIRE(r.ok());
    CHECK(r.index() == 1);
    CHECK(r.status_of(0) == st::revision_mismatch);
    CHECK(r.status_of(1) == st::success);
    CHECK(r.status_of(2) == st::cancelled);
    CHECK(st::cancelled == static_cast<ntstatus>(0xC0000120U));
    CHECK(pins.source.log().size() == 2); // offer 2 was never sent
}

TEST_CASE("status_of: a first_result built from a status reports it for every offer") {
    const kshake::first_result<ping, kshake::at_version<ping, 2>, meter_v1> r{st::not_supported};
    CHECK(r.status() == st::not_supported);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(r.status_of(i) == st::not_supported);
    }
    const kshake::first_result<ping, kshake::at_version<ping, 2>> broken{st::device_protocol_error};
    // As from negotiate_first: a protocol error ends the negotiation at the first offer.
    CHECK(broken.status_of(0) == st::device_protocol_error);
    CHECK(broken.status_of(1) == st::cancelled);
}

TEST_CASE("status_of: the first offer accepted, every later one cancelled") {
    traced_pins<linear_sink> pins;
    const auto r = kshake::negotiate_first<ping, kshake::at_version<ping, 2>, meter_v1>(
        kshake::mock::connected_pin(pins.source), ok_request, ok_request, meter_v1_request{5});
    REQUIRE(r.ok());
    CHECK(r.index() == 0);
    CHECK(r.status_of(0) == st::success);
    CHECK(r.status_of(1) == st::cancelled);
    CHECK(r.status_of(2) == st::cancelled);
    CHECK(pins.source.log().size() == 1);
}

TEST_CASE("status_of: every offer refused, each with its own status, in the order offered") {
    traced_pins<linear_sink> pins;
    const probe_request refused_by_handler{static_cast<std::uint32_t>(st::not_supported), 21};
    const auto r = kshake::negotiate_first<stranger, kshake::at_version<ping, 4>, ping>(
        kshake::mock::connected_pin(pins.source), ok_request, ok_request, refused_by_handler);
    REQUIRE_FALSE(r.ok());
    CHECK(r.index() == r.none);
    CHECK(r.status() == st::not_supported);
    CHECK(r.status_of(0) == st::invalid_device_request);
    CHECK(r.status_of(1) == st::revision_mismatch);
    CHECK(r.status_of(2) == st::not_supported);
    CHECK(pins.source.log().size() == 3);
}

TEST_CASE("status_of: a broken answer ends negotiate_first; later offers are cancelled") {
    sink_state state{};
    unsigned char elsewhere[32]{};
    std::size_t calls = 0;
    // The second call breaks R4; the first is refused honestly (the stranger is served by nobody).
    auto peer = [&](const kshake::handshake& in, kshake::handshake& out) noexcept -> ntstatus {
        ++calls;
        const kshake::answer_rule rule =
            calls == 2 ? kshake::answer_rule::response_size : kshake::answer_rule::none;
        return break_rule(rule, state, in, out, elsewhere);
    };
    const auto r = kshake::negotiate_first<stranger, ping, kshake::at_version<ping, 2>, meter_v1>(
        peer, ok_request, ok_request, ok_request, meter_v1_request{5});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status() == st::device_protocol_error);
    CHECK(r.index() == r.none);
    CHECK(r.status_of(0) == st::invalid_device_request);
    CHECK(r.status_of(1) == st::device_protocol_error);
    CHECK(r.status_of(2) == st::cancelled);
    CHECK(r.status_of(3) == st::cancelled);
    CHECK(calls == 2);
}

TEST_CASE("status_of: a broken answer to the first or the last offer") {
    sink_state state{};
    unsigned char elsewhere[32]{};
    SUBCASE("the first: everything after it cancelled") {
        auto peer = [&](const kshake::handshake& in, kshake::handshake& out) noexcept {
            return break_rule(kshake::answer_rule::protocol_id, state, in, out, elsewhere);
        };
        const auto r = kshake::negotiate_first<ping, kshake::at_version<ping, 2>>(peer, ok_request,
                                                                                  ok_request);
        CHECK(r.status() == st::device_protocol_error);
        CHECK(r.status_of(0) == st::device_protocol_error);
        CHECK(r.status_of(1) == st::cancelled);
    }
    SUBCASE("the last, after refusals: nothing cancelled") {
        std::size_t calls = 0;
        auto peer = [&](const kshake::handshake& in, kshake::handshake& out) noexcept {
            ++calls;
            return break_rule(calls == 3 ? kshake::answer_rule::argument2
                                         : kshake::answer_rule::none,
                              state, in, out, elsewhere);
        };
        const auto r = kshake::negotiate_first<stranger, kshake::at_version<ping, 4>, ping>(
            peer, ok_request, ok_request, ok_request);
        CHECK(r.status() == st::device_protocol_error);
        CHECK(r.status_of(0) == st::invalid_device_request);
        CHECK(r.status_of(1) == st::revision_mismatch);
        CHECK(r.status_of(2) == st::device_protocol_error);
        CHECK(calls == 3);
    }
    SUBCASE("a peer refusing with STATUS_DEVICE_PROTOCOL_ERROR itself ends it too") {
        traced_pins<linear_sink> pins;
        kshake::mock::fault f{};
        f.what = kshake::mock::fault::kind::force_status;
        f.status = st::device_protocol_error;
        pins.sink.inject(f);
        const auto r = kshake::negotiate_first<ping, kshake::at_version<ping, 2>>(
            kshake::mock::connected_pin(pins.source), ok_request, ok_request);
        CHECK(r.status_of(0) == st::device_protocol_error);
        CHECK(r.status_of(1) == st::cancelled);
        CHECK(pins.source.log().size() == 1);
    }
}

TEST_CASE("status_of: a single offer's status is the result's") {
    traced_pins<linear_sink> pins;
    SUBCASE("accepted") {
        const auto r =
            kshake::negotiate_first<ping>(kshake::mock::connected_pin(pins.source), ok_request);
        CHECK(r.ok());
        CHECK(r.status_of(0) == st::success);
    }
    SUBCASE("refused") {
        const auto r = kshake::negotiate_first<kshake::at_version<ping, 4>>(
            kshake::mock::connected_pin(pins.source), ok_request);
        CHECK(r.status_of(0) == st::revision_mismatch);
        CHECK(r.status_of(0) == r.status());
    }
    SUBCASE("broken") {
        kshake::mock::fault f{};
        f.what = kshake::mock::fault::kind::corrupt_response_version;
        f.value = 7;
        pins.sink.inject(f);
        const auto r =
            kshake::negotiate_first<ping>(kshake::mock::connected_pin(pins.source), ok_request);
        CHECK(r.status_of(0) == st::device_protocol_error);
    }
}

// ================================================================================================
// The initiator's trace

TEST_CASE("offer_event: every field, for a refused offer and the accepted one, over mock pins") {
    traced_pins<linear_sink> pins;
    recorder initiator;
    const auto r =
        kshake::negotiate_first<kshake::at_version<ping, 4>, ping, kshake::at_version<ping, 2>>(
            kshake::traced(kshake::mock::connected_pin(pins.source), initiator), ok_request,
            ok_request, ok_request);
    REQUIRE(r.ok());
    REQUIRE(initiator.offers.size() == 2); // one per offer sent, none for the cancelled one
    CHECK(initiator.requests.empty());

    const kshake::offer_event& refused = initiator.offers[0];
    CHECK(refused.index == 0);
    CHECK(refused.protocol_id == ping::id);
    CHECK(same_text(refused.protocol_name, "trace.ping"));
    CHECK(refused.version == 4);
    CHECK(refused.transport_status == st::revision_mismatch);
    CHECK(refused.status == st::revision_mismatch);
    CHECK(refused.broken_rule == kshake::answer_rule::none);

    const kshake::offer_event& accepted = initiator.offers[1];
    CHECK(accepted.index == 1);
    CHECK(accepted.protocol_id == ping::id);
    CHECK(same_text(accepted.protocol_name, "trace.ping"));
    CHECK(accepted.version == 3);
    CHECK(accepted.transport_status == st::success);
    CHECK(accepted.status == st::success);
    CHECK(accepted.broken_rule == kshake::answer_rule::none);

    // Each event's status is what status_of reports for that offer.
    for (const kshake::offer_event& e : initiator.offers) {
        CHECK(r.status_of(e.index) == e.status);
    }

    // The sink's side of the same negotiation: its traced_callback saw both requests.
    REQUIRE(sink_trace.requests.size() == 2);
    CHECK(sink_trace.offers.empty());
    CHECK(sink_trace.requests[0].refused_by == kshake::request_check::version);
    CHECK(sink_trace.requests[0].version == 4);
    CHECK(sink_trace.requests[0].route == 0);
    CHECK(sink_trace.requests[0].status == st::revision_mismatch);
    CHECK(sink_trace.requests[1].refused_by == kshake::request_check::none);
    CHECK(sink_trace.requests[1].version == 3);
    CHECK(sink_trace.requests[1].status == st::success);
}

TEST_CASE("offer_event: negotiate reports its one offer at index 0") {
    traced_pins<linear_sink> pins;
    recorder initiator;
    SUBCASE("accepted") {
        const auto r = kshake::negotiate<ping>(
            kshake::traced(kshake::mock::connected_pin(pins.source), initiator), ok_request);
        REQUIRE(r.ok());
        CHECK(r->doubled == 42);
        REQUIRE(initiator.offers.size() == 1);
        CHECK(initiator.offers[0].index == 0);
        CHECK(initiator.offers[0].version == 3);
        CHECK(initiator.offers[0].status == st::success);
    }
    SUBCASE("refused by the handler") {
        const auto r = kshake::negotiate<ping>(
            kshake::traced(kshake::mock::connected_pin(pins.source), initiator),
            probe_request{static_cast<std::uint32_t>(st::insufficient_resources), 1});
        CHECK(r.status() == st::insufficient_resources);
        REQUIRE(initiator.offers.size() == 1);
        CHECK(initiator.offers[0].transport_status == st::insufficient_resources);
        CHECK(initiator.offers[0].status == st::insufficient_resources);
        REQUIRE(sink_trace.requests.size() == 1);
        CHECK(sink_trace.requests[0].refused_by == kshake::request_check::handler);
        CHECK(sink_trace.requests[0].handler_status == st::insufficient_resources);
    }
    SUBCASE("no peer: the transport's own status") {
        pins.source.disconnect();
        const auto r = kshake::negotiate<ping>(
            kshake::traced(kshake::mock::connected_pin(pins.source), initiator), ok_request);
        CHECK(r.status() == st::device_not_connected);
        REQUIRE(initiator.offers.size() == 1);
        CHECK(initiator.offers[0].transport_status == st::device_not_connected);
        CHECK(initiator.offers[0].status == st::device_not_connected);
        CHECK(initiator.offers[0].broken_rule == kshake::answer_rule::none);
        CHECK(sink_trace.requests.empty());
    }
}

TEST_CASE("offer_event: an unnamed protocol, a typed version and a raw protocol") {
    traced_pins<hashed_sink> pins;
    recorder initiator;
    const kshake::mock::connected_pin transport{pins.source};
    auto t = kshake::traced(transport, initiator);
    SUBCASE("unnamed: an empty name, and no quotes in the text") {
        REQUIRE(kshake::negotiate<filler<3>>(t, ok_request).ok());
        REQUIRE(initiator.offers.size() == 1);
        CHECK(same_text(initiator.offers[0].protocol_name, ""));
        CHECK_FALSE(contains(text(to_string(initiator.offers[0])), "\""));
        REQUIRE(sink_trace.requests.size() == 1);
        CHECK(sink_trace.requests[0].route == 6); // filler<3>: the responder's 7th route
        CHECK(same_text(sink_trace.requests[0].protocol_name, ""));
    }
    SUBCASE("typed versions: the offered type's name and version") {
        const auto r = kshake::negotiate_first<meter_v2, meter_v1>(t, meter_v2_request{1, 2},
                                                                   meter_v1_request{1});
        REQUIRE(r.ok());
        REQUIRE(initiator.offers.size() == 1);
        CHECK(same_text(initiator.offers[0].protocol_name, "trace.meter.v2"));
        CHECK(initiator.offers[0].version == 3);
        CHECK(initiator.offers[0].protocol_id == meter_v1::id);
        REQUIRE(sink_trace.requests.size() == 1);
        CHECK(sink_trace.requests[0].route == 2);
        CHECK(same_text(sink_trace.requests[0].protocol_name, "trace.meter.v2"));
    }
    SUBCASE("raw: version_v, and R1 is its one rule") {
        REQUIRE(kshake::negotiate<handle>(t, kshake::raw_arguments{nullptr, nullptr}).ok());
        REQUIRE(initiator.offers.size() == 1);
        CHECK(initiator.offers[0].version == 2);
        CHECK(same_text(initiator.offers[0].protocol_name, "trace.handle"));
        REQUIRE(sink_trace.requests.size() == 1);
        CHECK(sink_trace.requests[0].route == 3);
        CHECK(sink_trace.requests[0].version == 2);

        kshake::mock::fault f{};
        f.what = kshake::mock::fault::kind::answer_other_protocol;
        f.protocol = stranger::id;
        pins.sink.inject(f);
        const auto broken = kshake::negotiate<handle>(t, kshake::raw_arguments{nullptr, nullptr});
        CHECK(broken.status() == st::device_protocol_error);
        REQUIRE(initiator.offers.size() == 2);
        CHECK(initiator.offers[1].broken_rule == kshake::answer_rule::protocol_id);
        CHECK(initiator.offers[1].transport_status == st::success);
    }
}

TEST_CASE("every rule of wire.md 2.5 (R0-R5) reported by name, negotiate and negotiate_first") {
    for (const rule_case& rc : rule_cases) {
        const std::string code{rc.code};
        CAPTURE(code);
        sink_state state{};
        unsigned char elsewhere[32]{};
        auto peer = [&](const kshake::handshake& in, kshake::handshake& out) noexcept {
            return break_rule(rc.rule, state, in, out, elsewhere);
        };
        recorder initiator;
        const std::string name = kshake::rule_name(rc.rule);
        CHECK(name.starts_with(std::string{"rule "} + rc.code + " of wire.md 2.5: "));

        const auto one = kshake::negotiate<ping>(kshake::traced(peer, initiator), ok_request);
        CHECK(one.status() == st::device_protocol_error);
        const auto first = kshake::negotiate_first<ping, kshake::at_version<ping, 2>>(
            kshake::traced(peer, initiator), ok_request, ok_request);
        CHECK(first.status() == st::device_protocol_error);
        CHECK(first.status_of(0) == st::device_protocol_error);
        CHECK(first.status_of(1) == st::cancelled);

        REQUIRE(initiator.offers.size() == 2); // one each: the fallback was never offered
        for (const kshake::offer_event& e : initiator.offers) {
            CHECK(e.index == 0);
            CHECK(e.broken_rule == rc.rule);
            CHECK(e.status == st::device_protocol_error);
            CHECK(e.transport_status ==
                  (rc.rule == kshake::answer_rule::status_code ? st::pending : st::success));
            const std::string line = text(to_string(e));
            CHECK(contains(line, name));
            CHECK(contains(line, "STATUS_DEVICE_PROTOCOL_ERROR"));
            CHECK(contains(line, std::string{"the peer answered "} +
                                     kshake::to_string(e.transport_status).c_str()));
        }
        CHECK(state.calls == 2); // the responder served each offer: the answer broke the rule
    }
}

TEST_CASE("R1: a success answer that never wrote Out") {
    recorder initiator;
    auto silent = [](const kshake::handshake&, kshake::handshake&) noexcept -> ntstatus {
        return st::success;
    };
    const auto r = kshake::negotiate<ping>(kshake::traced(silent, initiator), ok_request);
    CHECK(r.status() == st::device_protocol_error);
    REQUIRE(initiator.offers.size() == 1);
    CHECK(initiator.offers[0].broken_rule == kshake::answer_rule::protocol_id);
}

TEST_CASE("R0 for any success code other than STATUS_SUCCESS, R1-R5 only after STATUS_SUCCESS") {
    for (const ntstatus code :
         {st::pending, static_cast<ntstatus>(0x40000000), static_cast<ntstatus>(0x00000102)}) {
        CAPTURE(code);
        recorder initiator;
        auto peer = [code](const kshake::handshake&, kshake::handshake&) noexcept { return code; };
        const auto r = kshake::negotiate<ping>(kshake::traced(peer, initiator), ok_request);
        CHECK(r.status() == st::device_protocol_error);
        REQUIRE(initiator.offers.size() == 1);
        CHECK(initiator.offers[0].broken_rule == kshake::answer_rule::status_code);
        CHECK(initiator.offers[0].transport_status == code);
    }
}

TEST_CASE("the mock's faults break the rules they name, as the trace reports") {
    struct fault_case {
        kshake::mock::fault::kind what;
        kshake::answer_rule rule;
    };
    const fault_case cases[] = {
        {kshake::mock::fault::kind::answer_other_protocol, kshake::answer_rule::protocol_id},
        {kshake::mock::fault::kind::redirect_response, kshake::answer_rule::argument1},
        {kshake::mock::fault::kind::corrupt_response_size, kshake::answer_rule::response_size},
        {kshake::mock::fault::kind::corrupt_response_version,
         kshake::answer_rule::response_version},
    };
    for (const fault_case& fc : cases) {
        CAPTURE(static_cast<int>(fc.what));
        traced_pins<linear_sink> pins;
        kshake::mock::fault f{};
        f.what = fc.what;
        f.protocol = stranger::id;
        f.value = 99;
        pins.sink.inject(f);
        recorder initiator;
        const auto r = kshake::negotiate_first<ping, kshake::at_version<ping, 2>>(
            kshake::traced(kshake::mock::connected_pin(pins.source), initiator), ok_request,
            ok_request);
        CHECK(r.status_of(0) == st::device_protocol_error);
        CHECK(r.status_of(1) == st::cancelled);
        REQUIRE(initiator.offers.size() == 1);
        CHECK(initiator.offers[0].broken_rule == fc.rule);
        // The responder served the request; the fault was applied after it.
        REQUIRE(sink_trace.requests.size() == 1);
        CHECK(sink_trace.requests[0].status == st::success);
        CHECK(sink_trace.requests[0].refused_by == kshake::request_check::none);
    }
}

TEST_CASE("to_string(offer_event): the offer, the protocol, the verdict, the rule") {
    traced_pins<linear_sink> pins;
    recorder initiator;
    const auto r = kshake::negotiate_first<kshake::at_version<ping, 4>, ping>(
        kshake::traced(kshake::mock::connected_pin(pins.source), initiator), ok_request,
        ok_request);
    REQUIRE(r.ok());
    REQUIRE(initiator.offers.size() == 2);
    const std::string refused = text(to_string(initiator.offers[0]));
    const std::string agreed = text(to_string(initiator.offers[1]));
    CHECK(refused == "kshake offer 0 " + text_of_guid(ping::id) +
                         " \"trace.ping\" v4: STATUS_REVISION_MISMATCH (refused)");
    CHECK(agreed == "kshake offer 1 " + text_of_guid(ping::id) +
                        " \"trace.ping\" v3: STATUS_SUCCESS (agreed)");
    CHECK(to_string(initiator.offers[1]).size() == agreed.size());
    CHECK(std::string_view{to_string(initiator.offers[1]).c_str()} == agreed);

    kshake::offer_event broken = initiator.offers[1];
    broken.status = st::device_protocol_error;
    broken.broken_rule = kshake::answer_rule::response_size;
    CHECK(text(to_string(broken)) ==
          "kshake offer 1 " + text_of_guid(ping::id) +
              " \"trace.ping\" v3: STATUS_DEVICE_PROTOCOL_ERROR (the peer answered "
              "STATUS_SUCCESS but broke rule R4 of wire.md 2.5: the response size is not "
              "envelope_size<response>)");
}

TEST_CASE("check_name and rule_name: every value named, with its number") {
    const check checks[] = {check::in_out_null,
                            check::no_context,
                            check::unknown_protocol,
                            check::envelope_null,
                            check::version,
                            check::request_size,
                            check::response_capacity,
                            check::response_overlaps_out,
                            check::handler};
    int number = 1;
    for (const check c : checks) {
        CAPTURE(number);
        CHECK(static_cast<int>(c) == number);
        const std::string name = kshake::check_name(c);
        CHECK(name.starts_with("check " + std::to_string(number) + " of wire.md 2.3: "));
        ++number;
    }
    CHECK(std::string_view{kshake::check_name(check::none)} == "none: served");
    int rule = 0;
    for (const rule_case& rc : rule_cases) {
        const std::string code{rc.code};
        CAPTURE(code);
        CHECK(static_cast<int>(rc.rule) == rule + 1);
        CHECK(std::string_view{kshake::rule_name(rc.rule)}.starts_with(
            "rule R" + std::to_string(rule) + " of wire.md 2.5: "));
        ++rule;
    }
    CHECK(std::string_view{kshake::rule_name(kshake::answer_rule::none)} == "none");
}

// ================================================================================================
// Without a hook, nothing changes

namespace {
struct outcome {
    bool ok;
    ntstatus status;
    std::size_t index;
    std::uint32_t version;
    std::vector<ntstatus> statuses;
    std::uint32_t doubled;
    std::vector<kshake::mock::log_entry> log;
};

template <class... Ps, class Transport, class... Requests>
outcome run_first(Transport&& transport, kshake::mock::pin& source, const Requests&... requests) {
    source.clear_log();
    const auto r = kshake::negotiate_first<Ps...>(transport, requests...);
    outcome o{r.ok(), r.status(), r.index(), r.version(), {}, 0, source.log()};
    for (std::size_t i = 0; i < sizeof...(Ps); ++i) {
        o.statuses.push_back(r.status_of(i));
    }
    // Every offer here answers a probe_response: read the accepted one's.
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        static_cast<void>(
            ((r.index() == Is && ((o.doubled = r.template get<Is>().doubled), true)) || ...));
    }(std::index_sequence_for<Ps...>{});
    return o;
}

void check_same(const outcome& plain, const outcome& traced) {
    CHECK(plain.ok == traced.ok);
    CHECK(plain.status == traced.status);
    CHECK(plain.index == traced.index);
    CHECK(plain.version == traced.version);
    CHECK(plain.statuses == traced.statuses);
    CHECK(plain.doubled == traced.doubled);
    REQUIRE(plain.log.size() == traced.log.size());
    for (std::size_t i = 0; i < plain.log.size(); ++i) {
        CHECK(plain.log[i].via == traced.log[i].via);
        CHECK(plain.log[i].offered == traced.log[i].offered);
        CHECK(plain.log[i].status == traced.log[i].status);
        CHECK(plain.log[i].out.protocol_id == traced.log[i].out.protocol_id);
        CHECK((plain.log[i].out.argument2 == nullptr) == (traced.log[i].out.argument2 == nullptr));
    }
}
} // namespace

TEST_CASE("a negotiation without a hook gives the same results as a traced one") {
    using p4 = kshake::at_version<ping, 4>;
    using p2 = kshake::at_version<ping, 2>;
    // The same pins for both runs; the sink untraced (callback) for one, traced for the other.
    sink_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};
    connect(source, sink);
    const auto run_both = [&](auto&& negotiation) {
        recorder initiator;
        sink.register_handshake_callback(&linear_sink::callback<kshake::mock::pin*>);
        outcome plain = negotiation(kshake::mock::connected_pin(source));
        sink.register_handshake_callback(
            &linear_sink::traced_callback<sink_trace, kshake::mock::pin*>);
        sink_trace.clear();
        const outcome traced =
            negotiation(kshake::traced(kshake::mock::connected_pin(source), initiator));
        check_same(plain, traced);
        CHECK(initiator.offers.size() == traced.log.size());
        CHECK(sink_trace.requests.size() == traced.log.size());
        return plain;
    };
    SUBCASE("accepted after a refusal") {
        const outcome o = run_both([&](auto&& t) {
            return run_first<p4, ping, p2>(t, source, ok_request, ok_request, ok_request);
        });
        CHECK(o.index == 1);
        CHECK(o.doubled == 42);
        CHECK(o.statuses ==
              std::vector<ntstatus>{st::revision_mismatch, st::success, st::cancelled});
    }
    SUBCASE("every offer refused") {
        const outcome o = run_both(
            [&](auto&& t) { return run_first<stranger, p4>(t, source, ok_request, ok_request); });
        CHECK_FALSE(o.ok);
        CHECK(o.statuses ==
              std::vector<ntstatus>{st::invalid_device_request, st::revision_mismatch});
    }
    SUBCASE("a broken answer") {
        const outcome o = run_both([&](auto&& t) {
            kshake::mock::fault f{};
            f.what = kshake::mock::fault::kind::corrupt_response_size;
            f.value = 8;
            sink.inject(f);
            return run_first<ping, p2>(t, source, ok_request, ok_request);
        });
        CHECK(o.status == st::device_protocol_error);
        CHECK(o.statuses == std::vector<ntstatus>{st::device_protocol_error, st::cancelled});
        CHECK(o.log.size() == 1);
    }
    SUBCASE("negotiate") {
        sink.register_handshake_callback(&linear_sink::callback<kshake::mock::pin*>);
        const auto plain = kshake::negotiate<ping>(kshake::mock::connected_pin(source), ok_request);
        recorder initiator;
        const auto traced = kshake::negotiate<ping>(
            kshake::traced(kshake::mock::connected_pin(source), initiator), ok_request);
        REQUIRE(plain.ok());
        REQUIRE(traced.ok());
        CHECK(plain->doubled == traced->doubled);
        CHECK(plain.version() == traced.version());
        CHECK(initiator.offers.size() == 1);
    }
}
