// The responder's trace (issue 15, kshake/trace.hpp): each request a responder answers
// (request_event, the check of docs/wire.md §2.3 that refused it), through responder::serve with a
// hook and hand-built buffers and through traced_callback over kshake::mock pins, for a linear and
// a hashed responder; and that serve with a hook answers exactly as serve without one.
// The hooks here are the tests' own (recorder), so that the tests depend on nothing but the core.
#include "trace_test.hpp"

#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

using namespace trace_test;

namespace {

// How a hand-built request is shaped.
enum class shape {
    normal,
    null_in,
    null_out,
    null_argument1,
    null_argument2,
    response_on_out, // the response envelope is Out itself (check 8)
};

// A request with its two envelopes and Out, for one call: request envelope {size, version,
// status, value} (a ping body; other protocols read the first bytes of it), response envelope
// {capacity, 0, ...}.
class wire {
  public:
    wire(const kshake::guid& id, std::uint32_t request_size, std::uint32_t version,
         std::uint32_t capacity, ntstatus handler_status, shape how) noexcept
        : shape_{how} {
        store32(request_, request_size);
        store32(request_ + 4, version);
        store32(request_ + 8, static_cast<std::uint32_t>(handler_status));
        store32(request_ + 12, 21);
        store32(response_, capacity);
        in_ = {id, request_, response_};
        if (how == shape::null_argument1) {
            in_.argument1 = nullptr;
        } else if (how == shape::null_argument2) {
            in_.argument2 = nullptr;
        } else if (how == shape::response_on_out) {
            store32(&out_, 64); // Out's first bytes read as a capacity large enough
            in_.argument2 = &out_;
        }
    }
    wire(const wire&) = delete;
    wire& operator=(const wire&) = delete;
    ~wire() = default;

    [[nodiscard]] const kshake::handshake* in() const noexcept {
        return shape_ == shape::null_in ? nullptr : &in_;
    }
    [[nodiscard]] kshake::handshake* out() noexcept {
        return shape_ == shape::null_out ? nullptr : &out_;
    }
    [[nodiscard]] const kshake::handshake& out_value() const noexcept { return out_; }
    [[nodiscard]] const unsigned char* response() const noexcept { return response_; }
    [[nodiscard]] std::vector<unsigned char> request_bytes() const {
        return {request_, request_ + sizeof request_};
    }
    [[nodiscard]] std::vector<unsigned char> response_bytes() const {
        return {response_, response_ + sizeof response_};
    }

  private:
    alignas(8) unsigned char request_[32]{};
    alignas(8) unsigned char response_[32]{};
    kshake::handshake in_{};
    kshake::handshake out_{};
    shape shape_;
};

// One request of the table below and what its request_event must say.
struct request_case {
    const char* what;
    kshake::guid id;
    std::uint32_t request_size;
    std::uint32_t version;
    std::uint32_t capacity;
    ntstatus handler_asks; // the status the probe handler is asked to return
    shape how;
    // expected
    kshake::guid event_id;
    std::size_t route;
    const char* name;
    std::uint32_t event_version;
    kshake::request_check check;
    ntstatus handler_status;
    ntstatus status;
};

constexpr kshake::guid nil{};
// An unknown id refused on its first 8 bytes: those bytes, the rest zero (request_event).
constexpr kshake::guid first_half_of(const kshake::guid& g) noexcept {
    return {g.data1, g.data2, g.data3, {}};
}
constexpr std::size_t none = kshake::no_route;
using check = kshake::request_check;

// Every check of docs/wire.md §2.3 that a responder reached through serve or a pin can report
// (check 2 needs a pin: it has its own test), served requests, typed versions and a raw route.
const request_case request_cases[] = {
    {"served: ping v3", ping::id, 16, 3, 16, st::success, shape::normal, ping::id, 0, "trace.ping",
     3, check::none, st::success, st::success},
    {"served: ping v2 (the lowest)", ping::id, 16, 2, 16, st::success, shape::normal, ping::id, 0,
     "trace.ping", 2, check::none, st::success, st::success},
    {"check 1: null In", ping::id, 16, 3, 16, st::success, shape::null_in, nil, none, "", 0,
     check::in_out_null, st::success, st::invalid_parameter},
    {"check 1: null Out", ping::id, 16, 3, 16, st::success, shape::null_out, nil, none, "", 0,
     check::in_out_null, st::success, st::invalid_parameter},
    {"check 3: an id no route serves", stranger::id, 16, 1, 16, st::success, shape::normal,
     first_half_of(stranger::id), none, "", 0, check::unknown_protocol, st::success,
     st::invalid_device_request},
    {"check 4: null Argument1, one route", ping::id, 16, 3, 16, st::success, shape::null_argument1,
     ping::id, 0, "trace.ping", 0, check::envelope_null, st::success, st::invalid_parameter},
    {"check 4: null Argument2, one route", ping::id, 16, 3, 16, st::success, shape::null_argument2,
     ping::id, 0, "trace.ping", 0, check::envelope_null, st::success, st::invalid_parameter},
    // Routes that share an id: the version, not yet read, would pick the route.
    {"check 4: null Argument2, typed versions", meter_v1::id, 12, 1, 12, st::success,
     shape::null_argument2, meter_v1::id, none, "", 0, check::envelope_null, st::success,
     st::invalid_parameter},
    {"check 5: ping v1, below the range", ping::id, 16, 1, 16, st::success, shape::normal, ping::id,
     0, "trace.ping", 1, check::version, st::success, st::revision_mismatch},
    {"check 5: ping v4, above the range", ping::id, 16, 4, 16, st::success, shape::normal, ping::id,
     0, "trace.ping", 4, check::version, st::success, st::revision_mismatch},
    {"check 5: typed versions, a version in no route's range", meter_v1::id, 16, 4, 24, st::success,
     shape::normal, meter_v1::id, none, "", 4, check::version, st::success, st::revision_mismatch},
    {"check 6: ping request envelope too short", ping::id, 15, 3, 16, st::success, shape::normal,
     ping::id, 0, "trace.ping", 3, check::request_size, st::success, st::invalid_buffer_size},
    {"check 6: typed versions, the v2 route's request too short", meter_v1::id, 15, 2, 24,
     st::success, shape::normal, meter_v1::id, 2, "trace.meter.v2", 2, check::request_size,
     st::success, st::invalid_buffer_size},
    {"check 7: ping response envelope too small", ping::id, 16, 3, 15, st::success, shape::normal,
     ping::id, 0, "trace.ping", 3, check::response_capacity, st::success, st::buffer_too_small},
    {"check 7: typed versions, the v1 route's response too small", meter_v1::id, 12, 1, 11,
     st::success, shape::normal, meter_v1::id, 1, "trace.meter.v1", 1, check::response_capacity,
     st::success, st::buffer_too_small},
    {"check 8: the response envelope is Out", ping::id, 16, 3, 16, st::success,
     shape::response_on_out, ping::id, 0, "trace.ping", 3, check::response_overlaps_out,
     st::success, st::invalid_parameter},
    {"check 9: the handler refuses", ping::id, 16, 3, 16, st::not_supported, shape::normal,
     ping::id, 0, "trace.ping", 3, check::handler, st::not_supported, st::not_supported},
    {"check 9: the handler returns a warning", ping::id, 16, 2, 16, st::buffer_overflow,
     shape::normal, ping::id, 0, "trace.ping", 2, check::handler, st::buffer_overflow,
     st::buffer_overflow},
    {"served: the handler returns an informational success", ping::id, 16, 3, 16, st::pending,
     shape::normal, ping::id, 0, "trace.ping", 3, check::none, st::pending, st::success},
    {"served: typed versions, v1 picks route 1", meter_v1::id, 12, 1, 12, st::success,
     shape::normal, meter_v1::id, 1, "trace.meter.v1", 1, check::none, st::success, st::success},
    {"served: typed versions, v3 picks route 2", meter_v1::id, 16, 3, 24, st::success,
     shape::normal, meter_v1::id, 2, "trace.meter.v2", 3, check::none, st::success, st::success},
    {"served: a raw route", handle::id, 0, 0, 0, st::success, shape::normal, handle::id, 3,
     "trace.handle", 2, check::none, st::success, st::success},
};

// The one request_event a case produced, checked field by field.
// How many bytes of an unknown id R reads: hashed_sink's fillers share their bytes 0-7, so its
// table keys on all 16 bytes; linear_sink's ids tell apart by bytes 0-7.
template <class R>
constexpr unsigned unknown_id_bytes = std::is_same_v<R, hashed_sink> ? 16U : 8U;

template <class R>
void check_event(const request_case& c, const kshake::request_event& e) {
    const std::string what{c.what};
    CAPTURE(what);
    const bool unknown_read_whole =
        c.check == check::unknown_protocol && unknown_id_bytes<R> == 16U;
    CHECK(e.protocol_id == (unknown_read_whole ? c.id : c.event_id));
    // Bytes 8-15 of an id whose bytes 0-7 are no route's are not read (wire.md 2.3, check 3).
    CHECK(e.protocol_id_bytes == (c.event_id == nil                    ? 0U
                                  : c.check == check::unknown_protocol ? unknown_id_bytes<R>
                                                                       : 16U));
    CHECK(e.route == c.route);
    CHECK(std::string_view{e.protocol_name} == c.name);
    CHECK(e.version == c.event_version);
    CHECK(e.refused_by == c.check);
    CHECK(e.handler_status == c.handler_status);
    CHECK(e.status == c.status);
    // The check's name, and the event's text, say which check refused it.
    const std::string line = text(to_string(e));
    CHECK(contains(line, kshake::to_string(c.status).c_str()));
    if (c.check != check::none) {
        const std::string name = kshake::check_name(c.check);
        const std::string number = "check " + std::to_string(static_cast<int>(c.check)) + " ";
        CHECK(name.starts_with(number));
        CHECK(contains(line, name));
    } else {
        CHECK_FALSE(contains(line, "check "));
    }
    // Before the verdict: "kshake request {id} v3 route 0 "name"", the bytes not read as '?'.
    const std::string head = line.substr(0, line.find(": "));
    std::string id_text = text_of_guid(unknown_read_whole ? c.id : c.event_id);
    if (e.protocol_id_bytes == 8U) {
        id_text.replace(20, 17, std::string(4, '?') + '-' + std::string(12, '?'));
    }
    CHECK(head.starts_with("kshake request " + id_text));
    if (c.route != none) {
        CHECK(contains(head, " route " + std::to_string(c.route) + " \"" + c.name + "\""));
    } else {
        CHECK_FALSE(contains(head, " route "));
    }
}

// The bytes of In.ProtocolId that both events read agree (a table keyed on all 16 bytes reads
// bytes 8-15 of an id that one keyed on bytes 0-7 refuses without them).
bool same_id_read(const kshake::request_event& a, const kshake::request_event& b) noexcept {
    const std::size_t n = std::min(a.protocol_id_bytes, b.protocol_id_bytes);
    return std::memcmp(&a.protocol_id, &b.protocol_id, n) == 0;
}

bool same_event(const kshake::request_event& a, const kshake::request_event& b) noexcept {
    return same_id_read(a, b) && a.route == b.route &&
           same_text(a.protocol_name, b.protocol_name) && a.version == b.version &&
           a.refused_by == b.refused_by && a.handler_status == b.handler_status &&
           a.status == b.status;
}

// Every case through serve(context, in, out, hook): one event each, as the table says.
template <class R>
std::vector<kshake::request_event> serve_every_case() {
    recorder hook;
    for (const request_case& c : request_cases) {
        const std::string what{c.what};
        CAPTURE(what);
        sink_state state{};
        wire w{c.id, c.request_size, c.version, c.capacity, c.handler_asks, c.how};
        const std::size_t before = hook.requests.size();
        const ntstatus s = R::serve(state, w.in(), w.out(), hook);
        CHECK(s == c.status);
        REQUIRE(hook.requests.size() == before + 1);
        check_event<R>(c, hook.requests.back());
        // The handler ran exactly when the request passed checks 1-8.
        const bool reached_handler = c.check == check::none || c.check == check::handler;
        CHECK(state.calls == (reached_handler ? 1U : 0U));
    }
    CHECK(hook.offers.empty());
    return hook.requests;
}

// Every case through a mock pin: KsPinHandshake on the source hands it to the sink's traced
// callback (a null In or Out cannot cross the mock's KsPinHandshake, so those call the callback
// with the sink pin as ks.sys would).
template <class R>
std::vector<kshake::request_event> deliver_every_case_over_pins() {
    traced_pins<R> pins;
    for (const request_case& c : request_cases) {
        const std::string what{c.what};
        CAPTURE(what);
        wire w{c.id, c.request_size, c.version, c.capacity, c.handler_asks, c.how};
        const std::size_t before = sink_trace.requests.size();
        ntstatus s = st::unsuccessful;
        if (w.in() == nullptr || w.out() == nullptr) {
            kshake::handshake in_copy{};
            if (w.in() != nullptr) {
                in_copy = *w.in();
            }
            s = R::template traced_callback<sink_trace, kshake::mock::pin*>(
                &pins.sink, w.in() == nullptr ? nullptr : &in_copy, w.out());
        } else {
            s = pins.source.handshake(*w.in(), *w.out());
        }
        CHECK(s == c.status);
        REQUIRE(sink_trace.requests.size() == before + 1);
        check_event<R>(c, sink_trace.requests.back());
    }
    CHECK(sink_trace.offers.empty());
    return sink_trace.requests;
}

} // namespace

// ================================================================================================
// to_string(request_event)

TEST_CASE("to_string(request_event): the request, the route, the verdict, the check") {
    recorder hook;
    sink_state state{};
    wire w{ping::id, 16, 1, 16, st::success, shape::normal};
    CHECK(linear_sink::serve(state, w.in(), w.out(), hook) == st::revision_mismatch);
    REQUIRE(hook.requests.size() == 1);
    CHECK(text(to_string(hook.requests[0])) ==
          "kshake request " + text_of_guid(ping::id) +
              " v1 route 0 \"trace.ping\": STATUS_REVISION_MISMATCH (check 5 of wire.md 2.3: the "
              "request's version is in no route's range)");

    wire handler_refuses{ping::id, 16, 3, 16, st::not_supported, shape::normal};
    CHECK(linear_sink::serve(state, handler_refuses.in(), handler_refuses.out(), hook) ==
          st::not_supported);
    wire informational{ping::id, 16, 3, 16, st::pending, shape::normal};
    CHECK(linear_sink::serve(state, informational.in(), informational.out(), hook) == st::success);
    REQUIRE(hook.requests.size() == 3);
    CHECK(contains(text(to_string(hook.requests[1])),
                   "STATUS_NOT_SUPPORTED (check 9 of wire.md 2.3: the handler refused)"));
    CHECK(contains(text(to_string(hook.requests[2])),
                   ": STATUS_SUCCESS (the handler returned STATUS_PENDING)"));
}

// ================================================================================================
// The responder's trace

TEST_CASE("serve(context, in, out, hook): every check of wire.md 2.3, linear and hashed alike") {
    const std::vector<kshake::request_event> linear = serve_every_case<linear_sink>();
    const std::vector<kshake::request_event> hashed = serve_every_case<hashed_sink>();
    REQUIRE(linear.size() == std::size(request_cases));
    REQUIRE(hashed.size() == linear.size());
    for (std::size_t i = 0; i < linear.size(); ++i) {
        const std::string what{request_cases[i].what};
        CAPTURE(what);
        CHECK(same_event(linear[i], hashed[i]));
    }
}

TEST_CASE("traced_callback over mock pins: every check of wire.md 2.3, linear and hashed alike") {
    const std::vector<kshake::request_event> served = serve_every_case<linear_sink>();
    const std::vector<kshake::request_event> linear = deliver_every_case_over_pins<linear_sink>();
    const std::vector<kshake::request_event> hashed = deliver_every_case_over_pins<hashed_sink>();
    REQUIRE(linear.size() == std::size(request_cases));
    REQUIRE(hashed.size() == linear.size());
    for (std::size_t i = 0; i < linear.size(); ++i) {
        const std::string what{request_cases[i].what};
        CAPTURE(what);
        CHECK(same_event(linear[i], hashed[i]));
        CHECK(same_event(linear[i], served[i]));
        CHECK(linear[i].protocol_id_bytes == served[i].protocol_id_bytes);
        if (request_cases[i].check == check::unknown_protocol) {
            // The fillers share their bytes 0-7, so hashed_sink's table keys on all 16 bytes.
            CHECK(hashed[i].protocol_id_bytes == 16U);
            CHECK(hashed[i].protocol_id == stranger::id);
        } else {
            CHECK(hashed[i].protocol_id_bytes == linear[i].protocol_id_bytes);
        }
    }
}

TEST_CASE("check 2 of wire.md 2.3 through traced_callback: a null pin, a pin without context") {
    traced_pins<linear_sink> pins;
    wire w{ping::id, 16, 3, 16, st::success, shape::normal};
    kshake::handshake in = *w.in();
    SUBCASE("a pin without context") {
        pins.sink.set_context(nullptr);
        CHECK(pins.source.handshake(in, *w.out()) == st::invalid_device_state);
    }
    SUBCASE("a null pin") {
        CHECK(linear_sink::traced_callback<sink_trace, kshake::mock::pin*>(nullptr, &in, w.out()) ==
              st::invalid_device_state);
    }
    SUBCASE("a null pin and a null In: check 1 comes first") {
        CHECK(linear_sink::traced_callback<sink_trace, kshake::mock::pin*>(
                  nullptr, static_cast<kshake::handshake*>(nullptr), w.out()) ==
              st::invalid_parameter);
        REQUIRE(sink_trace.requests.size() == 1);
        CHECK(sink_trace.requests[0].refused_by == check::in_out_null);
        sink_trace.clear();
        CHECK(linear_sink::traced_callback<sink_trace, kshake::mock::pin*>(nullptr, &in, w.out()) ==
              st::invalid_device_state);
    }
    SUBCASE("hashed") {
        pins.sink.set_context(nullptr);
        CHECK(hashed_sink::traced_callback<sink_trace, kshake::mock::pin*>(
                  &pins.sink, &in, w.out()) == st::invalid_device_state);
    }
    REQUIRE(sink_trace.requests.size() == 1);
    const kshake::request_event& e = sink_trace.requests[0];
    CHECK(e.refused_by == check::no_context);
    CHECK(e.status == st::invalid_device_state);
    CHECK(e.route == none);
    CHECK(e.version == 0);
    CHECK(e.protocol_id == nil); // In is not read before check 3 (wire.md 2.3, bytes read)
    CHECK(contains(text(to_string(e)), kshake::check_name(check::no_context)));
    CHECK(text(to_string(e))
              .starts_with("kshake request " + text_of_guid(nil) +
                           ": STATUS_INVALID_DEVICE_STATE (check 2 "));
    CHECK(pins.state.calls == 0U);
}

TEST_CASE("traced_callback: the handler sees the same request as through callback") {
    traced_pins<linear_sink> pins;
    const auto r = kshake::negotiate<meter_v2>(kshake::mock::connected_pin(pins.source),
                                               meter_v2_request{10, 7});
    REQUIRE(r.ok());
    CHECK(r->value == 12);
    CHECK(r->extra == 7);
    CHECK(r->version == 3);
    CHECK(pins.state.calls == 1);
    CHECK(pins.state.last_version == 3);
    REQUIRE(sink_trace.requests.size() == 1);
    CHECK(sink_trace.requests[0].route == 2);
}

TEST_CASE("serve with a hook answers and writes exactly what serve without one does") {
    for (const request_case& c : request_cases) {
        const std::string what{c.what};
        CAPTURE(what);
        sink_state plain_state{};
        sink_state traced_state{};
        wire plain{c.id, c.request_size, c.version, c.capacity, c.handler_asks, c.how};
        wire traced{c.id, c.request_size, c.version, c.capacity, c.handler_asks, c.how};
        recorder hook;
        const ntstatus a = linear_sink::serve(plain_state, plain.in(), plain.out());
        const ntstatus b = linear_sink::serve(traced_state, traced.in(), traced.out(), hook);
        CHECK(a == b);
        CHECK(hook.requests.size() == 1);
        CHECK(plain_state.calls == traced_state.calls);
        CHECK(plain.request_bytes() == traced.request_bytes());
        CHECK(plain.response_bytes() == traced.response_bytes());
        CHECK(plain.out_value().protocol_id == traced.out_value().protocol_id);
        CHECK((plain.out_value().argument1 == plain.response()) ==
              (traced.out_value().argument1 == traced.response()));
        CHECK((plain.out_value().argument2 == nullptr) ==
              (traced.out_value().argument2 == nullptr));
    }
}
