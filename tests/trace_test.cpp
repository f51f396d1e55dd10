// Observability (issue 15): first_result::status_of for every offer, and the trace hook on both
// sides (kshake/trace.hpp): each offer an initiator makes (offer_event, the rule of docs/wire.md
// §2.5 a broken answer broke) and each request a responder answers (request_event, the check of
// §2.3 that refused it), over kshake::mock pins, through responder::serve with hand-built buffers,
// for a linear and a hashed responder; and that a negotiation without a hook is unchanged.
// The hooks here are this file's own (recorder), so that the tests depend on nothing but the core.
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
#include <utility>
#include <vector>

using namespace kshake::literals;
using kshake::ntstatus;
namespace st = kshake::status;

namespace {

// ---- protocols ----

// The handler returns the status the request carries, so a request chooses its own refusal.
struct probe_request {
    std::uint32_t status;
    std::uint32_t value;
};
struct probe_response {
    std::uint32_t doubled;
    std::uint32_t version;
};
struct ping {
    static constexpr kshake::guid id = "7A1C0001-5E2B-4F3D-8C10-00000000B001"_guid;
    static constexpr const char* name = "trace.ping";
    using request = probe_request;
    using response = probe_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

// Typed versions: one id, version 1 with small structs, versions 2..3 with grown ones.
struct meter_v1_request {
    std::uint32_t value;
};
struct meter_v1_response {
    std::uint32_t value;
};
struct meter_v2_request {
    std::uint32_t value;
    std::uint32_t extra;
};
struct meter_v2_response {
    std::uint32_t value;
    std::uint32_t extra;
    std::uint32_t version;
    std::uint32_t reserved;
};
struct meter_v1 {
    static constexpr kshake::guid id = "7A1C0002-5E2B-4F3D-8C10-00000000B002"_guid;
    static constexpr const char* name = "trace.meter.v1";
    using request = meter_v1_request;
    using response = meter_v1_response;
};
struct meter_v2 {
    static constexpr kshake::guid id = meter_v1::id;
    static constexpr const char* name = "trace.meter.v2";
    using request = meter_v2_request;
    using response = meter_v2_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

// A raw-codec protocol: no envelope, the version is version_v.
struct handle {
    static constexpr kshake::guid id = "7A1C0003-5E2B-4F3D-8C10-00000000B003"_guid;
    static constexpr const char* name = "trace.handle";
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
    static constexpr std::uint32_t version = 2;
};

// Served by nobody.
struct stranger {
    static constexpr kshake::guid id = "7A1C0004-5E2B-4F3D-8C10-00000000B004"_guid;
    static constexpr const char* name = "trace.stranger";
    using request = probe_request;
    using response = probe_response;
};

// Unnamed protocols that make a responder hashed (more than 4 distinct ids).
template <std::uint8_t N>
struct filler {
    static constexpr kshake::guid id{
        0x7A1C0100U, 0x5E2B, 0x4F3D, {0x8C, 0x10, 0x00, 0x00, 0x00, 0x00, 0xB1, N}};
    using request = probe_request;
    using response = probe_response;
};

struct sink_state {
    std::uint32_t calls;
    std::uint32_t last_version;
};

ntstatus serve_probe(sink_state& s, const probe_request& rq, probe_response& rs,
                     std::uint32_t version) noexcept {
    ++s.calls;
    s.last_version = version;
    rs.doubled = rq.value * 2U;
    rs.version = version;
    return static_cast<ntstatus>(rq.status);
}
ntstatus serve_meter_v1(sink_state& s, const meter_v1_request& rq, meter_v1_response& rs) noexcept {
    ++s.calls;
    s.last_version = 1;
    rs.value = rq.value + 1U;
    return st::success;
}
ntstatus serve_meter_v2(sink_state& s, const meter_v2_request& rq, meter_v2_response& rs,
                        std::uint32_t version) noexcept {
    ++s.calls;
    s.last_version = version;
    rs.value = rq.value + 2U;
    rs.extra = rq.extra;
    rs.version = version;
    return st::success;
}
ntstatus serve_handle(sink_state& s, const kshake::raw_arguments& rq,
                      kshake::raw_arguments& rs) noexcept {
    ++s.calls;
    rs = {&s, rq.argument1};
    return st::success;
}

// Routes 0..3 are the same in both responders, so their events can be compared one for one.
using linear_sink =
    kshake::responder<sink_state, kshake::route<ping, serve_probe>,
                      kshake::route<meter_v1, serve_meter_v1>,
                      kshake::route<meter_v2, serve_meter_v2>, kshake::route<handle, serve_handle>>;
using hashed_sink =
    kshake::responder<sink_state, kshake::route<ping, serve_probe>,
                      kshake::route<meter_v1, serve_meter_v1>,
                      kshake::route<meter_v2, serve_meter_v2>, kshake::route<handle, serve_handle>,
                      kshake::route<filler<1>, serve_probe>, kshake::route<filler<2>, serve_probe>,
                      kshake::route<filler<3>, serve_probe>, kshake::route<filler<4>, serve_probe>>;

// ---- the recording hook ----

struct recorder {
    std::vector<kshake::offer_event> offers;
    std::vector<kshake::request_event> requests;

    void operator()(const kshake::offer_event& e) noexcept { offers.push_back(e); }
    void operator()(const kshake::request_event& e) noexcept { requests.push_back(e); }
    void clear() noexcept {
        offers.clear();
        requests.clear();
    }
};
static_assert(kshake::trace_hook<recorder>);

// A hook whose call operators may throw is not a trace hook.
struct throwing_hook {
    void operator()(const kshake::offer_event&) {}
    void operator()(const kshake::request_event&) {}
};
static_assert(!kshake::trace_hook<throwing_hook>);

// The responder side's hook for traced_callback: an object of static storage duration.
recorder sink_trace; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

// ---- text ----

std::string text(const kshake::trace_string& s) { return {s.data(), s.size()}; }
std::string text_of_guid(const kshake::guid& g) { return to_string(g).c_str(); }
bool contains(std::string_view haystack, std::string_view needle) noexcept {
    return haystack.find(needle) != std::string_view::npos;
}
bool same_text(const char* a, const char* b) noexcept { return std::string_view{a} == b; }

// ---- bytes as a C peer handles them ----

void store32(void* at, std::uint32_t v) noexcept { std::memcpy(at, &v, sizeof v); }
std::uint32_t load32(const void* at) noexcept {
    std::uint32_t v = 0;
    std::memcpy(&v, at, sizeof v);
    return v;
}

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

// A source pin connected to a sink pin whose callback is R::traced_callback<sink_trace, pin*>.
template <class R>
struct traced_pins {
    sink_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};

    traced_pins() {
        connect(source, sink);
        sink.register_handshake_callback(
            &R::template traced_callback<sink_trace, kshake::mock::pin*>);
        sink_trace.clear();
    }
};

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
