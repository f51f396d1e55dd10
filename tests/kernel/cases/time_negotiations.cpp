// Not a defect: a driver's self-test that times negotiations (examples/avstream_driver/
// negotiation_timer.hpp), built by every kernel toolchain and checked by check_image.py (the
// image must import KeQueryPerformanceCounter from hal.dll and DbgPrintEx from ntoskrnl.exe)
// and the include-graph check; the x64 and x86 images run under Wine
// (tests/kernel/wine/run_images.py, rows time_negotiations-*).
//
// The sample driver's own protocols and responder (sample_pins.hpp) are timed, N negotiations
// each, N written by the harness into kshake_timing_run (found by name in the image's COFF
// symbol table; nothing exports it):
//
//   hit            negotiate<contoso::shared_clock>: agreed, with the sink's clock
//   unknown id     negotiate<color_space>, a protocol the sink does not serve:
//                  STATUS_INVALID_DEVICE_REQUEST
//   fall-through   negotiate_first<pool_v3, pool_v2>: v3 refused, v2 agreed (two handshakes)
//
// each over two transports: kshake::direct_pin on the sink's registered callback (kshake and the
// responder alone) and kshake::avstream::connected_pin (KsPinHandshake to the connected pin's
// callback). Each result is printed through DbgPrintEx and recorded in kshake_timing_run, where
// the harness checks it; loaded by anything else, DriverEntry finds no pins and does nothing.
// SPDX-License-Identifier: MIT
#include <ntddk.h>
#include <ks.h>

#include <kshake/avstream.hpp>

#include "../../../examples/avstream_driver/negotiation_timer.hpp"
#include "../../../examples/avstream_driver/sample_pins.hpp"

KSHAKE_DEFINE_KERNEL_TERMINATE();

// What the Wine harness (tests/kernel/wine/harness.c, which mirrors this layout and checks its
// size) hands the driver and reads back. 64-bit figures as two 32-bit words, low first, so that
// the layout is the same under every compiler's alignment rules.
extern "C" {
struct kshake_timing_record_t {
    ULONG what; // 1 hit, 2 unknown id, 3 fall-through
    ULONG via;  // 1 direct_pin, 2 connected_pin
    ULONG negotiations;
    ULONG as_expected;
    ULONG expected;   // the status each negotiation should end with
    ULONG unexpected; // the first other status, `expected` when there was none
    ULONG ticks[2];
    ULONG frequency[2];
    ULONG ns_total[2];
    ULONG ps_each[2];
};
struct kshake_timing_run_t {
    PKSPIN sink;
    PKSPIN source;
    ULONG size;
    ULONG negotiations; // N, from the harness
    ULONG count;        // records written
    kshake_timing_record_t record[8];
};
kshake_timing_run_t kshake_timing_run;
}

namespace time_negotiations {

using namespace kshake::literals;

// A protocol the sample's sink does not serve.
struct color_space_request {
    kshake::uint32_t primaries;
};
struct color_space_reply {
    kshake::uint32_t matrix;
};
struct color_space {
    static constexpr kshake::guid id = "8E4C7A52-1F0B-4D6E-9A37-5B2C1D0E6F8F"_guid;
    using request = color_space_request;
    using response = color_space_reply;
};

// The sink pin's context, as the sample's SinkPinCreate fills it.
constexpr kshake::uint64_t clock_hz = 10'000'000;
sample::sink_pin_state sink_state = {0, 8, 1920 * 1080 * 2, clock_hz};

// Where the self-test keeps the sink's callback, as ks.sys keeps the callback a pin registered:
// direct_pin reads it at each call, so the compiler cannot call or inline the responder
// directly, which no KsPinHandshake does.
PFNKSPINHANDSHAKE sink_callback;

// The three negotiations over one transport. Each returns the status it ended with; an agreement
// with the wrong values returns STATUS_DEVICE_PROTOCOL_ERROR, so it does not count as expected.
template <class Transport>
kshake::ntstatus hit(const Transport& transport) noexcept {
    const auto clock = kshake::negotiate<contoso::shared_clock>(
        transport, contoso::clock_request{sample::wanted_clock_resolution_100ns});
    if (clock && (clock->frequency_hz != clock_hz || clock->shared != 1)) {
        return kshake::status::device_protocol_error;
    }
    return clock.status();
}

template <class Transport>
kshake::ntstatus unknown_id(const Transport& transport) noexcept {
    return kshake::negotiate<color_space>(transport, color_space_request{1}).status();
}

template <class Transport>
kshake::ntstatus fall_through(const Transport& transport) noexcept {
    const contoso::frame_pool_request want{1920 * 1080 * 2, sample::wanted_min_frames};
    const auto pool =
        kshake::negotiate_first<sample::pool_v3, sample::pool_v2>(transport, want, want);
    if (pool && (pool.version() != 2 || pool.template get<sample::pool_v2>().alignment != 4096)) {
        return kshake::status::device_protocol_error;
    }
    return pool.status();
}

void record(ULONG what, ULONG via, const negotiation_timer::timing& t) noexcept {
    if (kshake_timing_run.count >=
        sizeof kshake_timing_run.record / sizeof kshake_timing_run.record[0]) {
        return;
    }
    kshake_timing_record_t& r = kshake_timing_run.record[kshake_timing_run.count++];
    const auto split = [](ULONG(&words)[2], ULONGLONG v) {
        words[0] = static_cast<ULONG>(v);
        words[1] = static_cast<ULONG>(v >> 32);
    };
    r.what = what;
    r.via = via;
    r.negotiations = t.negotiations;
    r.as_expected = t.as_expected;
    r.expected = static_cast<ULONG>(t.expected);
    r.unexpected = static_cast<ULONG>(t.unexpected);
    split(r.ticks, t.ticks);
    split(r.frequency, t.frequency);
    split(r.ns_total, t.ns_total);
    split(r.ps_each, t.ps_each);
}

// Times the three negotiations over one transport; prints and records each.
template <class Transport>
void time_all(ULONG via, const char* hit_text, const char* unknown_text,
              const char* fall_through_text, const Transport& transport) noexcept {
    const ULONG n = kshake_timing_run.negotiations;
    const negotiation_timer::timing t1 =
        negotiation_timer::time_negotiations(n, STATUS_SUCCESS, [&] { return hit(transport); });
    negotiation_timer::print(hit_text, t1);
    record(1, via, t1);
    const negotiation_timer::timing t2 = negotiation_timer::time_negotiations(
        n, STATUS_INVALID_DEVICE_REQUEST, [&] { return unknown_id(transport); });
    negotiation_timer::print(unknown_text, t2);
    record(2, via, t2);
    const negotiation_timer::timing t3 = negotiation_timer::time_negotiations(
        n, STATUS_SUCCESS, [&] { return fall_through(transport); });
    negotiation_timer::print(fall_through_text, t3);
    record(3, via, t3);
}

} // namespace time_negotiations

extern "C" DRIVER_INITIALIZE DriverEntry;

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    kshake_timing_run.size = sizeof kshake_timing_run;
    const PKSPIN sink = kshake_timing_run.sink;
    const PKSPIN source = kshake_timing_run.source;
    if (sink == nullptr || source == nullptr) {
        return STATUS_SUCCESS; // not under the harness: no pins to time
    }
    // The sink pin's Create step, as the sample's: the context, then the callback that reads it.
    sink->Context = &time_negotiations::sink_state;
    kshake::avstream::install<sample::sink_responder>(sink);
    time_negotiations::sink_callback = kshake::avstream::handshake_callback<sample::sink_responder>;

    time_negotiations::time_all(1, "hit over direct_pin", "unknown id over direct_pin",
                                "fall-through over direct_pin",
                                kshake::direct_pin(&time_negotiations::sink_callback, sink));
    time_negotiations::time_all(2, "hit over connected_pin", "unknown id over connected_pin",
                                "fall-through over connected_pin",
                                kshake::avstream::connected_pin(source));
    return STATUS_SUCCESS;
}
