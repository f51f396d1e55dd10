// The C peer (peer.c, written on <kshake/kshake_wire.h> alone) and kshake negotiating both
// ways, byte for byte; and kshake_wire.h checked against kshake's own definitions.
// Byte images are little-endian, as every Windows target is (docs/wire.md).
#include "peer.h"

#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <type_traits>

using namespace kshake::literals;
using kshake::ntstatus;
namespace st = kshake::status;

// ---- kshake_wire.h is kshake's wire: layouts, sizes, statuses ----------------------------------

static_assert(KSHAKE_WIRE_CONTRACT_MAJOR == kshake::wire_contract_major &&
              KSHAKE_WIRE_CONTRACT_MINOR == kshake::wire_contract_minor);

static_assert(sizeof(kshake_wire_guid) == sizeof(kshake::guid) &&
              alignof(kshake_wire_guid) == alignof(kshake::guid));
static_assert(offsetof(kshake_wire_guid, data1) == offsetof(kshake::guid, data1) &&
              offsetof(kshake_wire_guid, data2) == offsetof(kshake::guid, data2) &&
              offsetof(kshake_wire_guid, data3) == offsetof(kshake::guid, data3) &&
              offsetof(kshake_wire_guid, data4) == offsetof(kshake::guid, data4));
static_assert(sizeof(kshake_wire_handshake) == sizeof(kshake::handshake) &&
              alignof(kshake_wire_handshake) == alignof(kshake::handshake));
static_assert(offsetof(kshake_wire_handshake, protocol_id) ==
                  offsetof(kshake::handshake, protocol_id) &&
              offsetof(kshake_wire_handshake, argument1) ==
                  offsetof(kshake::handshake, argument1) &&
              offsetof(kshake_wire_handshake, argument2) == offsetof(kshake::handshake, argument2));
static_assert(sizeof(kshake_envelope_header) == sizeof(kshake::detail::envelope_header) &&
              offsetof(kshake_envelope_header, size) ==
                  offsetof(kshake::detail::envelope_header, size) &&
              offsetof(kshake_envelope_header, version) ==
                  offsetof(kshake::detail::envelope_header, version));
static_assert(KSHAKE_ENVELOPE_BODY_OFFSET == kshake::detail::envelope_body_offset);
static_assert(offsetof(kshake::detail::envelope<c_peer_echo_response>, body) ==
              KSHAKE_ENVELOPE_BODY_OFFSET);
static_assert(KSHAKE_ENVELOPE_SIZE(sizeof(c_peer_echo_request)) ==
                  kshake::detail::envelope_size<c_peer_echo_request> &&
              KSHAKE_ENVELOPE_SIZE(sizeof(c_peer_echo_response)) ==
                  kshake::detail::envelope_size<c_peer_echo_response> &&
              KSHAKE_ENVELOPE_SIZE(sizeof(c_peer_query_request)) ==
                  kshake::detail::envelope_size<c_peer_query_request> &&
              KSHAKE_ENVELOPE_SIZE(sizeof(c_peer_query_response)) ==
                  kshake::detail::envelope_size<c_peer_query_response>);

// Decision 1: the C peer's payloads are kshake payloads (no implicit padding among them).
static_assert(kshake::payload<c_peer_echo_request> && kshake::payload<c_peer_echo_response> &&
              kshake::payload<c_peer_query_request> && kshake::payload<c_peer_query_response>);

namespace {

// Every status kshake names is in kshake_wire.h, as KSHAKE_<its ntstatus.h name>, with its value.
struct c_status {
    kshake_wire_status value;
    const char* name;
};
#define KSHAKE_TEST_C_STATUS(NAME)                                                                 \
    c_status { KSHAKE_##NAME, #NAME }
constexpr c_status c_statuses[] = {
    KSHAKE_TEST_C_STATUS(STATUS_SUCCESS),
    KSHAKE_TEST_C_STATUS(STATUS_PENDING),
    KSHAKE_TEST_C_STATUS(STATUS_BUFFER_OVERFLOW),
    KSHAKE_TEST_C_STATUS(STATUS_UNSUCCESSFUL),
    KSHAKE_TEST_C_STATUS(STATUS_NOT_IMPLEMENTED),
    KSHAKE_TEST_C_STATUS(STATUS_INVALID_PARAMETER),
    KSHAKE_TEST_C_STATUS(STATUS_INVALID_DEVICE_REQUEST),
    KSHAKE_TEST_C_STATUS(STATUS_BUFFER_TOO_SMALL),
    KSHAKE_TEST_C_STATUS(STATUS_REVISION_MISMATCH),
    KSHAKE_TEST_C_STATUS(STATUS_INSUFFICIENT_RESOURCES),
    KSHAKE_TEST_C_STATUS(STATUS_DEVICE_NOT_CONNECTED),
    KSHAKE_TEST_C_STATUS(STATUS_NOT_SUPPORTED),
    KSHAKE_TEST_C_STATUS(STATUS_CANCELLED),
    KSHAKE_TEST_C_STATUS(STATUS_INVALID_DEVICE_STATE),
    KSHAKE_TEST_C_STATUS(STATUS_DEVICE_PROTOCOL_ERROR),
    KSHAKE_TEST_C_STATUS(STATUS_INVALID_BUFFER_SIZE),
    KSHAKE_TEST_C_STATUS(STATUS_NOT_FOUND),
};
#undef KSHAKE_TEST_C_STATUS

constexpr bool same_text(const char* a, const char* b) noexcept {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

consteval bool c_statuses_are_kshakes() noexcept {
    return std::size(c_statuses) == std::size(kshake::detail::status_names) &&
           std::ranges::all_of(c_statuses, [](const c_status& s) {
               return same_text(kshake::status_name(s.value), s.name) &&
                      KSHAKE_NT_SUCCESS(s.value) == kshake::nt_success(s.value);
           });
}
static_assert(c_statuses_are_kshakes());
static_assert(KSHAKE_NT_SUCCESS(0x40000000) && KSHAKE_NT_SUCCESS(0x7FFFFFFF) &&
              !KSHAKE_NT_SUCCESS(static_cast<kshake_wire_status>(0x80000000U)));

// ---- the protocols, as kshake spells them ---------------------------------------------------

struct c_echo {
    static constexpr kshake::guid id = C_PEER_ECHO_ID;
    using request = c_peer_echo_request;
    using response = c_peer_echo_response;
    static constexpr std::uint32_t version = C_PEER_ECHO_VERSION;
    static constexpr std::uint32_t min_version = C_PEER_ECHO_MIN_VERSION;
};
struct c_query {
    static constexpr kshake::guid id = C_PEER_QUERY_ID;
    using request = c_peer_query_request;
    using response = c_peer_query_response;
};
struct c_raw {
    static constexpr kshake::guid id = C_PEER_RAW_ID;
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
};
static_assert(c_echo::id == "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F405101"_guid);
static_assert(c_query::id == "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F405102"_guid);
static_assert(c_raw::id == "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F405103"_guid);

// What the C responder must refuse: an id it does not serve, and the echo id with a request
// shorter, or a response longer, than its own.
struct not_served {
    static constexpr kshake::guid id = "6A1E7C30-2B4D-4F8E-9C1A-0D2E3F4051FF"_guid;
    using request = c_peer_echo_request;
    using response = c_peer_echo_response;
};
struct short_request {
    std::uint32_t value;
};
struct echo_short_request {
    static constexpr kshake::guid id = C_PEER_ECHO_ID;
    using request = short_request;
    using response = c_peer_echo_response;
    static constexpr std::uint32_t version = 3;
};
struct short_response {
    std::uint32_t value;
    std::uint32_t version;
};
struct echo_short_response {
    static constexpr kshake::guid id = C_PEER_ECHO_ID;
    using request = c_peer_echo_request;
    using response = short_response;
    static constexpr std::uint32_t version = 3;
};
// A longer response than the C responder's: its capacity passes check 7, but the answer's size
// is not the envelope size this initiator expects (§2.5).
struct long_response {
    std::uint32_t words[5];
};
struct echo_long_response {
    static constexpr kshake::guid id = C_PEER_ECHO_ID;
    using request = c_peer_echo_request;
    using response = long_response;
    static constexpr std::uint32_t version = 3;
};

// ---- kshake's responder for the same protocols ----------------------------------------------

constexpr std::uint64_t test_cookie = 0x0102030405060708ULL;

struct cxx_state {
    std::uint64_t cookie{test_cookie};
    ntstatus echo_status{st::success};
    std::uint32_t echo_served{0};
    std::uint32_t last_version{0};
    c_peer_echo_request last_echo{};
    void* interface{nullptr};
};

ntstatus cxx_echo(cxx_state& s, const c_peer_echo_request& in, c_peer_echo_response& out,
                  std::uint32_t version) noexcept {
    ++s.echo_served;
    s.last_version = version;
    s.last_echo = in;
    out.value = in.value + 1U;
    out.version = version;
    out.cookie = s.cookie;
    return s.echo_status;
}

ntstatus cxx_query(cxx_state&, const c_peer_query_request& in,
                   c_peer_query_response& out) noexcept {
    constexpr char name[] = "c-peer";
    for (std::size_t i = 0; i + 1 < sizeof name; ++i) {
        out.name[i] = static_cast<std::uint8_t>(name[i]);
    }
    out.command = static_cast<std::uint16_t>(in.command & 0xFFFFU);
    return st::success;
}

ntstatus cxx_raw(cxx_state& s, const kshake::raw_arguments& in,
                 kshake::raw_arguments& out) noexcept {
    out.argument1 = s.interface;
    out.argument2 = in.argument1;
    return st::success;
}

using cxx_responder =
    kshake::responder<cxx_state, kshake::route<c_echo, cxx_echo>, kshake::route<c_query, cxx_query>,
                      kshake::route<c_raw, cxx_raw>>;

// ---- bytes --------------------------------------------------------------------------------

struct bytes {
    std::array<unsigned char, KSHAKE_ENVELOPE_BODY_OFFSET + C_PEER_MAX_BODY> at{};
    std::size_t size{0};
    friend bool operator==(const bytes&, const bytes&) = default;
};

std::ostream& operator<<(std::ostream& os, const bytes& b) {
    constexpr char digits[] = "0123456789ABCDEF";
    os << '{';
    for (std::size_t i = 0; i < b.size; ++i) {
        os << (i == 0 ? "" : " ") << digits[b.at[i] >> 4U] << digits[b.at[i] & 0xFU];
    }
    return os << '}';
}

bytes bytes_at(const void* from, std::size_t count) {
    bytes b{};
    if (from != nullptr && count <= b.at.size()) {
        std::memcpy(b.at.data(), from, count);
        b.size = count;
    }
    return b;
}

void put32(unsigned char* to, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) {
        to[i] = static_cast<unsigned char>(value >> (8 * i));
    }
}

bytes envelope(std::uint32_t size, std::uint32_t version,
               std::initializer_list<unsigned char> body) {
    bytes b{};
    put32(b.at.data(), size);
    put32(b.at.data() + 4, version);
    std::size_t i = KSHAKE_ENVELOPE_BODY_OFFSET;
    for (const unsigned char c : body) {
        b.at[i++] = c;
    }
    b.size = i;
    return b;
}

bool is_zero(const void* from, std::size_t count) {
    const auto* const b = static_cast<const unsigned char*>(from);
    for (std::size_t i = 0; i < count; ++i) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

bool all_bytes(const void* from, std::size_t count, unsigned char value) {
    const auto* const b = static_cast<const unsigned char*>(from);
    for (std::size_t i = 0; i < count; ++i) {
        if (b[i] != value) {
            return false;
        }
    }
    return true;
}

kshake_wire_handshake* as_wire(void* handshake) {
    return static_cast<kshake_wire_handshake*>(handshake);
}

// The exchanges both sides must produce (docs/wire.md §2.2, §2.4).
constexpr c_peer_echo_request echo_request{0x11223344U, 0xA1B2U, {0, 0}};
constexpr c_peer_query_request query_request{0xABCD1234U};

bytes echo_request_envelope(std::uint32_t version) {
    return envelope(16, version, {0x44, 0x33, 0x22, 0x11, 0xB2, 0xA1, 0, 0});
}
bytes echo_response_envelope(std::uint32_t version) {
    const auto v = static_cast<unsigned char>(version);
    return envelope(24, version, {0x45, 0x33, 0x22, 0x11, v, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1});
}
bytes fresh_response_envelope(std::size_t capacity) { // §2.2 and §2.5
    bytes b = envelope(static_cast<std::uint32_t>(capacity), 0, {});
    b.size = capacity;
    return b;
}

bytes handshake_bytes(const kshake::guid& id, void* argument1, void* argument2) {
    const kshake::handshake h{id, argument1, argument2};
    return bytes_at(&h, sizeof h);
}
const bytes query_request_envelope = envelope(12, 1, {0x34, 0x12, 0xCD, 0xAB});
const bytes query_response_envelope =
    envelope(20, 1, {'c', '-', 'p', 'e', 'e', 'r', 0, 0, 0, 0, 0x34, 0x12});

enum class path { direct, connected_pin, file_object };
constexpr path every_path[] = {path::direct, path::connected_pin, path::file_object};

// ---- the C initiator's peer: kshake's responder behind a C transport ------------------------

// How the transport breaks §2.5 after kshake's responder answered (or instead of it).
enum class breakage {
    none,
    other_protocol_id,
    other_argument1,
    argument2_set,
    response_size,
    response_version,
    nothing_written,
    informational,
    pending,
};
constexpr breakage every_breakage[] = {
    breakage::other_protocol_id, breakage::other_argument1,  breakage::argument2_set,
    breakage::response_size,     breakage::response_version, breakage::nothing_written,
    breakage::informational,     breakage::pending,
};

struct kshake_peer {
    cxx_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};
    path via{path::direct};
    breakage broken{breakage::none};
    // What the transport saw: In, the envelopes (of the sizes the test expects) before and after
    // kshake answered, and Out after.
    std::size_t request_size{0};
    std::size_t response_size{0};
    std::uint32_t calls{0};
    kshake_wire_handshake in{};
    bytes request_before, request_after, response_before, response_after;
    kshake_wire_handshake out{};
    unsigned char elsewhere[32]{};

    kshake_peer() {
        connect(source, sink);
        sink.register_handshake_callback(&cxx_responder::callback<kshake::mock::pin*>);
    }
    void sizes(std::size_t request_body, std::size_t response_body) {
        request_size = KSHAKE_ENVELOPE_SIZE(request_body);
        response_size = KSHAKE_ENVELOPE_SIZE(response_body);
    }

    ntstatus answer(const kshake_wire_handshake* wire_in, kshake_wire_handshake* wire_out) {
        ++calls;
        std::memcpy(&in, wire_in, sizeof in);
        request_before = bytes_at(in.argument1, request_size);
        response_before = bytes_at(in.argument2, response_size);
        kshake::handshake request{};
        kshake::handshake reply{};
        std::memcpy(&request, wire_in, sizeof request);
        std::memcpy(&reply, wire_out, sizeof reply);
        ntstatus s = st::success;
        if (broken != breakage::nothing_written) {
            switch (via) {
            case path::direct:
                s = cxx_responder::serve(state, &request, &reply);
                break;
            case path::connected_pin:
                s = kshake::mock::connected_pin{source}(request, reply);
                break;
            case path::file_object:
                s = kshake::mock::file_object{sink}(request, reply);
                break;
            }
        }
        if (s == st::success) {
            s = break_answer(reply);
        }
        std::memcpy(wire_out, &reply, sizeof reply);
        request_after = bytes_at(in.argument1, request_size);
        response_after = bytes_at(in.argument2, response_size);
        std::memcpy(&out, wire_out, sizeof out);
        return s;
    }

    ntstatus break_answer(kshake::handshake& reply) {
        auto* const response = static_cast<unsigned char*>(in.argument2);
        switch (broken) {
        case breakage::other_protocol_id:
            reply.protocol_id = c_query::id;
            break;
        case breakage::other_argument1:
            reply.argument1 = elsewhere;
            break;
        case breakage::argument2_set:
            reply.argument2 = in.argument1;
            break;
        case breakage::response_size:
            ++response[0];
            break;
        case breakage::response_version:
            ++response[4];
            break;
        case breakage::informational:
            return static_cast<ntstatus>(0x40000000);
        case breakage::pending:
            return st::pending;
        default:
            break;
        }
        return st::success;
    }
};

} // namespace

// The C transport function pointer the C initiator calls.
extern "C" {
static kshake_wire_status kshake_side(void* context, const kshake_wire_handshake* in,
                                      kshake_wire_handshake* out) {
    return static_cast<kshake_peer*>(context)->answer(in, out);
}
}

namespace {

kshake_wire_status c_offer_echo(kshake_peer& peer, const kshake_wire_guid& id,
                                std::uint32_t version, std::size_t request_size,
                                c_peer_echo_response& response,
                                std::size_t response_size = sizeof(c_peer_echo_response)) {
    peer.sizes(request_size, response_size);
    return c_negotiate(&kshake_side, &peer, &id, version, &echo_request, request_size, &response,
                       response_size);
}

const kshake_wire_guid echo_wire_id = C_PEER_ECHO_ID;
const kshake_wire_guid query_wire_id = C_PEER_QUERY_ID;
const kshake_wire_guid raw_wire_id = C_PEER_RAW_ID;
const kshake_wire_guid unknown_wire_id = {
    0x6A1E7C30U, 0x2B4DU, 0x4F8EU, {0x9CU, 0x1AU, 0x0DU, 0x2EU, 0x3FU, 0x40U, 0x51U, 0xFFU}};

// ---- kshake's initiator and the C responder -------------------------------------------------

ntstatus c_callback(kshake::mock::pin* pin, kshake::handshake* in,
                    kshake::handshake* out) noexcept {
    return c_responder(pin->context(), as_wire(in), as_wire(out));
}

struct c_peer {
    c_peer_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};
    path via{path::direct};
    std::size_t request_size{0};
    std::size_t response_size{0};
    std::uint32_t calls{0};
    kshake::handshake in{};
    bytes request_before, request_after, response_before, response_after;
    kshake::handshake out{};

    c_peer() {
        state.cookie = test_cookie;
        state.echo_status = KSHAKE_STATUS_SUCCESS;
        connect(source, sink);
        sink.register_handshake_callback(&c_callback);
    }
    template <class P>
    void sizes() {
        request_size = kshake::detail::envelope_size<kshake::request_t<P>>;
        response_size = kshake::detail::envelope_size<kshake::response_t<P>>;
    }

    ntstatus exchange(const kshake::handshake& offer, kshake::handshake& reply) noexcept {
        ++calls;
        in = offer;
        request_before = bytes_at(offer.argument1, request_size);
        response_before = bytes_at(offer.argument2, response_size);
        ntstatus s = st::unsuccessful;
        switch (via) {
        case path::direct: {
            kshake::handshake request = offer; // PFNKSPINHANDSHAKE's In is not const
            s = c_responder(&state, as_wire(&request), as_wire(&reply));
            break;
        }
        case path::connected_pin:
            s = kshake::mock::connected_pin{source}(offer, reply);
            break;
        case path::file_object:
            s = kshake::mock::file_object{sink}(offer, reply);
            break;
        }
        request_after = bytes_at(offer.argument1, request_size);
        response_after = bytes_at(offer.argument2, response_size);
        out = reply;
        return s;
    }
    auto transport() {
        return [this](const kshake::handshake& offer, kshake::handshake& reply) noexcept {
            return exchange(offer, reply);
        };
    }
};

bool answered_by_the_book(const kshake::handshake& in, const kshake::handshake& out,
                          const kshake::guid& id) {
    return out.protocol_id == id && out.argument1 == in.argument2 && out.argument2 == nullptr;
}

template <class P>
void check_refused_by_c(c_peer& peer, ntstatus expected) {
    peer.sizes<P>();
    kshake::request_t<P> request;
    std::memset(&request, 0x5A, sizeof request);
    const auto r = kshake::negotiate<P>(peer.transport(), request);
    CHECK(r.status() == expected);
    CHECK(peer.calls == 1U);
    CHECK(peer.request_after == peer.request_before);
    CHECK(peer.response_after == peer.response_before);
    CHECK(is_zero(&peer.out, sizeof peer.out));
}

// ---- the C responder driven by hand ---------------------------------------------------------

#if defined(__linux__)
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

void put_echo_request(unsigned char* envelope_at, std::uint32_t size, std::uint32_t version) {
    put32(envelope_at, size);
    put32(envelope_at + 4, version);
    std::memcpy(envelope_at + KSHAKE_ENVELOPE_BODY_OFFSET, &echo_request, sizeof echo_request);
}

void put_handshake(unsigned char* at, const kshake::guid& id, void* argument1, void* argument2) {
    const kshake::handshake h{id, argument1, argument2};
    std::memcpy(at, &h, sizeof h);
}

} // namespace

// ---- the tests ------------------------------------------------------------------------------

TEST_CASE("kshake_wire.h: the GUID compare and the C initiator's offer, byte for byte") {
    const kshake::guid id = c_echo::id;
    CHECK(kshake_wire_guid_equal(&id, &echo_wire_id) == 1);
    CHECK(kshake_wire_guid_equal(&id, &query_wire_id) == 0);
    for (std::size_t i = 0; i < sizeof id; ++i) { // any byte differing
        kshake::guid other = id;
        reinterpret_cast<unsigned char*>(&other)[i] ^= 0x80U;
        CHECK(kshake_wire_guid_equal(&other, &echo_wire_id) == 0);
    }

    alignas(8) unsigned char arena[128];
    std::memset(arena, 0xA5, sizeof arena);
    unsigned char* const in_at = arena + 1;
    unsigned char* const out_at = arena + 35;
    unsigned char* const request = arena + 69; // its body is the caller's: left as it is
    unsigned char* const response = arena + 93;
    kshake_wire_prepare_offer(in_at, out_at, &echo_wire_id, 3, request, sizeof echo_request,
                              response, 28);
    CHECK(bytes_at(in_at, sizeof(kshake::handshake)) ==
          handshake_bytes(c_echo::id, request, response));
    CHECK(is_zero(out_at, sizeof(kshake::handshake)));
    CHECK(bytes_at(request, 8) == envelope(16, 3, {}));
    CHECK(all_bytes(request + 8, 16, 0xA5));
    CHECK(bytes_at(response, 28) == fresh_response_envelope(28));
    CHECK(all_bytes(response + 28, sizeof arena - 93 - 28, 0xA5)); // nothing past the capacity
    CHECK(arena[0] == 0xA5);
}

TEST_CASE("the C initiator and kshake's responder agree, byte for byte") {
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        for (std::uint32_t version = C_PEER_ECHO_MIN_VERSION; version <= C_PEER_ECHO_VERSION;
             ++version) {
            CAPTURE(version);
            kshake_peer peer;
            peer.via = via;
            c_peer_echo_response response{};
            REQUIRE(c_offer_echo(peer, echo_wire_id, version, sizeof echo_request, response) ==
                    KSHAKE_STATUS_SUCCESS);
            CHECK(response.value == 0x11223345U);
            CHECK(response.version == version);
            CHECK(response.cookie == test_cookie);
            CHECK(peer.state.last_version == version);
            CHECK(std::memcmp(&peer.state.last_echo, &echo_request, sizeof echo_request) == 0);
            CHECK(peer.request_before == echo_request_envelope(version));
            CHECK(peer.request_after == echo_request_envelope(version));
            CHECK(peer.response_before == fresh_response_envelope(24));
            CHECK(peer.response_after == echo_response_envelope(version));
            CHECK(kshake_wire_guid_equal(&peer.out.protocol_id, &echo_wire_id) == 1);
            CHECK(peer.out.argument1 == peer.in.argument2);
            CHECK(peer.out.argument2 == nullptr);
            // The C initiator's envelopes sit at odd addresses.
            CHECK(reinterpret_cast<std::uintptr_t>(peer.in.argument1) % 2 == 1);
            CHECK(reinterpret_cast<std::uintptr_t>(peer.in.argument2) % 2 == 1);
        }

        kshake_peer peer;
        peer.via = via;
        peer.sizes(sizeof(c_peer_query_request), sizeof(c_peer_query_response));
        c_peer_query_response answer{};
        REQUIRE(c_negotiate(&kshake_side, &peer, &query_wire_id, 1, &query_request,
                            sizeof query_request, &answer, sizeof answer) == KSHAKE_STATUS_SUCCESS);
        CHECK(std::memcmp(answer.name, "c-peer\0\0\0\0", 10) == 0);
        CHECK(answer.command == 0x1234U);
        CHECK(peer.request_before == query_request_envelope);
        CHECK(peer.response_after == query_response_envelope);

        // Decision 5: a handler's informational status delivers, and the answer is SUCCESS.
        kshake_peer informed;
        informed.via = via;
        informed.state.echo_status = static_cast<ntstatus>(0x40000001);
        c_peer_echo_response response{};
        CHECK(c_offer_echo(informed, echo_wire_id, 2, sizeof echo_request, response) ==
              KSHAKE_STATUS_SUCCESS);
        CHECK(informed.response_after == echo_response_envelope(2));
    }
}

TEST_CASE("the C initiator hears kshake's refusals as they are, and nothing is written") {
    struct refusal {
        const char* what;
        const kshake_wire_guid* id;
        std::uint32_t version;
        std::size_t request_size;
        std::size_t response_size;
        ntstatus handler_status;
        ntstatus expected;
    };
    constexpr std::size_t rq = sizeof(c_peer_echo_request);
    constexpr std::size_t rs = sizeof(c_peer_echo_response);
    const refusal refusals[] = {
        {"unknown id", &unknown_wire_id, 3, rq, rs, st::success, st::invalid_device_request},
        {"version below", &echo_wire_id, 1, rq, rs, st::success, st::revision_mismatch},
        {"version above", &echo_wire_id, 5, rq, rs, st::success, st::revision_mismatch},
        {"version before size", &echo_wire_id, 5, rq - 1, rs, st::success, st::revision_mismatch},
        {"short request", &echo_wire_id, 3, rq - 1, rs, st::success, st::invalid_buffer_size},
        {"small capacity", &echo_wire_id, 3, rq, rs - 1, st::success, st::buffer_too_small},
        {"handler refusal", &echo_wire_id, 3, rq, rs, st::insufficient_resources,
         st::insufficient_resources},
        {"handler warning", &echo_wire_id, 3, rq, rs, st::buffer_overflow, st::buffer_overflow},
    };
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        for (const refusal& r : refusals) {
            CAPTURE(r.what);
            kshake_peer peer;
            peer.via = via;
            peer.state.echo_status = r.handler_status;
            c_peer_echo_response response;
            std::memset(&response, 0xEE, sizeof response);
            CHECK(c_offer_echo(peer, *r.id, r.version, r.request_size, response, r.response_size) ==
                  r.expected);
            CHECK(peer.calls == 1U);
            CHECK(peer.request_after == peer.request_before);
            CHECK(peer.response_after == peer.response_before);
            CHECK(peer.response_before == fresh_response_envelope(peer.response_size));
            CHECK(is_zero(&peer.out, sizeof peer.out));
            CHECK(all_bytes(&response, sizeof response, 0xEE));
            CHECK(peer.state.echo_served == (r.handler_status == st::success ? 0U : 1U));
        }
    }
}

TEST_CASE("the C initiator's judge: an answer that breaks a rule is STATUS_DEVICE_PROTOCOL_ERROR") {
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        for (const breakage broken : every_breakage) {
            CAPTURE(static_cast<int>(broken));
            kshake_peer peer;
            peer.via = via;
            peer.broken = broken;
            c_peer_echo_response response;
            std::memset(&response, 0xEE, sizeof response);
            CHECK(c_offer_echo(peer, echo_wire_id, 3, sizeof echo_request, response) ==
                  KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR);
            CHECK(all_bytes(&response, sizeof response, 0xEE));
        }
    }
    SUBCASE("the transport's own statuses (mock faults): failures as they are, successes not") {
        using kind = kshake::mock::fault::kind;
        struct fault_case {
            kind what;
            ntstatus status;
            ntstatus expected;
        };
        const fault_case faults[] = {
            {kind::write_out_then_fail, st::buffer_overflow, st::buffer_overflow},
            {kind::write_out_then_fail, st::not_supported, st::not_supported},
            {kind::force_status, st::device_protocol_error, st::device_protocol_error},
            {kind::force_status, st::pending, st::device_protocol_error},
            {kind::force_status, static_cast<ntstatus>(0x40000000), st::device_protocol_error},
            {kind::force_status, static_cast<ntstatus>(0x00000102), st::device_protocol_error},
            {kind::force_status, st::success, st::device_protocol_error}, // Out left zeroed
        };
        for (const fault_case& f : faults) {
            CAPTURE(f.status);
            kshake_peer peer;
            peer.via = path::connected_pin;
            kshake::mock::fault injected{};
            injected.what = f.what;
            injected.status = f.status;
            peer.sink.inject(injected);
            c_peer_echo_response response;
            std::memset(&response, 0xEE, sizeof response);
            CHECK(c_offer_echo(peer, echo_wire_id, 3, sizeof echo_request, response) == f.expected);
            CHECK(all_bytes(&response, sizeof response, 0xEE));
        }
    }
}

TEST_CASE("the C initiator's raw offer: only Out.ProtocolId is checked") {
    int interface = 0;
    int token = 0;
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        kshake_peer peer;
        peer.via = via;
        peer.state.interface = &interface;
        void* answer1 = nullptr;
        void* answer2 = nullptr;
        REQUIRE(c_negotiate_raw(&kshake_side, &peer, &raw_wire_id, &token, nullptr, &answer1,
                                &answer2) == KSHAKE_STATUS_SUCCESS);
        CHECK(answer1 == &interface);
        CHECK(answer2 == &token);
        CHECK(peer.in.argument1 == &token);
        CHECK(peer.in.argument2 == nullptr);

        // Pointers are the protocol's business: any pair is an answer.
        kshake_peer elsewhere;
        elsewhere.via = via;
        elsewhere.broken = breakage::other_argument1;
        REQUIRE(c_negotiate_raw(&kshake_side, &elsewhere, &raw_wire_id, &token, nullptr, &answer1,
                                &answer2) == KSHAKE_STATUS_SUCCESS);
        CHECK(answer1 == elsewhere.elsewhere);

        for (const breakage broken : {breakage::other_protocol_id, breakage::nothing_written,
                                      breakage::informational, breakage::pending}) {
            CAPTURE(static_cast<int>(broken));
            kshake_peer bad;
            bad.via = via;
            bad.broken = broken;
            answer1 = &token;
            answer2 = &token;
            CHECK(c_negotiate_raw(&kshake_side, &bad, &raw_wire_id, &token, nullptr, &answer1,
                                  &answer2) == KSHAKE_STATUS_DEVICE_PROTOCOL_ERROR);
            CHECK(answer1 == &token);
            CHECK(answer2 == &token);
        }
    }
}

TEST_CASE("kshake's initiator and the C responder agree, byte for byte") {
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        {
            c_peer peer;
            peer.via = via;
            peer.sizes<c_echo>();
            const auto r = kshake::negotiate<c_echo>(peer.transport(), echo_request);
            REQUIRE(r.status() == st::success);
            CHECK(r.version() == 4U);
            CHECK(r->value == 0x11223345U);
            CHECK(r->version == 4U);
            CHECK(r->cookie == test_cookie);
            CHECK(peer.request_before == echo_request_envelope(4));
            CHECK(peer.request_after == echo_request_envelope(4));
            CHECK(peer.response_before ==
                  fresh_response_envelope(24)); // §2.5: the body starts zeroed
            CHECK(peer.response_after == echo_response_envelope(4));
            CHECK(answered_by_the_book(peer.in, peer.out, c_echo::id));
            CHECK(peer.state.last_version == 4U);
            CHECK(std::memcmp(&peer.state.last_echo, &echo_request, sizeof echo_request) == 0);
        }
        {
            c_peer peer;
            peer.via = via;
            peer.sizes<c_echo>();
            const auto r =
                kshake::negotiate<kshake::at_version<c_echo, 2>>(peer.transport(), echo_request);
            REQUIRE(r.status() == st::success);
            CHECK(r.version() == 2U);
            CHECK(peer.request_before == echo_request_envelope(2));
            CHECK(peer.response_after == echo_response_envelope(2));
        }
        {
            // Falling back: 5 is refused (REVISION_MISMATCH), 3 is accepted.
            c_peer peer;
            peer.via = via;
            peer.sizes<c_echo>();
            const auto r = kshake::negotiate_first<kshake::at_version<c_echo, 5>,
                                                   kshake::at_version<c_echo, 3>>(
                peer.transport(), echo_request, echo_request);
            REQUIRE(r.status() == st::success);
            CHECK(r.index() == 1U);
            CHECK(r.version() == 3U);
            CHECK(peer.calls == 2U);
            CHECK(peer.state.echo_served == 1U);
            CHECK(peer.request_before == echo_request_envelope(3));
            CHECK(peer.response_after == echo_response_envelope(3));
        }
        {
            c_peer peer;
            peer.via = via;
            peer.sizes<c_query>();
            const auto r = kshake::negotiate<c_query>(peer.transport(), query_request);
            REQUIRE(r.status() == st::success);
            CHECK(r->command == 0x1234U);
            CHECK(peer.request_before == query_request_envelope);
            CHECK(peer.response_after == query_response_envelope);
            CHECK(answered_by_the_book(peer.in, peer.out, c_query::id));
            CHECK(peer.state.query_served == 1U);
        }
        {
            // Decision 5: the C handler's informational status delivers; the answer is SUCCESS.
            c_peer peer;
            peer.via = via;
            peer.state.echo_status = 0x40000001;
            peer.sizes<c_echo>();
            const auto r = kshake::negotiate<c_echo>(peer.transport(), echo_request);
            CHECK(r.status() == st::success);
            CHECK(peer.response_after == echo_response_envelope(4));
        }
    }
}

TEST_CASE("the C responder's refusals reach kshake as they are, and nothing is written") {
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        auto fresh = [via](c_peer& peer) { peer.via = via; };
        {
            c_peer peer;
            fresh(peer);
            check_refused_by_c<not_served>(peer, st::invalid_device_request);
        }
        {
            c_peer peer;
            fresh(peer);
            check_refused_by_c<kshake::at_version<c_echo, 1>>(peer, st::revision_mismatch);
        }
        {
            c_peer peer;
            fresh(peer);
            check_refused_by_c<kshake::at_version<c_echo, 5>>(peer, st::revision_mismatch);
        }
        {
            c_peer peer;
            fresh(peer);
            check_refused_by_c<echo_short_request>(peer, st::invalid_buffer_size);
        }
        {
            c_peer peer;
            fresh(peer);
            check_refused_by_c<echo_short_response>(peer, st::buffer_too_small);
        }
        {
            c_peer peer;
            fresh(peer);
            peer.sizes<echo_long_response>();
            const auto r = kshake::negotiate<echo_long_response>(peer.transport(), echo_request);
            CHECK(r.status() == st::device_protocol_error);
            CHECK(peer.response_after.size == 28U);
            CHECK(bytes_at(peer.response_after.at.data(), 24) == echo_response_envelope(3));
        }
        for (const ntstatus refusal : {st::insufficient_resources, st::buffer_overflow}) {
            CAPTURE(refusal);
            c_peer peer;
            fresh(peer);
            peer.state.echo_status = refusal; // the handler filled its response, then refused
            check_refused_by_c<c_echo>(peer, refusal);
            CHECK(peer.state.echo_served == 1U);
        }
    }
    SUBCASE("a pin without a context (check 2)") {
        c_peer peer;
        peer.via = path::connected_pin;
        peer.sink.set_context(nullptr);
        check_refused_by_c<c_echo>(peer, st::invalid_device_state);
    }
}

TEST_CASE("a C responder that breaks a rule: kshake says STATUS_DEVICE_PROTOCOL_ERROR and stops") {
    for (const path via : every_path) {
        CAPTURE(static_cast<int>(via));
        for (std::uint32_t fault = C_PEER_FAULT_OTHER_PROTOCOL_ID; fault < C_PEER_FAULT_COUNT;
             ++fault) {
            CAPTURE(fault);
            {
                c_peer peer;
                peer.via = via;
                peer.state.fault = fault;
                peer.sizes<c_echo>();
                const auto r = kshake::negotiate<c_echo>(peer.transport(), echo_request);
                CHECK(r.status() == st::device_protocol_error);
                CHECK_FALSE(r.ok());
                CHECK(peer.state.echo_served == 1U);
            }
            {
                // Decision 4: negotiate_first sends no offer after a rule-breaking answer.
                c_peer peer;
                peer.via = via;
                peer.state.fault = fault;
                peer.sizes<c_echo>();
                const auto r = kshake::negotiate_first<c_echo, c_query>(
                    peer.transport(), echo_request, query_request);
                CHECK(r.status() == st::device_protocol_error);
                CHECK(r.index() == std::remove_cvref_t<decltype(r)>::none);
                CHECK(peer.calls == 1U);
                CHECK(peer.state.query_served == 0U);
            }
            {
                // A refusal moves on; the rule-breaking answer to the second offer ends it.
                c_peer peer;
                peer.via = via;
                peer.state.fault = fault;
                peer.sizes<c_query>();
                const auto r =
                    kshake::negotiate_first<kshake::at_version<c_echo, 5>, c_query, c_echo>(
                        peer.transport(), echo_request, query_request, echo_request);
                CHECK(r.status() == st::device_protocol_error);
                CHECK(r.index() == std::remove_cvref_t<decltype(r)>::none);
                CHECK(peer.calls == 2U);
                CHECK(peer.state.query_served == 1U);
                CHECK(peer.state.echo_served == 0U);
            }
        }
    }
}

TEST_CASE("the C responder by hand: odd addresses, a larger request, bytes past the envelope") {
    c_peer_state state{};
    state.cookie = test_cookie;
    alignas(8) unsigned char arena[192];
    std::memset(arena, 0xA5, sizeof arena);
    unsigned char* const in_at = arena + 1;
    unsigned char* const out_at = arena + 41;
    unsigned char* const request = arena + 81; // 20 bytes: 4 past envelope_size<request>
    unsigned char* const response = arena + 107; // capacity 40: 16 past envelope_size<response>
    put_echo_request(request, 20, 3);
    put32(request + 16, 0xCCCCCCCCU);
    put32(response, 40);
    put_handshake(in_at, c_echo::id, request, response);

    unsigned char want[sizeof arena];
    std::memcpy(want, arena, sizeof arena);
    const bytes answer = echo_response_envelope(3);
    std::memcpy(want + (response - arena), answer.at.data(), answer.size);
    put_handshake(want + (out_at - arena), c_echo::id, response, nullptr);

    CHECK(c_responder(&state, as_wire(in_at), as_wire(out_at)) == KSHAKE_STATUS_SUCCESS);
    CHECK(std::memcmp(arena, want, sizeof arena) == 0);
    CHECK(state.last_version == 3U);
}

TEST_CASE("the C responder by hand: its checks, in order, write nothing") {
    c_peer_state state{};
    state.cookie = test_cookie;
    alignas(8) unsigned char request[16];
    alignas(8) unsigned char response[24];
    put_echo_request(request, 16, 3);
    std::memset(response, 0x5A, sizeof response);
    put32(response, 24);
    kshake::handshake in{c_echo::id, request, response};
    kshake::handshake out{};
    std::memset(&out, 0x77, sizeof out);
    const bytes out_before = bytes_at(&out, sizeof out);
    auto refused = [&](kshake_wire_status expected) {
        const bytes request_before = bytes_at(request, sizeof request);
        const bytes response_before = bytes_at(response, sizeof response);
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == expected);
        CHECK(bytes_at(request, sizeof request) == request_before);
        CHECK(bytes_at(response, sizeof response) == response_before);
        CHECK(bytes_at(&out, sizeof out) == out_before);
        CHECK(state.echo_served == 0U);
    };

    CHECK(c_responder(&state, nullptr, as_wire(&out)) == KSHAKE_STATUS_INVALID_PARAMETER); // 1
    CHECK(c_responder(&state, as_wire(&in), nullptr) == KSHAKE_STATUS_INVALID_PARAMETER);
    CHECK(c_responder(nullptr, as_wire(&in), as_wire(&out)) ==
          KSHAKE_STATUS_INVALID_DEVICE_STATE); // 2
    in.protocol_id = not_served::id;
    refused(KSHAKE_STATUS_INVALID_DEVICE_REQUEST); // 3
    in.protocol_id = c_echo::id;
    in.argument1 = nullptr;
    refused(KSHAKE_STATUS_INVALID_PARAMETER); // 4
    in.argument1 = request;
    in.argument2 = nullptr;
    refused(KSHAKE_STATUS_INVALID_PARAMETER);
    in.argument2 = response;
    put_echo_request(request, 15, 5); // 5 before 6: the version is refused first
    refused(KSHAKE_STATUS_REVISION_MISMATCH);
    put_echo_request(request, 15, 1);
    refused(KSHAKE_STATUS_REVISION_MISMATCH);
    put_echo_request(request, 15, 2);
    refused(KSHAKE_STATUS_INVALID_BUFFER_SIZE); // 6
    put_echo_request(request, 16, 2);
    put32(response, 23);
    refused(KSHAKE_STATUS_BUFFER_TOO_SMALL); // 7
    put32(response, 24);
    const bytes response_before = bytes_at(response, sizeof response);
    // 8: Out inside the response envelope.
    CHECK(c_responder(&state, as_wire(&in), as_wire(response + 4)) ==
          KSHAKE_STATUS_INVALID_PARAMETER);
    CHECK(bytes_at(response, sizeof response) == response_before);
    CHECK(state.echo_served == 0U);
    // 9: the handler's refusal, after it filled its response.
    state.echo_status = KSHAKE_STATUS_INSUFFICIENT_RESOURCES;
    CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_INSUFFICIENT_RESOURCES);
    CHECK(state.echo_served == 1U);
    CHECK(bytes_at(response, sizeof response) == response_before);
    CHECK(bytes_at(&out, sizeof out) == out_before);
}

TEST_CASE(
    "the C responder by hand: one buffer, Out over In, adjacent Out (docs/wire.md §2.2, §2.7)") {
    c_peer_state state{};
    state.cookie = test_cookie;
    SUBCASE("request and response envelopes in one buffer") {
        alignas(8) unsigned char shared[28];
        std::memset(shared, 0xA5, sizeof shared);
        put_echo_request(shared, 24, 4); // the size is also the capacity
        kshake::handshake in{c_echo::id, shared, shared};
        kshake::handshake out{};
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_SUCCESS);
        CHECK(bytes_at(shared, 24) == echo_response_envelope(4));
        CHECK(all_bytes(shared + 24, 4, 0xA5));
        CHECK(answered_by_the_book(in, out, c_echo::id));
        // Too small a capacity for the response: refused, untouched.
        put_echo_request(shared, 23, 4);
        const bytes before = bytes_at(shared, sizeof shared);
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_BUFFER_TOO_SMALL);
        CHECK(bytes_at(shared, sizeof shared) == before);
    }
    SUBCASE("Out is In: the answer replaces the offer") {
        alignas(8) unsigned char request[16];
        alignas(8) unsigned char response[24]{};
        put_echo_request(request, 16, 2);
        put32(response, 24);
        kshake::handshake both{c_echo::id, request, response};
        CHECK(c_responder(&state, as_wire(&both), as_wire(&both)) == KSHAKE_STATUS_SUCCESS);
        CHECK(both.protocol_id == c_echo::id);
        CHECK(both.argument1 == response);
        CHECK(both.argument2 == nullptr);
        CHECK(bytes_at(response, 24) == echo_response_envelope(2));
    }
    SUBCASE("Out over the request envelope: the request was copied first") {
        alignas(8) unsigned char shared[sizeof(kshake::handshake) + 16];
        alignas(8) unsigned char response[24]{};
        put_echo_request(shared, 16, 2);
        put32(response, 24);
        const kshake::handshake in{c_echo::id, shared, response};
        kshake::handshake in_copy = in;
        CHECK(c_responder(&state, as_wire(&in_copy), as_wire(shared)) == KSHAKE_STATUS_SUCCESS);
        CHECK(bytes_at(response, 24) == echo_response_envelope(2));
        CHECK(bytes_at(shared, sizeof(kshake::handshake)) ==
              handshake_bytes(c_echo::id, response, nullptr));
    }
    SUBCASE("the response envelope right after Out is accepted") {
        alignas(8) unsigned char request[16];
        alignas(8) unsigned char shared[sizeof(kshake::handshake) + 24]{};
        put_echo_request(request, 16, 2);
        unsigned char* const response = shared + sizeof(kshake::handshake);
        put32(response, 24);
        kshake::handshake in{c_echo::id, request, response};
        CHECK(c_responder(&state, as_wire(&in), as_wire(shared)) == KSHAKE_STATUS_SUCCESS);
        CHECK(bytes_at(response, 24) == echo_response_envelope(2));
        // One byte earlier, the response's first byte is Out's last: refused.
        unsigned char* const overlapping = shared + sizeof(kshake::handshake) - 1;
        put32(overlapping, 24);
        in.argument2 = overlapping;
        CHECK(c_responder(&state, as_wire(&in), as_wire(shared)) ==
              KSHAKE_STATUS_INVALID_PARAMETER);
    }
}

#if defined(__linux__)
TEST_CASE("the C responder reads only the bytes docs/wire.md §2.3 allows (guard pages)") {
    c_peer_state state{};
    state.cookie = test_cookie;
    guard_page guard;
    REQUIRE(guard.ready());
    SUBCASE("response envelope: only its size mapped, capacity too small") {
        alignas(8) unsigned char request[16];
        put_echo_request(request, 16, 3);
        unsigned char* const response = guard.last(4);
        put32(response, 23);
        kshake::handshake in{c_echo::id, request, response};
        kshake::handshake out{};
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_BUFFER_TOO_SMALL);
        CHECK(is_zero(&out, sizeof out));
    }
    SUBCASE("request envelope of exactly its envelope size, at the end of the mapping") {
        unsigned char* const request = guard.last(16);
        put_echo_request(request, 16, 3);
        alignas(8) unsigned char response[24]{};
        put32(response, 24);
        kshake::handshake in{c_echo::id, request, response};
        kshake::handshake out{};
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_SUCCESS);
        CHECK(bytes_at(response, 24) == echo_response_envelope(3));
    }
    SUBCASE("request header only mapped: refused without reading the body") {
        unsigned char* const request = guard.last(8);
        alignas(8) unsigned char response[24]{};
        put32(response, 24);
        kshake::handshake in{c_echo::id, request, response};
        kshake::handshake out{};
        put32(request, 16);
        put32(request + 4, 5);
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_REVISION_MISMATCH);
        put32(request, 8);
        put32(request + 4, 3);
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) ==
              KSHAKE_STATUS_INVALID_BUFFER_SIZE);
        put32(request, 16);
        put32(response, 23);
        CHECK(c_responder(&state, as_wire(&in), as_wire(&out)) == KSHAKE_STATUS_BUFFER_TOO_SMALL);
        put32(response, 24);
        CHECK(c_responder(&state, as_wire(&in), as_wire(response)) ==
              KSHAKE_STATUS_INVALID_PARAMETER);
        CHECK(state.echo_served == 0U);
    }
    SUBCASE("In: only its id mapped, an unknown id refused without reading the pointers") {
        // wire.md §8's recipe: the id copied once, check 3 on the copy, the pointers after.
        unsigned char* const in_at = guard.last(16);
        for (kshake::guid near : {c_echo::id, c_query::id}) {
            near.data4[7] = static_cast<std::uint8_t>(near.data4[7] ^ 1U);
            std::memcpy(in_at, &near, sizeof near);
            kshake::handshake out{};
            CHECK(c_responder(&state, as_wire(in_at), as_wire(&out)) ==
                  KSHAKE_STATUS_INVALID_DEVICE_REQUEST);
            CHECK(is_zero(&out, sizeof out));
        }
        CHECK(state.echo_served == 0U);
    }
    SUBCASE("In at the end of the mapping: read whole, once") {
        alignas(8) unsigned char request[16];
        put_echo_request(request, 16, 3);
        alignas(8) unsigned char response[24]{};
        put32(response, 24);
        unsigned char* const in_at = guard.last(sizeof(kshake::handshake));
        put_handshake(in_at, c_echo::id, request, response);
        kshake::handshake out{};
        CHECK(c_responder(&state, as_wire(in_at), as_wire(&out)) == KSHAKE_STATUS_SUCCESS);
    }
}
#endif

TEST_CASE(
    "kshake_wire_prepare_offer builds the layouts docs/wire.md allows: one buffer, Out is In") {
    cxx_state state{};
    const kshake::guid id = c_query::id;
    SUBCASE("both envelopes in one buffer: the header's size covers both, the version is kept") {
        std::array<unsigned char, 64> buffer{};
        kshake_wire_handshake in{};
        kshake_wire_handshake out{};
        const std::uint32_t capacity = kshake::detail::envelope_size<c_peer_query_response>;
        kshake_wire_prepare_offer(&in, &out, &id, 1, buffer.data(), sizeof(c_peer_query_request),
                                  buffer.data(), capacity);
        const c_peer_query_request request{7};
        std::memcpy(buffer.data() + 8, &request, sizeof request);
        kshake_envelope_header header{};
        std::memcpy(&header, buffer.data(), sizeof header);
        CHECK(header.size == capacity); // 20 > the request's 12
        CHECK(header.version == 1);
        kshake::handshake kin{};
        kshake::handshake kout{};
        std::memcpy(&kin, &in, sizeof kin);
        REQUIRE(cxx_responder::serve(state, &kin, &kout) == st::success);
        std::memcpy(&out, &kout, sizeof out);
        CHECK(kshake_wire_judge_answer(KSHAKE_STATUS_SUCCESS, &out, &id, 1, buffer.data(),
                                       sizeof(c_peer_query_response)) == KSHAKE_STATUS_SUCCESS);
    }
    SUBCASE("Out is In: In is written after Out is zeroed") {
        std::array<unsigned char, 32> request{};
        std::array<unsigned char, 32> response{};
        kshake_wire_handshake in_and_out{};
        kshake_wire_prepare_offer(&in_and_out, &in_and_out, &id, 1, request.data(),
                                  sizeof(c_peer_query_request), response.data(), 32);
        CHECK(kshake_wire_guid_equal(&in_and_out.protocol_id, &id) == 1);
        CHECK(in_and_out.argument1 == request.data());
        CHECK(in_and_out.argument2 == response.data());
        kshake::handshake both{};
        std::memcpy(&both, &in_and_out, sizeof both);
        CHECK(cxx_responder::serve(state, &both, &both) == st::success);
        CHECK(both.argument1 == response.data());
        CHECK(both.argument2 == nullptr);
    }
}
