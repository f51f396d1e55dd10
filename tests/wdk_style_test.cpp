// Code written the WDK way, where `long` is 32 bits (every Windows target; -m32 on Linux):
// NTSTATUS (`long`) from handlers and transports, ULONG (`unsigned long`) as a
// handler's version, a handler that only reads its context. Built and run by the -m32 build of
// tools/test.sh (and compiled to nothing where `long` is 64 bits, which kshake refuses for
// statuses and versions: tests/responder_test.cpp).
// SPDX-License-Identifier: MIT
#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

#include <doctest/doctest.h>

#if defined(__SIZEOF_LONG__) && __SIZEOF_LONG__ == 4

#include <cstdint>

using namespace kshake::literals;

namespace {

using NTSTATUS = long;
using ULONG = unsigned long;

struct pin_state {
    ULONG frames;
    ULONG served;
};
struct pool_request {
    ULONG min_frames;
};
struct pool_grant {
    ULONG frames;
    ULONG version_seen;
};
struct frame_pool {
    static constexpr kshake::guid id = "5A0E6C2B-7D41-4F93-8E1A-2B3C4D5E6F80"_guid;
    using request = pool_request;
    using response = pool_grant;
    static constexpr ULONG version = 2, min_version = 1;
};
struct clock_request {
    ULONG resolution_100ns;
};
struct clock_info {
    std::uint64_t frequency_hz;
};
struct shared_clock {
    static constexpr kshake::guid id = "5A0E6C2B-7D41-4F93-8E1A-2B3C4D5E6F81"_guid;
    using request = clock_request;
    using response = clock_info;
};

NTSTATUS grant_pool(pin_state& pin, const pool_request& request, pool_grant& grant,
                    ULONG version) noexcept {
    if (request.min_frames > pin.frames) {
        return static_cast<NTSTATUS>(kshake::status::insufficient_resources);
    }
    ++pin.served;
    grant.frames = pin.frames;
    grant.version_seen = version;
    return 0; // STATUS_SUCCESS
}

NTSTATUS describe_clock(const pin_state& pin, const clock_request&, clock_info& info) noexcept {
    info.frequency_hz = 1000U * pin.frames;
    return 0;
}

using responder = kshake::responder<pin_state, kshake::route<frame_pool, grant_pool>,
                                    kshake::route<shared_clock, describe_clock>>;

// A transport that answers NTSTATUS, as a driver's own wrapper around KsPinHandshake would.
struct ntstatus_transport {
    kshake::mock::pin* source;
    NTSTATUS operator()(const kshake::handshake& in, kshake::handshake& out) const noexcept {
        return kshake::mock::connected_pin(*source)(in, out);
    }
};

static_assert(kshake::transport<ntstatus_transport>);
static_assert(!kshake::detail::is_same_v<NTSTATUS, kshake::ntstatus> &&
              !kshake::detail::is_same_v<ULONG, kshake::uint32_t>);

} // namespace

TEST_CASE("WDK-style handlers, versions and transports negotiate where long is 32 bits") {
    pin_state state{8, 0};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};
    connect(source, sink);
    sink.register_handshake_callback(&responder::callback<kshake::mock::pin*>);

    const auto pool = kshake::negotiate<frame_pool>(ntstatus_transport{&source}, pool_request{4});
    REQUIRE(pool.ok());
    CHECK(pool->frames == 8U);
    CHECK(pool->version_seen == 2U);

    const auto refused =
        kshake::negotiate<frame_pool>(ntstatus_transport{&source}, pool_request{9});
    CHECK(refused.status() == kshake::status::insufficient_resources);

    const auto clock =
        kshake::negotiate<shared_clock>(ntstatus_transport{&source}, clock_request{10});
    REQUIRE(clock.ok());
    CHECK(clock->frequency_hz == 8000U);
    CHECK(state.served == 1U);
}

#endif
