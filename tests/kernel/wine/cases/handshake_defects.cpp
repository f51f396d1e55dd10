// A small driver for the Wine step's negative cases (tests/kernel/wine/run_images.py): a sink pin
// serving one protocol through a hand-written PFNKSPINHANDSHAKE around kshake's callback, and a
// source pin offering it at versions 3 and 2 (3 is refused, 2 agreed). Built once without a
// defect (the twin, which must pass) and once for each defect, chosen by KSHAKE_TEST_DEFECT:
//
//   1  the handshake routine writes Out although it refused (the v3 offer): a wire rule broken
//      that kshake's initiator cannot see (it reads nothing after a refusal), so the ks.sys
//      stand-in must report it;
//   2  the handshake routine answers v2 with a response envelope size that is not the response's
//      (docs/wire.md 2.5, R4): kshake's initiator in this image must report
//      STATUS_DEVICE_PROTOCOL_ERROR;
//   3  DriverEntry also calls a ks.sys export the stand-in does not have
//      (KsPinAcquireProcessingMutex, linked with tests/kernel/wine/ks_missing.def): Wine binds a
//      stub, and the run must report the import and the call.
//
// Like kernel_api.cpp it gets its two pins from the harness through kshake_test_run.
// SPDX-License-Identifier: MIT
#include <ntddk.h>
#include <ks.h>

#include <kshake/avstream.hpp>

KSHAKE_DEFINE_KERNEL_TERMINATE();

#ifndef KSHAKE_TEST_DEFECT
#define KSHAKE_TEST_DEFECT 0
#endif

namespace defects {

using namespace kshake::literals;

struct echo_request {
    ULONG cookie;
};
struct echo_reply {
    ULONG cookie;
    ULONG served;
};
struct echo {
    static constexpr kshake::guid id = "6B0E51C2-97A4-4F3D-8E21-3C5D7A9B0F11"_guid;
    using request = echo_request;
    using response = echo_reply;
    static constexpr unsigned int version = 2;
    static constexpr unsigned int min_version = 1;
};

struct sink_state {
    ULONG served;
};

kshake::ntstatus answer(sink_state& pin, const echo_request& request, echo_reply& reply,
                        unsigned int) noexcept {
    pin.served = pin.served + 1;
    reply.cookie = ~request.cookie;
    reply.served = pin.served;
    return kshake::status::success;
}

using echo_responder = kshake::responder<sink_state, kshake::route<echo, answer>>;

sink_state sink_context = {0};

// The sink's PFNKSPINHANDSHAKE: kshake's callback, then the defect under test.
NTSTATUS Handshake(PKSPIN pin, PKSHANDSHAKE in, PKSHANDSHAKE out) {
    const NTSTATUS status = kshake::avstream::handshake_callback<echo_responder>(pin, in, out);
#if KSHAKE_TEST_DEFECT == 1
    if (!NT_SUCCESS(status) && out != nullptr && in != nullptr) {
        out->ProtocolId = in->ProtocolId;
    }
#elif KSHAKE_TEST_DEFECT == 2
    if (status == STATUS_SUCCESS && in != nullptr && in->Argument2 != nullptr) {
        auto* const size = static_cast<unsigned char*>(in->Argument2);
        size[0] = static_cast<unsigned char>(size[0] + 4);
    }
#endif
    return status;
}

} // namespace defects

// The harness's window into the driver (tests/kernel/wine/harness.c mirrors this layout).
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

extern "C" DRIVER_INITIALIZE DriverEntry;

extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    kshake_test_run.size = sizeof kshake_test_run;
    if (kshake_test_run.sink == nullptr || kshake_test_run.source == nullptr) {
        return STATUS_SUCCESS;
    }
    kshake_test_run.sink->Context = &defects::sink_context;
    KsPinRegisterHandshakeCallback(kshake_test_run.sink, defects::Handshake);

    using echo_v3 = kshake::at_version<defects::echo, 3>;
    using echo_v2 = kshake::at_version<defects::echo, 2>;
    const defects::echo_request request{0x1234U};
    const auto agreed = kshake::negotiate_first<echo_v3, echo_v2>(
        kshake::avstream::connected_pin(kshake_test_run.source), request, request);
    kshake_test_run.value[0] = static_cast<ULONG>(agreed.status());
    kshake_test_run.value[1] = agreed.version();
    if (agreed) {
        const defects::echo_reply reply = agreed.get<echo_v2>();
        kshake_test_run.value[2] = reply.cookie;
        kshake_test_run.value[3] = reply.served;
    }
    kshake_test_run.count = 4;
#if KSHAKE_TEST_DEFECT == 3
    KsPinAcquireProcessingMutex(kshake_test_run.source);
#endif
    return STATUS_SUCCESS;
}
