// Not a defect: kshake::avstream::dbgprint_trace, the trace hook that prints through DbgPrintEx,
// on both sides of a negotiation, built by every kernel toolchain (mingw-w64 g++ and clang, and
// clang-cl /kernel for x64, x86 and ARM64 at /O2 and /Od) and checked by check_image.py (which
// also requires the image to import DbgPrintEx from ntoskrnl.exe) and the include-graph check.
//
//   responder   install<R, hook>(pin): R::traced_callback<hook, PKSPIN, KSHANDSHAKE, NTSTATUS>,
//               with the default hook (DPFLTR_IHVSTREAMING_ID, DPFLTR_INFO_LEVEL);
//               handshake_callback<R, hook> with another component and level, registered by
//               hand; R::serve(context, in, out, hook) from a hand-written PFNKSPINHANDSHAKE
//   initiator   negotiate and negotiate_first through traced(connected_pin(pin), hook) and
//               traced(file_object(peer), hook)
//
// The hooks are constexpr objects, so each is const: traced() and traced_callback take them as
// they are. Nothing here runs: DriverEntry calls the pin routines on pins read from volatile
// variables, which keeps every path in the image. Must pass the image checker.
// SPDX-License-Identifier: MIT
#include <ntddk.h>
#include <ks.h>

#include <kshake/avstream.hpp>

KSHAKE_DEFINE_KERNEL_TERMINATE();

namespace trace_dbgprint {

using namespace kshake::literals;

// ---- Two protocols ----

struct pool_request {
    ULONG frame_bytes;
    ULONG min_frames;
};
struct pool_grant {
    ULONG frames;
    ULONG alignment;
    ULONGLONG pool_address;
};
struct frame_pool {
    static constexpr kshake::guid id = "6B1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E60"_guid;
    static constexpr const char* name = "trace-case.frame-pool";
    using request = pool_request;
    using response = pool_grant;
    static constexpr unsigned int version = 2;
    static constexpr unsigned int min_version = 1;
};

struct ping_request {
    ULONG cookie;
};
struct ping_reply {
    ULONG cookie;
};
struct ping {
    static constexpr kshake::guid id = "6B1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E61"_guid;
    using request = ping_request;
    using response = ping_reply;
};

// ---- The hooks: objects of static storage duration, as traced_callback needs ----

// DPFLTR_IHVSTREAMING_ID at DPFLTR_INFO_LEVEL.
inline constexpr kshake::avstream::dbgprint_trace negotiation_trace{};
// Refusals a driver wants to see whatever the mask: another component, the error level.
inline constexpr kshake::avstream::dbgprint_trace refusal_trace{DPFLTR_IHVDRIVER_ID,
                                                                DPFLTR_ERROR_LEVEL};
static_assert(negotiation_trace.component == 81U && negotiation_trace.level == 3U);
static_assert(refusal_trace.component == 77U && refusal_trace.level == 0U);

// ---- The responding (sink) pins ----

struct sink_state {
    ULONGLONG pool_address;
    ULONG pool_frames;
};

kshake::ntstatus grant_pool(sink_state& pin, const pool_request& request, pool_grant& grant,
                            unsigned int version) noexcept {
    if (request.frame_bytes == 0 || request.min_frames > pin.pool_frames) {
        return kshake::status::insufficient_resources;
    }
    grant.frames = pin.pool_frames;
    grant.alignment = version >= 2 ? 4096U : 0U;
    grant.pool_address = pin.pool_address;
    return kshake::status::success;
}

NTSTATUS answer_ping(sink_state&, const ping_request& request, ping_reply& reply) noexcept {
    reply.cookie = ~request.cookie;
    return STATUS_SUCCESS;
}

using sink_responder = kshake::responder<sink_state, kshake::route<frame_pool, grant_pool>,
                                         kshake::route<ping, answer_ping>>;

// handshake_callback<R, hook> is R's traced_callback, a PFNKSPINHANDSHAKE like R's callback.
static_assert(kshake::avstream::handshake_callback<sink_responder, negotiation_trace> ==
              &sink_responder::traced_callback<negotiation_trace, PKSPIN, KSHANDSHAKE, NTSTATUS>);
static_assert(kshake::avstream::handshake_callback<sink_responder> ==
              &sink_responder::callback<PKSPIN, KSHANDSHAKE, NTSTATUS>);
[[maybe_unused]] constexpr PFNKSPINHANDSHAKE refusal_handshake =
    kshake::avstream::handshake_callback<sink_responder, refusal_trace>;

sink_state sink_context = {0x10000000ULL, 8};

// The sink pin's Create step: the context first, then the traced callback that reads it.
NTSTATUS SinkPinCreate(PKSPIN pin) noexcept {
    pin->Context = &sink_context;
    kshake::avstream::install<sink_responder, negotiation_trace>(pin);
    return STATUS_SUCCESS;
}

// A second sink that registers the other hook's callback by hand.
NTSTATUS QuietSinkPinCreate(PKSPIN pin) noexcept {
    pin->Context = &sink_context;
    KsPinRegisterHandshakeCallback(pin, refusal_handshake);
    return STATUS_SUCCESS;
}

// A hand-written PFNKSPINHANDSHAKE that serves through R::serve with a hook (a driver that
// wants its own checks before kshake's). On x86 the platform calls it __stdcall.
NTSTATUS ServingHandshake(PKSPIN pin, PKSHANDSHAKE in, PKSHANDSHAKE out) {
    if (pin == nullptr || pin->Context == nullptr || in == nullptr || out == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    kshake::handshake request = kshake::avstream::from_ks(*in);
    kshake::handshake reply = kshake::avstream::from_ks(*out);
    const kshake::ntstatus s = sink_responder::serve(*static_cast<sink_state*>(pin->Context),
                                                     &request, &reply, refusal_trace);
    *out = kshake::avstream::to_ks(reply);
    return s;
}

NTSTATUS ServingSinkPinCreate(PKSPIN pin) noexcept {
    pin->Context = &sink_context;
    KsPinRegisterHandshakeCallback(pin, ServingHandshake);
    return STATUS_SUCCESS;
}

// ---- The initiating (source) pin ----

struct source_agreement {
    pool_grant pool;
    unsigned int pool_version;
    ULONG cookie;
};
source_agreement agreed;

// frame-pool v3 (which the sink refuses: the hook reports STATUS_REVISION_MISMATCH on both
// sides), then v2; then a ping. Each through a traced transport. The transport is taken by
// forwarding reference and passed on as it came: a traced transport is called as non-const.
template <class Transport>
NTSTATUS negotiate_with(Transport&& transport) noexcept {
    using pool_v3 = kshake::at_version<frame_pool, 3>;
    using pool_v2 = kshake::at_version<frame_pool, 2>;
    const pool_request want{1920 * 1080 * 2, 4};
    const auto pool = kshake::negotiate_first<pool_v3, pool_v2>(transport, want, want);
    if (!pool) {
        return pool.status();
    }
    agreed.pool = pool.template accepted<pool_v3>() ? pool.template get<pool_v3>()
                                                    : pool.template get<pool_v2>();
    agreed.pool_version = pool.version();
    const auto echo = kshake::negotiate<ping>(transport, ping_request{0x1234U});
    if (!echo) {
        return echo.status();
    }
    agreed.cookie = echo->cookie;
    return STATUS_SUCCESS;
}

// The source pin's KSSTATE_STOP -> KSSTATE_ACQUIRE step: over the connection, or over the
// peer's file object, both traced.
NTSTATUS SourcePinAcquire(PKSPIN pin) noexcept {
    const NTSTATUS connected =
        negotiate_with(kshake::traced(kshake::avstream::connected_pin(pin), negotiation_trace));
    if (NT_SUCCESS(connected)) {
        return connected;
    }
    const PFILE_OBJECT peer = KsPinGetConnectedPinFileObject(pin);
    if (peer == nullptr) {
        return connected;
    }
    const kshake::avstream::file_object transport{peer};
    return negotiate_with(kshake::traced(transport, refusal_trace));
}

// The pins a test harness would hand these routines; never set here (nothing runs).
PKSPIN volatile sink_pin;
PKSPIN volatile quiet_sink_pin;
PKSPIN volatile serving_sink_pin;
PKSPIN volatile source_pin;

} // namespace trace_dbgprint

extern "C" DRIVER_INITIALIZE DriverEntry;

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS s = trace_dbgprint::SinkPinCreate(trace_dbgprint::sink_pin);
    if (NT_SUCCESS(s)) {
        s = trace_dbgprint::QuietSinkPinCreate(trace_dbgprint::quiet_sink_pin);
    }
    if (NT_SUCCESS(s)) {
        s = trace_dbgprint::ServingSinkPinCreate(trace_dbgprint::serving_sink_pin);
    }
    if (!NT_SUCCESS(s)) {
        return s;
    }
    return trace_dbgprint::SourcePinAcquire(trace_dbgprint::source_pin);
}
