// The error contract, as one table: every documented failure, its exact status, and proof that
// no byte the caller owns changed. docs/error-contract.md prints the same rows; the last test
// here fails when the two disagree.
#include <kshake/initiator.hpp>
#include <kshake/mock.hpp>
#include <kshake/responder.hpp>

#include <doctest/doctest.h>

#include "text_of.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

using namespace kshake::literals;
using kshake::ntstatus;
namespace status = kshake::status;

namespace {

struct request_body {
    std::uint32_t value;
    std::uint32_t outcome; // how the handler ends: a handler_outcome
};
// What serve_frames returns: success, or after writing half its response a failure, or after
// writing all of it a warning (a refusal too), an informational status or STATUS_PENDING (both
// success codes, which deliver the response).
enum handler_outcome : std::uint32_t { succeeds, fails_half_written, warns, informs, pends };
constexpr ntstatus informational = static_cast<ntstatus>(0x40000000);
struct response_body {
    std::uint32_t doubled;
    std::uint32_t version;
};

struct frames {
    static constexpr kshake::guid id = "E77C0001-5EED-4B1D-9A2B-00000000C0DE"_guid;
    using request = request_body;
    using response = response_body;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};
struct other {
    static constexpr kshake::guid id = "E77C0002-5EED-4B1D-9A2B-00000000C0DE"_guid;
    using request = request_body;
    using response = response_body;
};
struct pointers {
    static constexpr kshake::guid id = "E77C0003-5EED-4B1D-9A2B-00000000C0DE"_guid;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
    using codec = kshake::raw_codec;
};

struct context {
    int calls;
};

ntstatus serve_frames(context& c, const request_body& request, response_body& response,
                      std::uint32_t version) noexcept {
    ++c.calls;
    response.doubled = request.value * 2;
    if (request.outcome == fails_half_written) {
        return status::insufficient_resources;
    }
    response.version = version;
    switch (request.outcome) {
    case warns:
        return status::buffer_overflow;
    case informs:
        return informational;
    case pends:
        return status::pending;
    default:
        return status::success;
    }
}
ntstatus serve_other(context& c, const request_body&, response_body&) noexcept {
    ++c.calls;
    return status::success;
}
ntstatus serve_pointers(context& c, const kshake::raw_arguments& request,
                        kshake::raw_arguments& response) noexcept {
    ++c.calls;
    response = {request.argument2, request.argument1};
    return request.argument1 == nullptr ? status::not_supported : status::success;
}

using sink =
    kshake::responder<context, kshake::route<frames, &serve_frames>,
                      kshake::route<other, &serve_other>, kshake::route<pointers, &serve_pointers>>;

constexpr std::uint32_t request_size = kshake::detail::envelope_size<request_body>;
constexpr std::uint32_t response_size = kshake::detail::envelope_size<response_body>;

// Everything the initiating driver owns in one exchange, in one object, so "no byte changed"
// is one comparison. `gap` and `spare` give room for envelopes placed around Out.
struct caller_memory {
    kshake::handshake in;
    unsigned char gap[32];
    kshake::handshake out;
    kshake::detail::envelope<request_body> request;
    kshake::detail::envelope<response_body> response;
    unsigned char spare[64];
};

// One exchange as the rows arrange it: what the responder is handed.
struct scene {
    caller_memory memory;
    kshake::handshake* in;
    kshake::handshake* out;
    bool null_pin; // callback is handed a null Pin
    void* pin_context;
    context served;
};

void baseline(scene& s) noexcept {
    std::memset(&s.memory, 0xA5, sizeof s.memory);
    s.memory.request = {request_size, 3, {21, 0}};
    s.memory.response = {response_size, 0, {}};
    s.memory.in = {frames::id, &s.memory.request, &s.memory.response};
    std::memset(&s.memory.out, 0x5A, sizeof s.memory.out);
    s.in = &s.memory.in;
    s.out = &s.memory.out;
    s.null_pin = false;
    s.pin_context = &s.served;
    s.served = {0};
}

enum class entry { both, callback_only };

struct responder_row {
    const char* condition;
    ntstatus expected;
    void (*arrange)(scene&) noexcept;
    entry via;
};

// The responder's failures, in the order it checks them, then what a handler's status does.
constexpr responder_row responder_rows[] = {
    {"`In` is null", status::invalid_parameter, [](scene& s) noexcept { s.in = nullptr; },
     entry::both},
    {"`Out` is null", status::invalid_parameter, [](scene& s) noexcept { s.out = nullptr; },
     entry::both},
    {"`Pin` is null", status::invalid_device_state, [](scene& s) noexcept { s.null_pin = true; },
     entry::callback_only},
    {"the pin has no context (`KSPIN.Context` is null)", status::invalid_device_state,
     [](scene& s) noexcept { s.pin_context = nullptr; }, entry::callback_only},
    {"`In.ProtocolId` is not served", status::invalid_device_request,
     [](scene& s) noexcept { s.memory.in.protocol_id.data4[7] ^= 1U; }, entry::both},
    {"`In.Argument1` (request envelope) is null", status::invalid_parameter,
     [](scene& s) noexcept { s.memory.in.argument1 = nullptr; }, entry::both},
    {"`In.Argument2` (response envelope) is null", status::invalid_parameter,
     [](scene& s) noexcept { s.memory.in.argument2 = nullptr; }, entry::both},
    {"request `version` below the route's `min_version`", status::revision_mismatch,
     [](scene& s) noexcept { s.memory.request.version = 1; }, entry::both},
    {"request `version` above the route's `version`", status::revision_mismatch,
     [](scene& s) noexcept { s.memory.request.version = 4; }, entry::both},
    {"request `version` is 0", status::revision_mismatch,
     [](scene& s) noexcept { s.memory.request.version = 0; }, entry::both},
    {"request `size` is one byte short of `envelope_size<request>`", status::invalid_buffer_size,
     [](scene& s) noexcept { s.memory.request.size = request_size - 1; }, entry::both},
    {"request `size` is 8 (a header, no body)", status::invalid_buffer_size,
     [](scene& s) noexcept { s.memory.request.size = 8; }, entry::both},
    {"request `size` is 0", status::invalid_buffer_size,
     [](scene& s) noexcept { s.memory.request.size = 0; }, entry::both},
    {"response capacity (`size`) is one byte short of `envelope_size<response>`",
     status::buffer_too_small,
     [](scene& s) noexcept { s.memory.response.size = response_size - 1; }, entry::both},
    {"response capacity is 0", status::buffer_too_small,
     [](scene& s) noexcept { s.memory.response.size = 0; }, entry::both},
    {"`In.Argument2` is `Out` (the response envelope would overwrite `Out`)",
     status::invalid_parameter,
     [](scene& s) noexcept {
         std::memset(&s.memory.out, 0, sizeof s.memory.out);
         s.memory.out.protocol_id.data1 = response_size + 16; // a plausible capacity
         s.memory.in.argument2 = &s.memory.out;
     },
     entry::both},
    {"the response envelope's last byte overlaps `Out`'s first", status::invalid_parameter,
     [](scene& s) noexcept {
         // In `gap`, just before Out, so that the envelope ends on Out's first byte.
         auto* at = reinterpret_cast<unsigned char*>(&s.memory.out) - (response_size - 1);
         const std::uint32_t header[2] = {response_size, 0};
         std::memcpy(at, header, sizeof header);
         s.memory.in.argument2 = at;
     },
     entry::both},
    {"`Out` starts inside the response envelope", status::invalid_parameter,
     [](scene& s) noexcept {
         s.out = reinterpret_cast<kshake::handshake*>(&s.memory.response.body);
     },
     entry::both},
    {"a bad request with `Out` aliasing `In`", status::revision_mismatch,
     [](scene& s) noexcept {
         s.memory.request.version = 9;
         s.out = s.in;
     },
     entry::both},
    {"the handler fails after writing part of its response (its status is returned)",
     status::insufficient_resources,
     [](scene& s) noexcept { s.memory.request.body.outcome = fails_half_written; }, entry::both},
    {"the handler returns a warning after writing all of its response (its status is returned)",
     status::buffer_overflow, [](scene& s) noexcept { s.memory.request.body.outcome = warns; },
     entry::both},
    {"a raw-codec handler fails", status::not_supported,
     [](scene& s) noexcept { s.memory.in = {pointers::id, nullptr, &s.memory.spare}; },
     entry::both},
    {"the handler returns an informational status (`0x40000000`): the response is delivered",
     status::success, [](scene& s) noexcept { s.memory.request.body.outcome = informs; },
     entry::both},
};

// Through the PFNKSPINHANDSHAKE-shaped callback (on a mock pin), or through serve().
ntstatus run(scene& s, bool via_callback) noexcept {
    if (via_callback) {
        kshake::mock::pin pin{s.pin_context};
        return sink::callback<kshake::mock::pin*>(s.null_pin ? nullptr : &pin, s.in, s.out);
    }
    return sink::serve(s.served, s.in, s.out);
}

// The caller's memory after the baseline exchange succeeded: the response envelope and Out.
caller_memory answered(const caller_memory& before, scene& s) noexcept {
    caller_memory want = before;
    want.response = {response_size, 3, {42, 3}};
    want.out = {frames::id, &s.memory.response, nullptr};
    return want;
}

} // namespace

TEST_CASE("bad-input baseline: succeeds, writes only the response envelope and Out") {
    for (const bool via_callback : {true, false}) {
        CAPTURE(via_callback);
        scene s{};
        baseline(s);
        const caller_memory before = s.memory;
        REQUIRE(run(s, via_callback) == status::success);
        const caller_memory want = answered(before, s);
        const bool as_wanted = std::memcmp(&s.memory, &want, sizeof want) == 0;
        CHECK(as_wanted);
        CHECK(s.served.calls == 1);
    }
}

TEST_CASE("responder: each documented failure has its status and changes no caller byte") {
    for (const responder_row& row : responder_rows) {
        for (const bool via_callback : {true, false}) {
            if (!via_callback && row.via == entry::callback_only) {
                continue;
            }
            CAPTURE(row.condition);
            CAPTURE(via_callback);
            scene s{};
            baseline(s);
            row.arrange(s);
            const caller_memory before = s.memory;
            const ntstatus got = run(s, via_callback);
            CHECK(kshake_test::text_of(kshake::to_string(got)) ==
                  kshake_test::text_of(kshake::to_string(row.expected)));
            if (row.expected == status::success) {
                // A handler's success code delivers the response exactly as STATUS_SUCCESS does.
                const caller_memory want = answered(before, s);
                const bool as_wanted = std::memcmp(&s.memory, &want, sizeof want) == 0;
                CHECK(as_wanted);
            } else {
                const bool unchanged = std::memcmp(&before, &s.memory, sizeof before) == 0;
                CHECK(unchanged);
            }
            // Validation failures never reach the handler; a handler's status comes from it.
            const bool handler_ran = row.expected == status::insufficient_resources ||
                                     row.expected == status::buffer_overflow ||
                                     row.expected == status::not_supported ||
                                     row.expected == status::success;
            CHECK(s.served.calls == (handler_ran ? 1 : 0));
        }
    }
}

TEST_CASE("responder: a handler's STATUS_PENDING delivers the response; the answer is "
          "STATUS_SUCCESS") {
    for (const bool via_callback : {true, false}) {
        CAPTURE(via_callback);
        scene s{};
        baseline(s);
        s.memory.request.body.outcome = pends;
        const caller_memory before = s.memory;
        CHECK(run(s, via_callback) == status::success);
        const caller_memory want = answered(before, s);
        const bool as_wanted = std::memcmp(&s.memory, &want, sizeof want) == 0;
        CHECK(as_wanted);
        CHECK(s.served.calls == 1);
    }
}

TEST_CASE("responder: Out aliasing In succeeds (In is read in full before Out is written)") {
    scene s{};
    baseline(s);
    s.out = s.in;
    const caller_memory before = s.memory;
    REQUIRE(run(s, true) == status::success);
    caller_memory want = answered(before, s);
    want.out = before.out;
    want.in = {frames::id, &s.memory.response, nullptr};
    const bool as_wanted = std::memcmp(&s.memory, &want, sizeof want) == 0;
    CHECK(as_wanted);
}

namespace {

// What a hostile or failing peer does to one exchange, after the real responder answered.
using peer_fn = ntstatus (*)(const kshake::handshake& in, kshake::handshake& out) noexcept;

ntstatus honest(const kshake::handshake& in, kshake::handshake& out) noexcept {
    static context served{};
    return sink::serve(served, &in, &out);
}

struct initiator_row {
    const char* condition;
    ntstatus expected;
    peer_fn peer;
    bool raw; // offers `pointers` instead of `frames`
};

constexpr initiator_row initiator_rows[] = {
    {"the peer refuses (its status is returned as is)", status::not_supported,
     [](const kshake::handshake&, kshake::handshake&) noexcept { return status::not_supported; },
     false},
    {"the peer fills `Out` and the response envelope, then fails", status::unsuccessful,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         static_cast<void>(honest(in, out));
         return status::unsuccessful;
     },
     false},
    {"the peer returns a warning after a valid reply (its status is returned as is)",
     status::buffer_overflow,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         static_cast<void>(honest(in, out));
         return status::buffer_overflow;
     },
     false},
    {"the peer returns `STATUS_PENDING` after a valid reply (a success code other than "
     "`STATUS_SUCCESS`)",
     status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         static_cast<void>(honest(in, out));
         return status::pending;
     },
     false},
    {"the peer returns an informational status (`0x40000000`) after a valid reply",
     status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         static_cast<void>(honest(in, out));
         return informational;
     },
     false},
    {"raw codec: the peer returns `STATUS_PENDING` after a valid reply",
     status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         static_cast<void>(honest(in, out));
         return status::pending;
     },
     true},
    {"the peer succeeds without writing `Out`", status::device_protocol_error,
     [](const kshake::handshake&, kshake::handshake&) noexcept { return status::success; }, false},
    {"reply `Out.ProtocolId` is not the offered id", status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         out.protocol_id = other::id;
         return s;
     },
     false},
    {"reply `Out.Argument1` is not the initiator's response envelope",
     status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         out.argument1 = in.argument1;
         return s;
     },
     false},
    {"reply `Out.Argument1` is null", status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         out.argument1 = nullptr;
         return s;
     },
     false},
    {"reply `Out.Argument2` is not null", status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         out.argument2 = in.argument1;
         return s;
     },
     false},
    {"reply envelope `size` is not `envelope_size<response>`", status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         const std::uint32_t size = response_size + 4;
         std::memcpy(in.argument2, &size, sizeof size);
         return s;
     },
     false},
    {"reply envelope `version` is not the offered version", status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         const std::uint32_t version = 2;
         std::memcpy(static_cast<unsigned char*>(in.argument2) + 4, &version, sizeof version);
         return s;
     },
     false},
    {"raw codec: reply `Out.ProtocolId` is not the offered id", status::device_protocol_error,
     [](const kshake::handshake& in, kshake::handshake& out) noexcept {
         const ntstatus s = honest(in, out);
         out.protocol_id = frames::id;
         return s;
     },
     true},
};

} // namespace

namespace {
// Offers the row's protocol to its peer; checks the result holds no value and the caller's
// request is unchanged, and returns the status.
template <class P>
ntstatus offer_to(peer_fn peer, const kshake::request_t<P>& request) {
    const kshake::request_t<P> before = request;
    const auto r = kshake::negotiate<P>(peer, request);
    CHECK_FALSE(r.ok());
    CHECK(r.version() == 0);
    const bool unchanged = std::memcmp(&before, &request, sizeof request) == 0;
    CHECK(unchanged);
    return r.status();
}
} // namespace

TEST_CASE("initiator: each hostile reply fails with its status; the request is unchanged") {
    for (const initiator_row& row : initiator_rows) {
        CAPTURE(row.condition);
        int here = 0;
        const ntstatus got = row.raw
                                 ? offer_to<pointers>(row.peer, kshake::raw_arguments{&here, &here})
                                 : offer_to<frames>(row.peer, request_body{21, succeeds});
        CHECK(kshake_test::text_of(kshake::to_string(got)) ==
              kshake_test::text_of(kshake::to_string(row.expected)));
    }
}

namespace {
// negotiate_first<P, other>: the row's peer answers the offer of P, the honest peer the offer of
// `other` (which it accepts) if it is made. Returns how many offers were made.
template <class P>
int offer_first(peer_fn first_peer, const kshake::request_t<P>& request, ntstatus expected) {
    int calls = 0;
    const auto peer = [&calls, first_peer](const kshake::handshake& in,
                                           kshake::handshake& out) noexcept {
        return calls++ == 0 ? first_peer(in, out) : honest(in, out);
    };
    const auto r = kshake::negotiate_first<P, other>(peer, request, request_body{1, succeeds});
    if (expected == status::device_protocol_error) {
        // A broken answer ends the negotiation: the peer may believe it agreed.
        CHECK_FALSE(r.ok());
        CHECK(r.index() == r.none);
        CHECK(r.version() == 0);
        CHECK(r.status() == status::device_protocol_error);
    } else {
        // Any other refusal moves on to the next offer.
        REQUIRE(r.ok());
        CHECK(r.index() == 1U);
    }
    return calls;
}
} // namespace

TEST_CASE("initiator: negotiate_first stops at a row's STATUS_DEVICE_PROTOCOL_ERROR and moves on "
          "after any other refusal") {
    for (const initiator_row& row : initiator_rows) {
        CAPTURE(row.condition);
        int here = 0;
        const int offers =
            row.raw
                ? offer_first<pointers>(row.peer, kshake::raw_arguments{&here, &here}, row.expected)
                : offer_first<frames>(row.peer, request_body{21, succeeds}, row.expected);
        CHECK(offers == (row.expected == status::device_protocol_error ? 1 : 2));
    }
    // A transport that reports STATUS_DEVICE_PROTOCOL_ERROR itself ends it the same way.
    const int offers = offer_first<frames>(
        [](const kshake::handshake&, kshake::handshake&) noexcept {
            return status::device_protocol_error;
        },
        request_body{21, succeeds}, status::device_protocol_error);
    CHECK(offers == 1);
}

TEST_CASE("initiator: the table's honest peer is accepted (the rows above are real faults)") {
    const auto r = kshake::negotiate<frames>(&honest, request_body{21, succeeds});
    REQUIRE(r.ok());
    CHECK(r->doubled == 42);
    CHECK(r.version() == 3);
    int here = 0;
    const auto raw = kshake::negotiate<pointers>(&honest, kshake::raw_arguments{&here, nullptr});
    REQUIRE(raw.ok());
    CHECK(raw->argument2 == &here);
}

namespace {
std::string status_cell(ntstatus s) {
    return "`" + std::string{kshake_test::text_of(kshake::to_string(s))} + "`";
}
} // namespace

TEST_CASE("docs/error-contract.md prints every row of this table with its status") {
    std::ifstream file{KSHAKE_TEST_SOURCE_ROOT "/docs/error-contract.md"};
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    const std::string doc = text.str();
    for (const responder_row& row : responder_rows) {
        const std::string line =
            std::string{"| "} + row.condition + " | " + status_cell(row.expected) + " |";
        CAPTURE(line);
        CHECK(doc.find(line) != std::string::npos);
    }
    for (const initiator_row& row : initiator_rows) {
        const std::string line =
            std::string{"| "} + row.condition + " | " + status_cell(row.expected) + " |";
        CAPTURE(line);
        CHECK(doc.find(line) != std::string::npos);
    }
}
