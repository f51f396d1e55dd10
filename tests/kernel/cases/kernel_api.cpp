// Not a defect: every kernel-facing API of kshake in one driver, built by every kernel toolchain
// (mingw-w64 g++ and clang, and clang-cl /kernel for x64, x86 and ARM64 at /Od and /O2) and
// checked by check_image.py and the include-graph check. Written against what both Debian's
// mingw-w64 DDK headers and the test-only WDK stand-ins (tests/kernel/wdk/) declare, with no C++
// standard library header: kshake's public API and the WDK names docs/driver.md lists.
//
//   negotiate and negotiate_first       over both transports, connected_pin and file_object
//   install<R>(pin), handshake_callback a responder of six routes (more than the four a
//                                       responder compares in turn), handlers that return
//                                       kshake::ntstatus or the WDK's NTSTATUS
//   try_parse_guid, parse_guid          on text only known at run time (a volatile buffer),
//                                       with a length and NUL-terminated; format_guid
//   status_name, to_string              status names for diagnostics
//
// (The trace hooks, dbgprint_trace with install<R, hook> and traced(transport, hook), have their
// own case: trace_dbgprint.cpp.)
//
// The x64 and x86 images run under Wine (tests/kernel/wine/run_images.py). A real driver calls
// the two pin routines from its KSPIN_DISPATCH (Create and SetDeviceState), which the test-only
// ks.h does not declare, so DriverEntry calls them on the two pins the harness writes into
// kshake_test_run (found by name in the image's COFF symbol table; nothing exports it), and
// records there what each transport agreed. Loaded by anything else, DriverEntry finds no pins
// and does nothing. Must pass the image checker.
// SPDX-License-Identifier: MIT
#include <ntddk.h>
#include <ks.h>

#include <kshake/avstream.hpp>

KSHAKE_DEFINE_KERNEL_TERMINATE();

namespace kernel_api {

using namespace kshake::literals;

// ---- Six protocols ----

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
    static constexpr kshake::guid id = "3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E50"_guid;
    static constexpr const char* name = "kernel-api.frame-pool";
    using request = pool_request;
    using response = pool_grant;
    static constexpr unsigned int version = 2; // kshake::uint32_t
    static constexpr unsigned int min_version = 1;
};

struct clock_request {
    ULONG resolution_100ns;
};
struct clock_info {
    ULONGLONG frequency_hz;
};
struct shared_clock {
    static constexpr kshake::guid id = "3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E51"_guid;
    using request = clock_request;
    using response = clock_info;
};

struct format_request {
    ULONG width;
    ULONG height;
};
struct format_reply {
    ULONG stride;
    ULONG frame_bytes;
};
struct format_query {
    static constexpr kshake::guid id = "3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E52"_guid;
    using request = format_request;
    using response = format_reply;
};

struct power_request {
    ULONG state;
};
struct power_reply {
    ULONG previous_state;
};
struct power_state {
    static constexpr kshake::guid id = "3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E53"_guid;
    using request = power_request;
    using response = power_reply;
};

struct statistics_request {
    ULONG reset;
};
struct statistics_reply {
    ULONG delivered;
    ULONG dropped;
};
struct statistics {
    static constexpr kshake::guid id = "3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E54"_guid;
    using request = statistics_request;
    using response = statistics_reply;
};

struct ping_request {
    ULONG cookie;
};
struct ping_reply {
    ULONG cookie;
};
struct ping {
    static constexpr kshake::guid id = "3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E55"_guid;
    using request = ping_request;
    using response = ping_reply;
};

// ---- The responding (sink) pin ----

// KSPIN.Context of the sink pin. One instance is enough here; a driver allocates one a pin.
struct sink_state {
    ULONGLONG pool_address;
    ULONG pool_frames;
    ULONG max_frame_bytes;
    ULONG power;
    ULONG delivered;
    ULONG dropped;
};

kshake::ntstatus grant_pool(sink_state& pin, const pool_request& request, pool_grant& grant,
                            unsigned int version) noexcept {
    if (request.frame_bytes == 0 || request.frame_bytes > pin.max_frame_bytes) {
        return kshake::status::invalid_parameter;
    }
    if (request.min_frames > pin.pool_frames) {
        return kshake::status::insufficient_resources;
    }
    grant.frames = pin.pool_frames;
    grant.alignment = version >= 2 ? 4096U : 0U;
    grant.pool_address = pin.pool_address;
    return kshake::status::success;
}

NTSTATUS describe_clock(sink_state&, const clock_request& request, clock_info& info) noexcept {
    if (request.resolution_100ns == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    // A 32-bit division: a 64-bit one is a libgcc helper call on x86, which -mrtd miscalls.
    info.frequency_hz = 10'000'000U / request.resolution_100ns;
    return STATUS_SUCCESS;
}

NTSTATUS answer_format(sink_state& pin, const format_request& request,
                       format_reply& reply) noexcept {
    const ULONG stride = request.width * 2;
    if (request.width == 0 || request.height > pin.max_frame_bytes / (stride == 0 ? 1 : stride)) {
        return STATUS_NOT_SUPPORTED;
    }
    reply.stride = stride;
    reply.frame_bytes = stride * request.height;
    return STATUS_SUCCESS;
}

kshake::ntstatus set_power(sink_state& pin, const power_request& request,
                           power_reply& reply) noexcept {
    if (request.state > 3) {
        return kshake::status::invalid_device_state;
    }
    reply.previous_state = pin.power;
    pin.power = request.state;
    return kshake::status::success;
}

kshake::ntstatus read_statistics(sink_state& pin, const statistics_request& request,
                                 statistics_reply& reply) noexcept {
    reply.delivered = pin.delivered;
    reply.dropped = pin.dropped;
    if (request.reset != 0) {
        pin.delivered = 0;
        pin.dropped = 0;
    }
    return kshake::status::success;
}

NTSTATUS answer_ping(sink_state&, const ping_request& request, ping_reply& reply) noexcept {
    reply.cookie = ~request.cookie;
    return STATUS_SUCCESS;
}

using sink_responder = kshake::responder<
    sink_state, kshake::route<frame_pool, grant_pool>, kshake::route<shared_clock, describe_clock>,
    kshake::route<format_query, answer_format>, kshake::route<power_state, set_power>,
    kshake::route<statistics, read_statistics>, kshake::route<ping, answer_ping>>;

// handshake_callback<R> is exactly a PFNKSPINHANDSHAKE (on x86 __stdcall, as ks.sys calls it).
[[maybe_unused]] constexpr PFNKSPINHANDSHAKE sink_handshake =
    kshake::avstream::handshake_callback<sink_responder>;

sink_state sink_context = {0x10000000ULL, 8, 1920 * 1080 * 2, 0, 0, 0};

// The sink pin's Create step: the context first, then the callback that reads it.
NTSTATUS SinkPinCreate(PKSPIN pin) noexcept {
    pin->Context = &sink_context;
    kshake::avstream::install<sink_responder>(pin);
    return STATUS_SUCCESS;
}

// ---- Diagnostics: run-time GUID parsing and status names ----

// Text the compiler cannot see through: the parse runs at run time.
volatile char pool_id_text[kshake::guid_registry_buffer_size] =
    "{3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E50}";
volatile char last_status_text[32];
const char* volatile last_status_name;
volatile ULONG parsed_ids;

void record(NTSTATUS s) noexcept {
    last_status_name = kshake::status_name(s); // "" for a status kshake has no name for
    const auto described = kshake::to_string(s); // the name, or "0xC00000AB"
    const char* text = described.c_str();
    for (ULONG i = 0; i + 1 < sizeof last_status_text && text[i] != '\0'; ++i) {
        last_status_text[i] = text[i];
    }
}

bool pool_id_is_configured() noexcept {
    char text[kshake::guid_registry_buffer_size] = {};
    ULONG length = 0;
    while (length + 1 < sizeof text && pool_id_text[length] != '\0') {
        text[length] = pool_id_text[length];
        ++length;
    }
    kshake::guid by_length{};
    kshake::guid by_terminator{};
    if (!kshake::try_parse_guid(text, length, by_length) ||
        !kshake::try_parse_guid(text, by_terminator) || by_length != by_terminator) {
        return false;
    }
    const kshake::parsed_guid parsed = kshake::parse_guid(text);
    char formatted[kshake::guid_registry_buffer_size];
    if (!parsed || !kshake::format_guid(*parsed, formatted, sizeof formatted)) {
        return false;
    }
    parsed_ids = parsed_ids + 1;
    return by_length == frame_pool::id && formatted[0] == '{';
}

// ---- The initiating (source) pin ----

// What one transport agreed (or the first refusal's status).
struct outcome {
    NTSTATUS status;
    unsigned int pool_version;
    pool_grant pool;
    clock_info clock;
    format_reply format;
    power_reply power;
    statistics_reply stats;
    ping_reply echo;
};

// Offers frame-pool v3, then v2 (negotiate_first), then asks the other five protocols in turn
// (negotiate). Works over either transport.
template <class Transport>
outcome negotiate_with(const Transport& transport) noexcept {
    outcome agreed{};
    using pool_v3 = kshake::at_version<frame_pool, 3>;
    using pool_v2 = kshake::at_version<frame_pool, 2>;
    const pool_request want{1920 * 1080 * 2, 4};
    const auto pool = kshake::negotiate_first<pool_v3, pool_v2>(transport, want, want);
    agreed.status = pool.status();
    if (!pool) {
        record(pool.status());
        return agreed;
    }
    agreed.pool = pool.template accepted<pool_v3>() ? pool.template get<pool_v3>()
                                                    : pool.template get<pool_v2>();
    agreed.pool_version = pool.version();

    const auto clock = kshake::negotiate<shared_clock>(transport, clock_request{10});
    if (!clock) {
        agreed.status = clock.status();
        record(clock.status());
        return agreed;
    }
    agreed.clock = *clock;
    const auto format = kshake::negotiate<format_query>(transport, format_request{1920, 1080});
    if (format) {
        agreed.format = format.value();
    }
    const auto power = kshake::negotiate<power_state>(transport, power_request{1});
    const auto stats = kshake::negotiate<statistics>(transport, statistics_request{0});
    const auto echo = kshake::negotiate<ping>(transport, ping_request{0x1234U});
    if (!format || !power || !stats || !echo || echo->cookie != ~0x1234U) {
        agreed.status = STATUS_DEVICE_PROTOCOL_ERROR;
        record(STATUS_DEVICE_PROTOCOL_ERROR);
        return agreed;
    }
    agreed.power = *power;
    agreed.stats = *stats;
    agreed.echo = *echo;
    record(STATUS_SUCCESS);
    return agreed;
}

// The source pin's KSSTATE_STOP -> KSSTATE_ACQUIRE step: over the connection (KsPinHandshake),
// and over the connected pin's file object (IOCTL_KS_HANDSHAKE), which a driver uses for a pin
// it holds a file object of.
void SourcePinAcquire(PKSPIN pin, outcome& connected, outcome& by_file) noexcept {
    if (!pool_id_is_configured()) {
        connected.status = STATUS_INVALID_PARAMETER;
        by_file.status = STATUS_INVALID_PARAMETER;
        return;
    }
    connected = negotiate_with(kshake::avstream::connected_pin(pin));
    const PFILE_OBJECT peer = KsPinGetConnectedPinFileObject(pin);
    by_file.status = STATUS_DEVICE_NOT_CONNECTED;
    if (peer != nullptr) {
        by_file = negotiate_with(kshake::avstream::file_object(peer));
    }
}

} // namespace kernel_api

// What the Wine harness (tests/kernel/wine/harness.c, which mirrors this layout and checks its
// size) hands the driver and reads back: the values in the order run_images.py names them.
extern "C" {
struct kshake_test_run_t {
    PKSPIN sink;
    PKSPIN source;
    ULONG size;
    ULONG count;
    ULONG value[32];
};
kshake_test_run_t kshake_test_run;
}

namespace kernel_api {

void report(const outcome& agreed, ULONG& count) noexcept {
    const ULONG values[] = {
        static_cast<ULONG>(agreed.status),
        agreed.pool_version,
        agreed.pool.frames,
        agreed.pool.alignment,
        static_cast<ULONG>(agreed.pool.pool_address),
        static_cast<ULONG>(agreed.clock.frequency_hz),
        agreed.format.stride,
        agreed.format.frame_bytes,
        agreed.power.previous_state,
        agreed.stats.delivered,
        agreed.stats.dropped,
        agreed.echo.cookie,
    };
    for (const ULONG v : values) {
        if (count < sizeof kshake_test_run.value / sizeof kshake_test_run.value[0]) {
            kshake_test_run.value[count++] = v;
        }
    }
}

} // namespace kernel_api

extern "C" DRIVER_INITIALIZE DriverEntry;

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    kshake_test_run.size = sizeof kshake_test_run;
    if (kshake_test_run.sink == nullptr || kshake_test_run.source == nullptr) {
        return STATUS_SUCCESS; // not under the harness: no pins to drive
    }
    const NTSTATUS created = kernel_api::SinkPinCreate(kshake_test_run.sink);
    if (!NT_SUCCESS(created)) {
        return created;
    }
    kernel_api::outcome connected{};
    kernel_api::outcome by_file{};
    kernel_api::SourcePinAcquire(kshake_test_run.source, connected, by_file);
    ULONG count = 0;
    kernel_api::report(connected, count);
    kernel_api::report(by_file, count);
    kshake_test_run.count = count;
    return STATUS_SUCCESS;
}
