// Not a defect: code written the WDK way, where `long` is 32 bits. Handlers return NTSTATUS
// (`long`) rather than kshake::ntstatus (std::int32_t, an `int`): one a function taking its
// version as ULONG (`unsigned long`), one a lambda that only reads its context (`const
// pin_state&`). A transport returns NTSTATUS too. The responder and negotiate must accept them
// all, and the callback must be a PFNKSPINHANDSHAKE the checker accepts.
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

#include <kshake/avstream.hpp>

KSHAKE_DEFINE_KERNEL_TERMINATE();

namespace {

using namespace kshake::literals;

struct pin_state {
    ULONG frames;
};
struct pool_request {
    ULONG min_frames;
};
struct pool_grant {
    ULONG frames;
};
struct frame_pool {
    static constexpr kshake::guid id = "5A0E6C2B-7D41-4F93-8E1A-2B3C4D5E6F70"_guid;
    using request = pool_request;
    using response = pool_grant;
};
struct clock_request {
    ULONG resolution_100ns;
};
struct clock_info {
    ULONGLONG frequency_hz;
};
struct shared_clock {
    static constexpr kshake::guid id = "5A0E6C2B-7D41-4F93-8E1A-2B3C4D5E6F71"_guid;
    using request = clock_request;
    using response = clock_info;
};

static_assert(!kshake::detail::is_same_v<NTSTATUS, kshake::ntstatus> &&
                  !kshake::detail::is_same_v<ULONG, kshake::uint32_t>,
              "this case is about NTSTATUS and ULONG being other types than kshake's");

NTSTATUS grant_pool(pin_state& pin, const pool_request& request, pool_grant& grant,
                    ULONG version) noexcept {
    if (version != 1 || request.min_frames > pin.frames) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    grant.frames = pin.frames;
    return STATUS_SUCCESS;
}

constexpr auto describe_clock = [](const pin_state& pin, const clock_request&,
                                   clock_info& info) noexcept -> NTSTATUS {
    info.frequency_hz = 10'000'000ULL * pin.frames;
    return STATUS_SUCCESS;
};

using responder = kshake::responder<pin_state, kshake::route<frame_pool, grant_pool>,
                                    kshake::route<shared_clock, describe_clock>>;

// A transport written the WDK way: it returns NTSTATUS.
struct ntstatus_transport {
    PKSPIN pin;
    NTSTATUS operator()(const kshake::handshake& in, kshake::handshake& out) const noexcept {
        return kshake::avstream::connected_pin(pin)(in, out);
    }
};

NTSTATUS NegotiateClock(PKSPIN Pin) {
    const auto clock = kshake::negotiate<shared_clock>(ntstatus_transport{Pin}, clock_request{10});
    return clock ? STATUS_SUCCESS : clock.status();
}

} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY(KsPinRegisterHandshakeCallback(
    reinterpret_cast<PKSPIN>(DriverObject), kshake::avstream::handshake_callback<responder>);
                            static_cast<void>(NegotiateClock(reinterpret_cast<PKSPIN>(DriverObject))));
