// Wire contract 1.0: one test case per open question (a)-(m) of the contract, each asserting the
// decided answer through the public API, with buffers built by hand as a C peer builds them.
// Byte images below are little-endian, as every Windows target is.
#include <kshake/initiator.hpp>
#include <kshake/mock.hpp>
#include <kshake/responder.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

using namespace kshake::literals;
using kshake::ntstatus;
namespace st = kshake::status;

namespace {

// ---- protocols (no implicit padding anywhere: explicit reserved fields) ----

struct ping_request {
    std::uint32_t value;
    std::uint32_t reserved;
};
struct ping_response {
    std::uint32_t doubled;
    std::uint32_t version;
};
struct ping {
    static constexpr kshake::guid id = "5A1E0001-7C3B-4E2D-9F10-00000000A001"_guid;
    using request = ping_request;
    using response = ping_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

// Two protocols whose ids share their first 8 bytes (ids made one after another), with ping.
template <std::uint8_t Last>
struct twin {
    static constexpr kshake::guid id{
        0x5A1E0100U, 0x7C3B, 0x4E2D, {0x9F, 0x10, 0x00, 0x00, 0x00, 0x00, 0xA1, Last}};
    using request = ping_request;
    using response = ping_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

// A response larger than its request, so that one buffer's size can satisfy one check only.
struct grow_request {
    std::uint32_t value;
};
struct grow_response {
    std::uint32_t words[4];
};
struct grow {
    static constexpr kshake::guid id = "5A1E0002-7C3B-4E2D-9F10-00000000A002"_guid;
    using request = grow_request;
    using response = grow_response;
};

// The handler returns whatever status the request carries.
struct probe_request {
    std::uint32_t status;
    std::uint32_t value;
};
struct probe_response {
    std::uint32_t value;
    std::uint32_t reserved;
};
struct probe {
    static constexpr kshake::guid id = "5A1E0003-7C3B-4E2D-9F10-00000000A003"_guid;
    using request = probe_request;
    using response = probe_response;
};

// Sender sets some members only; the rest must travel as zero.
struct partial_request {
    std::uint32_t value;
    std::uint8_t flag;
    std::uint8_t reserved[3];
    std::uint32_t extra;
};
struct partial_response {
    std::uint32_t a;
    std::uint8_t b;
    std::uint8_t reserved[3];
    std::uint32_t c;
    std::uint32_t d;
};
struct partial {
    static constexpr kshake::guid id = "5A1E0004-7C3B-4E2D-9F10-00000000A004"_guid;
    using request = partial_request;
    using response = partial_response;
};

struct empty_payload {};
struct nothing {
    static constexpr kshake::guid id = "5A1E0005-7C3B-4E2D-9F10-00000000A005"_guid;
    using request = empty_payload;
    using response = empty_payload;
};

// A version other than the default 1, so that version() == version_v<P> says something.
struct pointers {
    static constexpr kshake::guid id = "5A1E0006-7C3B-4E2D-9F10-00000000A006"_guid;
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
    static constexpr std::uint32_t version = 2;
};

// A 64-bit member placed by hand at a multiple of 8.
struct stamped {
    std::uint32_t kind;
    std::uint32_t reserved;
    std::uint64_t stamp;
};
struct stamping {
    static constexpr kshake::guid id = "5A1E0007-7C3B-4E2D-9F10-00000000A007"_guid;
    using request = stamped;
    using response = stamped;
};

// Typed versions: one id, v1 small structs, v2..3 grown ones.
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
    static constexpr kshake::guid id = "5A1E0008-7C3B-4E2D-9F10-00000000A008"_guid;
    using request = meter_v1_request;
    using response = meter_v1_response;
};
struct meter_v2 {
    static constexpr kshake::guid id = meter_v1::id;
    using request = meter_v2_request;
    using response = meter_v2_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

struct context {
    std::uint32_t calls;
    unsigned char empty_response_byte; // the byte of an empty response as the handler got it
};

ntstatus serve_ping(context& c, const ping_request& rq, ping_response& rs,
                    std::uint32_t version) noexcept {
    ++c.calls;
    rs.doubled = rq.value * 2U;
    rs.version = version;
    return st::success;
}
ntstatus serve_grow(context& c, const grow_request& rq, grow_response& rs) noexcept {
    ++c.calls;
    for (std::uint32_t i = 0; i < 4; ++i) {
        rs.words[i] = rq.value + i;
    }
    return st::success;
}
ntstatus serve_probe(context& c, const probe_request& rq, probe_response& rs) noexcept {
    ++c.calls;
    rs.value = rq.value;
    return static_cast<ntstatus>(rq.status);
}
ntstatus serve_partial(context& c, const partial_request& rq, partial_response& rs) noexcept {
    ++c.calls;
    rs.a = rq.value;
    rs.c = rq.value + 1U;
    return st::success;
}
ntstatus serve_nothing(context& c, const empty_payload&, empty_payload& rs) noexcept {
    ++c.calls;
    std::memcpy(&c.empty_response_byte, &rs, 1);
    return st::success;
}
ntstatus serve_pointers(context& c, const kshake::raw_arguments& rq,
                        kshake::raw_arguments& rs) noexcept {
    ++c.calls;
    rs = {&c, rq.argument1};
    return st::success;
}
ntstatus serve_stamping(context& c, const stamped& rq, stamped& rs) noexcept {
    ++c.calls;
    rs.kind = rq.kind;
    rs.stamp = rq.stamp + 1U;
    return st::success;
}
ntstatus serve_meter_v1(context& c, const meter_v1_request& rq, meter_v1_response& rs) noexcept {
    ++c.calls;
    rs.value = rq.value + 1U;
    return st::success;
}
ntstatus serve_meter_v2(context& c, const meter_v2_request& rq, meter_v2_response& rs,
                        std::uint32_t version) noexcept {
    ++c.calls;
    rs.value = rq.value + 2U;
    rs.extra = rq.extra;
    rs.version = version;
    return st::success;
}

// A responder whose ids are told apart by bytes 0-7 except the twins', which share them:
// an id is looked up by its bytes 0-7, then the twins' bytes 8-15 compared in turn.
using twins_sink =
    kshake::responder<context, kshake::route<ping, serve_ping>, kshake::route<twin<1>, serve_ping>,
                      kshake::route<twin<2>, serve_ping>>;

using sink =
    kshake::responder<context, kshake::route<ping, serve_ping>, kshake::route<grow, serve_grow>,
                      kshake::route<probe, serve_probe>, kshake::route<partial, serve_partial>,
                      kshake::route<nothing, serve_nothing>,
                      kshake::route<pointers, serve_pointers>,
                      kshake::route<stamping, serve_stamping>>;

using meter_sink = kshake::responder<context, kshake::route<meter_v1, serve_meter_v1>,
                                     kshake::route<meter_v2, serve_meter_v2>>;

constexpr std::uint32_t ping_request_size = kshake::detail::envelope_size<ping_request>;   // 16
constexpr std::uint32_t ping_response_size = kshake::detail::envelope_size<ping_response>; // 16

// ---- bytes as a C peer handles them ----

void store32(unsigned char* at, std::uint32_t v) noexcept { std::memcpy(at, &v, sizeof v); }
std::uint32_t load32(const unsigned char* at) noexcept {
    std::uint32_t v = 0;
    std::memcpy(&v, at, sizeof v);
    return v;
}
void store_header(unsigned char* at, std::uint32_t size, std::uint32_t version) noexcept {
    store32(at, size);
    store32(at + 4, version);
}
std::vector<unsigned char> bytes(const void* at, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(at);
    return {p, p + n};
}
std::vector<unsigned char> bytes_of_handshake(const kshake::guid& id, void* a1, void* a2) {
    const kshake::handshake h{id, a1, a2};
    return bytes(&h, sizeof h);
}
// The response envelope of a ping answered at `version` for request value `value`.
std::vector<unsigned char> ping_answer(std::uint32_t value, std::uint32_t version) {
    unsigned char e[16];
    store_header(e, ping_response_size, version);
    store32(e + 8, value * 2U);
    store32(e + 12, version);
    return bytes(e, sizeof e);
}

// A peer that answers with the real responder.
ntstatus honest(const kshake::handshake& in, kshake::handshake& out) noexcept {
    static context served{};
    return sink::serve(served, &in, &out);
}

const kshake::handshake untouched_out{"FFFFFFFF-EEEE-DDDD-CCCC-BBBBBBBBBBBB"_guid,
                                      reinterpret_cast<void*>(std::uintptr_t{0x1234}),
                                      reinterpret_cast<void*>(std::uintptr_t{0x5678})};

#if defined(__linux__)
// Two pages, the second PROT_NONE: a read past the first page's end faults.
class guard_page {
  public:
    guard_page() noexcept
        : page_{static_cast<std::size_t>(sysconf(_SC_PAGESIZE))},
          base_{mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                     0)} {
        if (base_ != MAP_FAILED) {
            guarded_ = mprotect(static_cast<unsigned char*>(base_) + page_, page_, PROT_NONE) == 0;
        }
    }
    guard_page(const guard_page&) = delete;
    guard_page& operator=(const guard_page&) = delete;
    ~guard_page() {
        if (base_ != MAP_FAILED) {
            munmap(base_, 2 * page_);
        }
    }
    [[nodiscard]] bool ready() const noexcept { return base_ != MAP_FAILED && guarded_; }
    // The last n readable bytes: byte n is the guard page's first.
    [[nodiscard]] unsigned char* last(std::size_t n) const noexcept {
        return static_cast<unsigned char*>(base_) + page_ - n;
    }

  private:
    std::size_t page_;
    void* base_;
    bool guarded_{false};
};
#endif

// The last request_event a responder reported (traced_callback needs a hook of static storage).
struct last_request {
    kshake::request_event event{};
    std::uint32_t count{};
    void operator()(const kshake::offer_event&) noexcept {}
    void operator()(const kshake::request_event& e) noexcept {
        event = e;
        ++count;
    }
};
last_request wire_trace; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

// Every way into a responder, each given the same In and Out: serve, serve with a hook, callback
// and traced_callback (through a mock pin whose context is `c`). Their statuses, in that order.
template <class R>
std::vector<ntstatus> serve_every_way(context& c, unsigned char* in, kshake::handshake& out) {
    auto* const peer_in = reinterpret_cast<kshake::handshake*>(in);
    kshake::mock::pin pin{&c};
    last_request hook;
    std::vector<ntstatus> s;
    s.push_back(R::serve(c, peer_in, &out));
    s.push_back(R::serve(c, peer_in, &out, hook));
    s.push_back(R::template callback<kshake::mock::pin*>(&pin, peer_in, &out));
    wire_trace = {};
    s.push_back(R::template traced_callback<wire_trace, kshake::mock::pin*>(&pin, peer_in, &out));
    CHECK(hook.count == 1U);
    CHECK(wire_trace.count == 1U);
    // The two traced entry points report the same event.
    CHECK(hook.event.protocol_id == wire_trace.event.protocol_id);
    CHECK(hook.event.protocol_id_bytes == wire_trace.event.protocol_id_bytes);
    CHECK(hook.event.route == wire_trace.event.route);
    CHECK(hook.event.version == wire_trace.event.version);
    CHECK(hook.event.refused_by == wire_trace.event.refused_by);
    CHECK(hook.event.status == wire_trace.event.status);
    return s;
}

} // namespace

// ------------------------------------------------------------------------------------------------

TEST_CASE("wire 1.0 (a) request and response envelope in one buffer") {
    context c{};
    constexpr std::uint32_t rq_size = kshake::detail::envelope_size<grow_request>;  // 12
    constexpr std::uint32_t rs_size = kshake::detail::envelope_size<grow_response>; // 24

    SUBCASE("the header is the request's and the capacity: both checks apply") {
        // The size is read as the request size (check 6) and as the capacity (check 7).
        for (const std::uint32_t size : {rq_size - 1, rq_size, rs_size - 1}) {
            CAPTURE(size);
            alignas(8) unsigned char buffer[rs_size + 8]{};
            std::memset(buffer, 0xA5, sizeof buffer);
            store_header(buffer, size, 1);
            store32(buffer + 8, 100);
            const auto before = bytes(buffer, sizeof buffer);
            const kshake::handshake in{grow::id, buffer, buffer};
            kshake::handshake out = untouched_out;
            const ntstatus want = size < rq_size ? st::invalid_buffer_size : st::buffer_too_small;
            CHECK(sink::serve(c, &in, &out) == want);
            CHECK(bytes(buffer, sizeof buffer) == before);
            CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
        }
        CHECK(c.calls == 0U);
    }
    SUBCASE("success: the buffer becomes the response envelope") {
        alignas(8) unsigned char buffer[rs_size + 8]{};
        std::memset(buffer, 0xA5, sizeof buffer);
        store_header(buffer, rs_size, 1);
        store32(buffer + 8, 100);
        const kshake::handshake in{grow::id, buffer, buffer};
        kshake::handshake out{};
        REQUIRE(sink::serve(c, &in, &out) == st::success);
        // clang-format off
        const unsigned char want[rs_size + 8] = {
            24, 0, 0, 0, 1, 0, 0, 0,
            100, 0, 0, 0, 101, 0, 0, 0,
            102, 0, 0, 0, 103, 0, 0, 0,
            0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5,
        };
        // clang-format on
        CHECK(bytes(buffer, sizeof buffer) == bytes(want, sizeof want));
        CHECK(bytes(&out, sizeof out) == bytes_of_handshake(grow::id, buffer, nullptr));
    }
    SUBCASE("the response header's version is never checked") {
        alignas(8) unsigned char request[ping_request_size]{};
        alignas(8) unsigned char response[ping_response_size]{};
        store_header(request, ping_request_size, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        store_header(response, ping_response_size, 0xDEADBEEFU);
        const kshake::handshake in{ping::id, request, response};
        kshake::handshake out{};
        CHECK(sink::serve(c, &in, &out) == st::success);
        CHECK(bytes(response, sizeof response) == ping_answer(21, 3));
    }
}

TEST_CASE("wire 1.0 (b) one (id, version) names one request and one response layout") {
    context c{};
    SUBCASE("a longer request is accepted; only envelope_size<request> bytes are read") {
        alignas(8) unsigned char response[ping_response_size]{};
        store_header(response, ping_response_size, 0);
#if defined(__linux__)
        // The request's size claims 64 bytes more than are mapped: reading them would fault.
        guard_page guard;
        REQUIRE(guard.ready());
        unsigned char* request = guard.last(ping_request_size);
#else
        alignas(8) unsigned char storage[ping_request_size + 64]{};
        std::memset(storage, 0xA5, sizeof storage);
        unsigned char* request = storage;
#endif
        store_header(request, ping_request_size + 64, 2);
        store32(request + 8, 5);
        store32(request + 12, 0);
        const kshake::handshake in{ping::id, request, response};
        kshake::handshake out{};
        CHECK(sink::serve(c, &in, &out) == st::success);
        CHECK(bytes(response, sizeof response) == ping_answer(5, 2));
#if !defined(__linux__)
        for (std::size_t i = ping_request_size; i < sizeof storage; ++i) {
            CHECK(storage[i] == 0xA5);
        }
#endif
    }
    SUBCASE("a shorter request is refused") {
        alignas(8) unsigned char request[ping_request_size]{};
        alignas(8) unsigned char response[ping_response_size]{};
        store_header(request, ping_request_size - 1, 3);
        store32(request + 8, 5);
        store32(request + 12, 0);
        store_header(response, ping_response_size, 0);
        const auto before = bytes(response, sizeof response);
        const kshake::handshake in{ping::id, request, response};
        kshake::handshake out{};
        CHECK(sink::serve(c, &in, &out) == st::invalid_buffer_size);
        CHECK(bytes(response, sizeof response) == before);
    }
    SUBCASE("an answer whose response size is not envelope_size<response> is a protocol error") {
        for (const std::uint32_t size : {ping_response_size - 4, ping_response_size + 4}) {
            CAPTURE(size);
            auto resized = [size](const kshake::handshake& in,
                                  kshake::handshake& reply) noexcept -> ntstatus {
                const ntstatus s = honest(in, reply);
                store32(static_cast<unsigned char*>(in.argument2), size);
                return s;
            };
            const auto r = kshake::negotiate<ping>(resized, ping_request{5, 0});
            CHECK(r.status() == st::device_protocol_error);
            CHECK_FALSE(r.ok());
        }
        // The same peer without the resize is accepted: the size alone made the difference.
        CHECK(kshake::negotiate<ping>(&honest, ping_request{5, 0}).ok());
    }
    SUBCASE("growth is a new version with its own types (typed versions)") {
        // v1: 12-byte request, 12-byte response.
        alignas(8) unsigned char rq1[12]{};
        alignas(8) unsigned char rs1[12 + 4]{};
        std::memset(rs1, 0xA5, sizeof rs1);
        store_header(rq1, 12, 1);
        store32(rq1 + 8, 10);
        store_header(rs1, 12, 0);
        const kshake::handshake in1{meter_v1::id, rq1, rs1};
        kshake::handshake out1{};
        CHECK(meter_sink::serve(c, &in1, &out1) == st::success);
        // clang-format off
        const unsigned char want1[] = {
            12, 0, 0, 0, 1, 0, 0, 0,
            11, 0, 0, 0, 0xA5, 0xA5, 0xA5, 0xA5,
        };
        // clang-format on
        CHECK(bytes(rs1, sizeof rs1) == bytes(want1, sizeof want1));

        // v3: 16-byte request, 24-byte response.
        alignas(8) unsigned char rq3[16]{};
        alignas(8) unsigned char rs3[24]{};
        store_header(rq3, 16, 3);
        store32(rq3 + 8, 10);
        store32(rq3 + 12, 77);
        store_header(rs3, 24, 0);
        const kshake::handshake in3{meter_v1::id, rq3, rs3};
        kshake::handshake out3{};
        CHECK(meter_sink::serve(c, &in3, &out3) == st::success);
        // clang-format off
        const unsigned char want3[] = {
            24, 0, 0, 0, 3, 0, 0, 0,
            12, 0, 0, 0, 77, 0, 0, 0,
            3, 0, 0, 0, 0, 0, 0, 0,
        };
        // clang-format on
        CHECK(bytes(rs3, sizeof rs3) == bytes(want3, sizeof want3));

        // A v3 request with v1's sizes meets v2's size checks.
        store_header(rq1, 12, 3);
        CHECK(meter_sink::serve(c, &in1, &out1) == st::invalid_buffer_size);
        CHECK(c.calls == 2U);
    }
}

TEST_CASE("wire 1.0 (c) negotiate_first stops at a rule-breaking success") {
    using v3 = kshake::at_version<ping, 3>;
    using v2 = kshake::at_version<ping, 2>;
    const ping_request rq{21, 0};
    int calls = 0;

    SUBCASE("success without writing Out") {
        auto silent = [&calls](const kshake::handshake&, kshake::handshake&) noexcept -> ntstatus {
            ++calls;
            return st::success;
        };
        const auto r = kshake::negotiate_first<v3, v2>(silent, rq, rq);
        CHECK(calls == 1);
        CHECK(r.status() == st::device_protocol_error);
        CHECK_FALSE(r.ok());
        CHECK(r.index() == r.none);
    }
    SUBCASE("a real answer that breaks a rule (Out.Argument2 not null)") {
        auto breaking = [&calls](const kshake::handshake& in,
                                 kshake::handshake& reply) noexcept -> ntstatus {
            ++calls;
            const ntstatus s = honest(in, reply);
            reply.argument2 = in.argument1;
            return s;
        };
        const auto r = kshake::negotiate_first<v3, v2>(breaking, rq, rq);
        CHECK(calls == 1);
        CHECK(r.status() == st::device_protocol_error);
        CHECK_FALSE(r.ok());
    }
    SUBCASE("the transport itself returns STATUS_DEVICE_PROTOCOL_ERROR") {
        auto failing = [&calls](const kshake::handshake&, kshake::handshake&) noexcept -> ntstatus {
            ++calls;
            return st::device_protocol_error;
        };
        const auto r = kshake::negotiate_first<v3, v2>(failing, rq, rq);
        CHECK(calls == 1);
        CHECK(r.status() == st::device_protocol_error);
        CHECK_FALSE(r.ok());
    }
    SUBCASE("an ordinary refusal moves on to the next offer") {
        auto refuse_first = [&calls](const kshake::handshake& in,
                                     kshake::handshake& reply) noexcept -> ntstatus {
            return ++calls == 1 ? st::not_supported : honest(in, reply);
        };
        const auto r = kshake::negotiate_first<v3, v2>(refuse_first, rq, rq);
        CHECK(calls == 2);
        REQUIRE(r.ok());
        CHECK(r.index() == 1U);
        CHECK(r.get<v2>().doubled == 42U);
    }
}

TEST_CASE("wire 1.0 (d) success codes other than STATUS_SUCCESS") {
    constexpr ntstatus other_successes[] = {st::pending, static_cast<ntstatus>(0x102),
                                            static_cast<ntstatus>(0x40000000)};
    SUBCASE("from a transport: a protocol error, and negotiate_first stops") {
        for (const ntstatus code : other_successes) {
            CAPTURE(code);
            int calls = 0;
            // A complete, valid answer, but with the wrong success code.
            auto peer = [&calls, code](const kshake::handshake& in,
                                       kshake::handshake& reply) noexcept -> ntstatus {
                ++calls;
                return honest(in, reply) == st::success ? code : st::unsuccessful;
            };
            const auto r = kshake::negotiate<ping>(peer, ping_request{21, 0});
            CHECK(r.status() == st::device_protocol_error);
            CHECK_FALSE(r.ok());
            calls = 0;
            const auto f =
                kshake::negotiate_first<kshake::at_version<ping, 3>, kshake::at_version<ping, 2>>(
                    peer, ping_request{21, 0}, ping_request{21, 0});
            CHECK(calls == 1);
            CHECK(f.status() == st::device_protocol_error);
            CHECK_FALSE(f.ok());
        }
    }
    SUBCASE("from a handler: the responder answers exactly STATUS_SUCCESS and delivers") {
        for (const ntstatus code : other_successes) {
            CAPTURE(code);
            context c{};
            alignas(8) unsigned char request[16]{};
            alignas(8) unsigned char response[16]{};
            store_header(request, 16, 1);
            store32(request + 8, static_cast<std::uint32_t>(code));
            store32(request + 12, 9);
            store_header(response, 16, 0);
            const kshake::handshake in{probe::id, request, response};
            kshake::handshake out{};
            CHECK(sink::serve(c, &in, &out) == st::success);
            // clang-format off
            const unsigned char want[] = {
                16, 0, 0, 0, 1, 0, 0, 0,
                9, 0, 0, 0, 0, 0, 0, 0,
            };
            // clang-format on
            CHECK(bytes(response, sizeof response) == bytes(want, sizeof want));
            CHECK(bytes(&out, sizeof out) == bytes_of_handshake(probe::id, response, nullptr));
        }
    }
}

TEST_CASE("wire 1.0 (e) overlapping buffers") {
    context c{};
    SUBCASE("Out aliasing In: Out replaces In") {
        alignas(8) unsigned char request[16]{};
        alignas(8) unsigned char response[16]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        store_header(response, 16, 0);
        kshake::handshake both{ping::id, request, response};
        REQUIRE(sink::serve(c, &both, &both) == st::success);
        CHECK(bytes(&both, sizeof both) == bytes_of_handshake(ping::id, response, nullptr));
        CHECK(bytes(response, sizeof response) == ping_answer(21, 3));
    }
    SUBCASE("Out overlapping the request envelope: the request is read first") {
        alignas(8) unsigned char shared[8 + sizeof(kshake::handshake)]{};
        alignas(8) unsigned char response[16]{};
        store_header(shared, 16, 3);
        store32(shared + 8, 21);
        store32(shared + 12, 0);
        store_header(response, 16, 0);
        const kshake::handshake in{ping::id, shared, response};
        auto* out = reinterpret_cast<kshake::handshake*>(shared + 8);
        REQUIRE(sink::serve(c, &in, out) == st::success);
        CHECK(bytes(response, sizeof response) == ping_answer(21, 3));
        CHECK(bytes(shared + 8, sizeof(kshake::handshake)) ==
              bytes_of_handshake(ping::id, response, nullptr));
    }
    SUBCASE("In overlapping the response envelope: In is overwritten by the response") {
        alignas(8) unsigned char shared[8 + sizeof(kshake::handshake)]{};
        alignas(8) unsigned char request[16]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        store_header(shared, 16, 0);
        const kshake::handshake in_value{ping::id, request, shared};
        std::memcpy(shared + 8, &in_value, sizeof in_value);
        kshake::handshake out{};
        REQUIRE(sink::serve(c, reinterpret_cast<kshake::handshake*>(shared + 8), &out) ==
                st::success);
        CHECK(bytes(shared, 16) == ping_answer(21, 3));
        CHECK(bytes(&out, sizeof out) == bytes_of_handshake(ping::id, shared, nullptr));
    }
    SUBCASE("request and response envelopes overlapping partially: the request is read first") {
        // The response header sits on the request body: its capacity is the request's value.
        alignas(8) unsigned char shared[32]{};
        std::memset(shared, 0xA5, sizeof shared);
        store_header(shared, 16, 3);
        store32(shared + 8, 20);
        store32(shared + 12, 0);
        const kshake::handshake in{ping::id, shared, shared + 8};
        kshake::handshake out{};
        REQUIRE(sink::serve(c, &in, &out) == st::success);
        CHECK(bytes(shared + 8, 16) == ping_answer(20, 3));
        CHECK(load32(shared) == 16U);
        CHECK(load32(shared + 24) == 0xA5A5A5A5U);
        CHECK(bytes(&out, sizeof out) == bytes_of_handshake(ping::id, shared + 8, nullptr));
    }
    SUBCASE("the response envelope overlapping Out is refused, every byte untouched") {
        alignas(8) unsigned char request[16]{};
        alignas(8) unsigned char shared[8 + sizeof(kshake::handshake)]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        std::memset(shared, 0x5A, sizeof shared);
        store_header(shared, 16, 0);
        const kshake::handshake in{ping::id, request, shared};
        const auto request_before = bytes(request, sizeof request);
        const auto shared_before = bytes(shared, sizeof shared);
        CHECK(sink::serve(c, &in, reinterpret_cast<kshake::handshake*>(shared + 8)) ==
              st::invalid_parameter);
        CHECK(bytes(request, sizeof request) == request_before);
        CHECK(bytes(shared, sizeof shared) == shared_before);
        CHECK(c.calls == 0U);
    }
    SUBCASE("the response envelope right after Out (adjacent, not overlapping) is accepted") {
        alignas(8) unsigned char request[16]{};
        alignas(8) unsigned char shared[sizeof(kshake::handshake) + 16]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        unsigned char* response = shared + sizeof(kshake::handshake);
        store_header(response, 16, 0);
        const kshake::handshake in{ping::id, request, response};
        CHECK(sink::serve(c, &in, reinterpret_cast<kshake::handshake*>(shared)) == st::success);
        CHECK(bytes(response, 16) == ping_answer(21, 3));
    }
}

#if defined(__linux__)
TEST_CASE("wire 1.0 (f) bytes read before each check (guard pages)") {
    context c{};
    guard_page guard;
    REQUIRE(guard.ready());
    SUBCASE("response envelope: only its size mapped, capacity too small") {
        alignas(8) unsigned char request[16]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        unsigned char* response = guard.last(4);
        store32(response, ping_response_size - 1);
        const kshake::handshake in{ping::id, request, response};
        kshake::handshake out = untouched_out;
        CHECK(sink::serve(c, &in, &out) == st::buffer_too_small);
        CHECK(load32(response) == ping_response_size - 1);
        CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
    }
    SUBCASE("request envelope of exactly envelope_size<request> bytes") {
        unsigned char* request = guard.last(ping_request_size);
        store_header(request, ping_request_size, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        alignas(8) unsigned char response[16]{};
        store_header(response, 16, 0);
        const kshake::handshake in{ping::id, request, response};
        kshake::handshake out{};
        CHECK(sink::serve(c, &in, &out) == st::success);
        CHECK(bytes(response, sizeof response) == ping_answer(21, 3));
    }
    SUBCASE("In: an unknown id refused on its first 8 bytes, the pointers read only after") {
        // Every entry point, traced or not, keeps the read order (wire.md 2.3 rows 3-4).
        const std::vector<ntstatus> refused(4, st::invalid_device_request);
        // Only In's first 8 bytes mapped: no route's id starts with them.
        const kshake::guid unknown = "5A1E00FF-7C3B-4E2D-9F10-00000000A0FF"_guid;
        unsigned char* in = guard.last(8);
        std::memcpy(in, &unknown, 8);
        kshake::handshake out = untouched_out;
        CHECK(serve_every_way<sink>(c, in, out) == refused); // a table
        // The trace carries the bytes of the id that were read, and how many.
        kshake::guid first_half{};
        std::memcpy(&first_half, &unknown, 8);
        CHECK(wire_trace.event.protocol_id == first_half);
        CHECK(wire_trace.event.protocol_id_bytes == 8U);
        CHECK(serve_every_way<meter_sink>(c, in, out) == refused); // one id
        CHECK(wire_trace.event.protocol_id == first_half);
        CHECK(wire_trace.event.protocol_id_bytes == 8U);
        // The id mapped, not the pointers: the first 8 bytes of a route's id, then others.
        in = guard.last(16);
        for (kshake::guid near : {ping::id, meter_v1::id}) {
            near.data4[7] = static_cast<std::uint8_t>(near.data4[7] ^ 1U);
            std::memcpy(in, &near, sizeof near);
            kshake::guid near_first_half{};
            std::memcpy(&near_first_half, &near, 8);
            // Bytes 8-15 are read (and traced) only by the responder with a route whose id
            // starts as this one does: sink for ping's, meter_sink for meter's.
            const bool ping_near = near.data1 == ping::id.data1;
            CHECK(serve_every_way<sink>(c, in, out) == refused);
            CHECK(wire_trace.event.protocol_id == (ping_near ? near : near_first_half));
            CHECK(wire_trace.event.protocol_id_bytes == (ping_near ? 16U : 8U));
            CHECK(serve_every_way<meter_sink>(c, in, out) == refused);
            CHECK(wire_trace.event.protocol_id == (ping_near ? near_first_half : near));
            CHECK(wire_trace.event.protocol_id_bytes == (ping_near ? 8U : 16U));
            CHECK(wire_trace.event.refused_by == kshake::request_check::unknown_protocol);
        }
        CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
        CHECK(c.calls == 0U);
    }
    SUBCASE("ids that share their first 8 bytes: bytes 8-15 read only when bytes 0-7 match") {
        const std::vector<ntstatus> refused(4, st::invalid_device_request);
        const kshake::guid unknown = "5A1E00FF-7C3B-4E2D-9F10-00000000A0FF"_guid;
        unsigned char* in = guard.last(8);
        std::memcpy(in, &unknown, 8);
        kshake::handshake out = untouched_out;
        CHECK(serve_every_way<twins_sink>(c, in, out) == refused);
        CHECK(wire_trace.event.protocol_id_bytes == 8U);
        // The twins' bytes 0-7 with a third ending: bytes 8-15 read, and refused.
        in = guard.last(16);
        kshake::guid third = twin<3>::id;
        std::memcpy(in, &third, sizeof third);
        CHECK(serve_every_way<twins_sink>(c, in, out) == refused);
        CHECK(wire_trace.event.protocol_id == third);
        CHECK(wire_trace.event.protocol_id_bytes == 16U);
        CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
        CHECK(c.calls == 0U);
        // Each twin, and ping, served by its own route.
        alignas(8) unsigned char request[16]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        alignas(8) unsigned char response[16]{};
        std::uint32_t route = 0;
        for (const kshake::guid& id : {ping::id, twin<1>::id, twin<2>::id}) {
            store_header(response, 16, 0);
            in = guard.last(sizeof(kshake::handshake));
            const kshake::handshake h{id, request, response};
            std::memcpy(in, &h, sizeof h);
            kshake::handshake served{};
            CHECK(serve_every_way<twins_sink>(c, in, served) ==
                  std::vector<ntstatus>(4, st::success));
            CHECK(served.protocol_id == id);
            CHECK(wire_trace.event.route == route++);
            CHECK(bytes(response, sizeof response) == ping_answer(21, 3));
        }
        CHECK(c.calls == 12U);
    }
    SUBCASE("In of 24 or 32 bytes ending at the guard page: every entry point serves it") {
        alignas(8) unsigned char request[16]{};
        store_header(request, 16, 3);
        store32(request + 8, 21);
        alignas(8) unsigned char response[16]{};
        store_header(response, 16, 0);
        unsigned char* in = guard.last(sizeof(kshake::handshake));
        const kshake::handshake h{ping::id, request, response};
        std::memcpy(in, &h, sizeof h);
        kshake::handshake out{};
        CHECK(serve_every_way<sink>(c, in, out) == std::vector<ntstatus>(4, st::success));
        CHECK(wire_trace.event.protocol_id == ping::id);
        CHECK(wire_trace.event.protocol_id_bytes == 16U);
        CHECK(c.calls == 4U);
    }
    SUBCASE("request header only mapped: version or size refused without reading the body") {
        unsigned char* request = guard.last(8);
        alignas(8) unsigned char response[16]{};
        store_header(response, 16, 0);
        const kshake::handshake in{ping::id, request, response};
        kshake::handshake out{};
        store_header(request, ping_request_size, 4); // above [2, 3]
        CHECK(sink::serve(c, &in, &out) == st::revision_mismatch);
        store_header(request, 8, 3);
        CHECK(sink::serve(c, &in, &out) == st::invalid_buffer_size);
        CHECK(c.calls == 0U);
    }
}
#endif

// ---- (g) helpers: a stack full of 0xA5, then a negotiation in a frame at the same depth ----
namespace {
[[gnu::noinline]] void poison_stack() noexcept {
    volatile unsigned char junk[32 * 1024];
    for (volatile unsigned char& b : junk) {
        b = 0xA5;
    }
}

struct wire_snapshot {
    unsigned char request[kshake::detail::envelope_size<partial_request>];
    unsigned char response[kshake::detail::envelope_size<partial_response>];
    unsigned char out[sizeof(kshake::handshake)];
};

[[gnu::noinline]] ntstatus offer_partial(wire_snapshot& snap) noexcept {
    auto peer = [&snap](const kshake::handshake& in,
                        kshake::handshake& reply) noexcept -> ntstatus {
        std::memcpy(snap.request, in.argument1, sizeof snap.request);
        std::memcpy(snap.response, in.argument2, sizeof snap.response);
        std::memcpy(snap.out, &reply, sizeof snap.out);
        return st::not_supported;
    };
    partial_request rq{};
    rq.value = 7;
    rq.flag = 1;
    return kshake::negotiate<partial>(peer, rq).status();
}

struct empty_snapshot {
    unsigned char request[kshake::detail::envelope_size<empty_payload>];
    unsigned char response[kshake::detail::envelope_size<empty_payload>];
};

[[gnu::noinline]] ntstatus offer_nothing(empty_snapshot& snap) noexcept {
    auto peer = [&snap](const kshake::handshake& in, kshake::handshake&) noexcept -> ntstatus {
        std::memcpy(snap.request, in.argument1, sizeof snap.request);
        std::memcpy(snap.response, in.argument2, sizeof snap.response);
        return st::not_supported;
    };
    return kshake::negotiate<nothing>(peer, empty_payload{}).status();
}

[[gnu::noinline]] ntstatus serve_from_fresh_frame(const kshake::handshake& in,
                                                  context& c) noexcept {
    kshake::handshake out{};
    return sink::serve(c, &in, &out);
}
[[gnu::noinline]] ntstatus serve_from_fresh_frame(const kshake::handshake& in) noexcept {
    context c{};
    return serve_from_fresh_frame(in, c);
}
} // namespace

TEST_CASE("wire 1.0 (g) no byte the sender did not set crosses the wire") {
    SUBCASE("payloads with implicit padding or floating point are not payloads") {
        struct padded_struct {
            std::uint8_t flag;
            std::uint32_t count;
        };
        struct reserved_struct {
            std::uint8_t flag;
            std::uint8_t reserved[3];
            std::uint32_t count;
        };
        struct float_struct {
            float gain;
        };
        static_assert(!kshake::payload<padded_struct>);
        static_assert(!kshake::payload<float_struct>);
        static_assert(kshake::payload<reserved_struct>); // the same fields, padding made explicit
        static_assert(kshake::payload<empty_payload>);
        CHECK(sizeof(reserved_struct) == sizeof(padded_struct));
    }
    SUBCASE("the initiator's envelopes: header, set members, zeros") {
        wire_snapshot snap{};
        poison_stack();
        const ntstatus s = offer_partial(snap); // no doctest call between the two frames
        CHECK(s == st::not_supported);
        // clang-format off
        const unsigned char request[] = {
            20, 0, 0, 0, 1, 0, 0, 0,
            7, 0, 0, 0, 1, 0, 0, 0,
            0, 0, 0, 0,
        };
        const unsigned char response[] = {
            24, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
        };
        // clang-format on
        const unsigned char out[sizeof(kshake::handshake)]{};
        CHECK(bytes(snap.request, sizeof snap.request) == bytes(request, sizeof request));
        CHECK(bytes(snap.response, sizeof snap.response) == bytes(response, sizeof response));
        CHECK(bytes(snap.out, sizeof snap.out) == bytes(out, sizeof out));
    }
    SUBCASE("an empty payload travels as one zero byte (initiator)") {
        empty_snapshot snap{};
        poison_stack();
        const ntstatus s = offer_nothing(snap);
        CHECK(s == st::not_supported);
        const unsigned char request[] = {9, 0, 0, 0, 1, 0, 0, 0, 0};
        const unsigned char response[] = {9, 0, 0, 0, 0, 0, 0, 0, 0};
        CHECK(bytes(snap.request, sizeof snap.request) == bytes(request, sizeof request));
        CHECK(bytes(snap.response, sizeof snap.response) == bytes(response, sizeof response));
    }
    SUBCASE("the responder's answer: header, set members, zeros; nothing after") {
        alignas(8) unsigned char request[20]{};
        alignas(8) unsigned char response[24 + 8]{};
        std::memset(response, 0xA5, sizeof response);
        store_header(request, 20, 1);
        store32(request + 8, 7);
        store_header(response, 24, 0);
        const kshake::handshake in{partial::id, request, response};
        poison_stack();
        const ntstatus s = serve_from_fresh_frame(in);
        CHECK(s == st::success);
        // clang-format off
        const unsigned char want[] = {
            24, 0, 0, 0, 1, 0, 0, 0,
            7, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 0, 0, 0, 0, 0, 0,
            0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5,
        };
        // clang-format on
        CHECK(bytes(response, sizeof response) == bytes(want, sizeof want));
    }
    SUBCASE("an empty payload travels as one zero byte (responder)") {
        alignas(8) unsigned char request[9]{};
        alignas(8) unsigned char response[9 + 3]{};
        std::memset(response, 0xA5, sizeof response);
        store_header(request, 9, 1);
        store_header(response, 9, 0);
        const kshake::handshake in{nothing::id, request, response};
        context c{};
        c.empty_response_byte = 0xA5;
        poison_stack();
        const ntstatus s = serve_from_fresh_frame(in, c);
        CHECK(s == st::success);
        const unsigned char want[] = {9, 0, 0, 0, 1, 0, 0, 0, 0, 0xA5, 0xA5, 0xA5};
        CHECK(bytes(response, sizeof response) == bytes(want, sizeof want));
        // wire.md 2.4: the handler receives a zero-filled response, an empty one too.
        CHECK(c.calls == 1U);
        CHECK(c.empty_response_byte == 0U);
    }
}

// A 64-bit member at a multiple of 8 has one layout on every target (x86 included).
static_assert(offsetof(stamped, stamp) == 8 && sizeof(stamped) == 16 && kshake::payload<stamped>);
static_assert(offsetof(kshake::detail::envelope<stamped>, body) == 8 &&
              kshake::detail::envelope_size<stamped> == 24);

namespace {
struct loose {
    std::uint32_t a;
    std::uint64_t b;
};
// Where a uint64_t member is 8-aligned (x64, arm64, MSVC and MinGW x86), `loose` has 4 bytes of
// implicit padding and is refused. i386 SysV (our -m32 build) aligns it to 4 inside a struct: no
// padding, so it is a payload there, with b at 4 where x64 puts it at 8. That difference is why
// a payload places its 64-bit members at multiples of 8 by hand, as `stamped` does.
struct u64_member_probe {
    std::uint32_t a;
    std::uint64_t b;
};
constexpr bool u64_member_8_aligned = offsetof(u64_member_probe, b) == 8;
static_assert(u64_member_8_aligned ? !kshake::payload<loose> : kshake::payload<loose>);
#if defined(__i386__) && !defined(_WIN32)
static_assert(!u64_member_8_aligned && offsetof(loose, b) == 4);
#elif defined(__x86_64__) || defined(__aarch64__)
static_assert(u64_member_8_aligned);
#endif
} // namespace

TEST_CASE("wire 1.0 (h) body layout: a 64-bit member at offset 8 of the body") {
    context c{};
    alignas(8) unsigned char request[24]{};
    alignas(8) unsigned char response[24]{};
    store_header(request, 24, 1);
    store32(request + 8, 5);
    store32(request + 12, 0);
    const std::uint64_t stamp = 0x1122334455667788ULL;
    std::memcpy(request + 16, &stamp, sizeof stamp);
    store_header(response, 24, 0);
    const kshake::handshake in{stamping::id, request, response};
    kshake::handshake out{};
    REQUIRE(sink::serve(c, &in, &out) == st::success);
    // clang-format off
    const unsigned char want[] = {
        24, 0, 0, 0, 1, 0, 0, 0,
        5, 0, 0, 0, 0, 0, 0, 0,
        0x89, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
    };
    // clang-format on
    CHECK(bytes(response, sizeof response) == bytes(want, sizeof want));
}

TEST_CASE("wire 1.0 (i) callback with a null Pin") {
    alignas(8) unsigned char request[16]{};
    alignas(8) unsigned char response[16]{};
    store_header(request, 16, 3);
    store32(request + 8, 21);
    store32(request + 12, 0);
    store_header(response, 16, 0);
    const auto request_before = bytes(request, sizeof request);
    const auto response_before = bytes(response, sizeof response);
    kshake::handshake in{ping::id, request, response};
    kshake::handshake out = untouched_out;
    // As ks.sys calls it: through a PFNKSPINHANDSHAKE-shaped pointer.
    constexpr kshake::mock::handshake_callback callback = &sink::callback<kshake::mock::pin*>;
    CHECK(callback(nullptr, &in, &out) == st::invalid_device_state);
    CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
    CHECK(bytes(request, sizeof request) == request_before);
    CHECK(bytes(response, sizeof response) == response_before);
    // In and Out are checked first.
    CHECK(callback(nullptr, nullptr, &out) == st::invalid_parameter);
    CHECK(callback(nullptr, &in, nullptr) == st::invalid_parameter);
    CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
}

TEST_CASE("wire 1.0 (j) an accepted result: status exactly 0, the offered version") {
    SUBCASE("negotiate over mock pins") {
        context state{};
        kshake::mock::pin source;
        kshake::mock::pin target{&state};
        kshake::mock::connect(source, target);
        target.register_handshake_callback(&sink::callback<kshake::mock::pin*>);
        const auto r =
            kshake::negotiate<ping>(kshake::mock::connected_pin(source), ping_request{21, 0});
        CHECK(r.status() == 0);
        CHECK(r.version() == 3U);
        REQUIRE(r.ok());
        CHECK(r->version == 3U);
    }
    SUBCASE("negotiate_first: the accepted offer's version") {
        // The responder serves [2, 3], so the first offer (4) is refused and 2 accepted.
        using v4 = kshake::at_version<ping, 4>;
        using v2 = kshake::at_version<ping, 2>;
        const auto r =
            kshake::negotiate_first<v4, v2>(&honest, ping_request{21, 0}, ping_request{21, 0});
        CHECK(r.status() == 0);
        CHECK(r.version() == 2U);
        CHECK(r.index() == 1U);
        REQUIRE(r.ok());
        CHECK(r.get<v2>().version == 2U);
    }
    SUBCASE("raw codec: version_v<P>") {
        int cookie = 0;
        const auto r =
            kshake::negotiate<pointers>(&honest, kshake::raw_arguments{&cookie, nullptr});
        CHECK(r.status() == 0);
        CHECK(r.version() == kshake::version_v<pointers>);
        CHECK(r.version() == 2U);
        REQUIRE(r.ok());
        CHECK(r->argument2 == &cookie);
    }
}

TEST_CASE("wire 1.0 (k) handler statuses: warnings refuse, informational delivers") {
    for (const std::uint32_t code : {0x80000005U, 0x40000001U}) {
        CAPTURE(code);
        context c{};
        alignas(8) unsigned char request[16]{};
        alignas(8) unsigned char response[16]{};
        store_header(request, 16, 1);
        store32(request + 8, code);
        store32(request + 12, 9);
        store_header(response, 16, 0);
        const auto response_before = bytes(response, sizeof response);
        const kshake::handshake in{probe::id, request, response};
        kshake::handshake out = untouched_out;
        const ntstatus s = sink::serve(c, &in, &out);
        CHECK(c.calls == 1U);
        if (code == 0x80000005U) {
            CHECK(s == static_cast<ntstatus>(code));
            CHECK(bytes(response, sizeof response) == response_before);
            CHECK(bytes(&out, sizeof out) == bytes(&untouched_out, sizeof untouched_out));
        } else {
            CHECK(s == st::success);
            // clang-format off
            const unsigned char want[] = {
                16, 0, 0, 0, 1, 0, 0, 0,
                9, 0, 0, 0, 0, 0, 0, 0,
            };
            // clang-format on
            CHECK(bytes(response, sizeof response) == bytes(want, sizeof want));
            CHECK(bytes(&out, sizeof out) == bytes_of_handshake(probe::id, response, nullptr));
        }
    }
}

namespace {
// KSHANDSHAKE as bytes, alignment 1: what a pointer to an unaligned KSHANDSHAKE can be typed as.
struct byte_handshake {
    unsigned char bytes[sizeof(kshake::handshake)];
};
} // namespace

TEST_CASE("wire 1.0 (l) In, Out and both envelopes at odd addresses") {
    for (const bool via_callback : {false, true}) {
        CAPTURE(via_callback);
        context state{};
        alignas(8) unsigned char arena[160]{};
        std::memset(arena, 0xA5, sizeof arena);
        unsigned char* const in_at = arena + 1;
        unsigned char* const out_at = arena + 43;
        unsigned char* const request = arena + 85;
        unsigned char* const response = arena + 111;
        store_header(request, 16, 3);
        store32(request + 8, 21);
        store32(request + 12, 0);
        store_header(response, 16, 0);
        const kshake::handshake in_value{ping::id, request, response};
        std::memcpy(in_at, &in_value, sizeof in_value);

        unsigned char want[sizeof arena];
        std::memcpy(want, arena, sizeof arena);
        const auto answer = ping_answer(21, 3);
        std::memcpy(want + (response - arena), answer.data(), answer.size());
        const auto out_bytes = bytes_of_handshake(ping::id, response, nullptr);
        std::memcpy(want + (out_at - arena), out_bytes.data(), out_bytes.size());

        ntstatus s = st::unsuccessful;
        if (via_callback) {
            kshake::mock::pin pin{&state};
            s = sink::callback<kshake::mock::pin*, byte_handshake>(
                &pin, reinterpret_cast<byte_handshake*>(in_at),
                reinterpret_cast<byte_handshake*>(out_at));
        } else {
            s = sink::serve(state, reinterpret_cast<const kshake::handshake*>(in_at),
                            reinterpret_cast<kshake::handshake*>(out_at));
        }
        CHECK(s == st::success);
        CHECK(bytes(arena, sizeof arena) == bytes(want, sizeof want));
    }
}

TEST_CASE("wire 1.0 (m) success without writing Out is a protocol error") {
    // A protocol whose id is the nil GUID does not compile: tests/compile_fail/protocol_nil_id.cpp.
    SUBCASE("Out starts zeroed: a silent success names the nil GUID") {
        bool out_was_zero = false;
        auto silent = [&out_was_zero](const kshake::handshake&,
                                      kshake::handshake& reply) noexcept -> ntstatus {
            const unsigned char zero[sizeof(kshake::handshake)]{};
            out_was_zero = std::memcmp(&reply, zero, sizeof zero) == 0;
            return st::success;
        };
        const auto r = kshake::negotiate<ping>(silent, ping_request{21, 0});
        CHECK(out_was_zero);
        CHECK(r.status() == st::device_protocol_error);
        CHECK_FALSE(r.ok());
    }
    SUBCASE("over mock pins: a peer forced to answer STATUS_SUCCESS without running") {
        context state{};
        kshake::mock::pin source;
        kshake::mock::pin target{&state};
        kshake::mock::connect(source, target);
        target.register_handshake_callback(&sink::callback<kshake::mock::pin*>);
        target.inject({kshake::mock::fault::kind::force_status, st::success, {}, 0, 1});
        const auto r =
            kshake::negotiate<ping>(kshake::mock::connected_pin(source), ping_request{21, 0});
        CHECK(r.status() == st::device_protocol_error);
        CHECK(state.calls == 0U);
        // The fault was for one answer only: the next negotiation is served.
        CHECK(
            kshake::negotiate<ping>(kshake::mock::connected_pin(source), ping_request{21, 0}).ok());
    }
}
