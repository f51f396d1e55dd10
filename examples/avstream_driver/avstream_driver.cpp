// kshake sample AVStream driver — PLACEHOLDER until the negotiation core lands.
//
// A filter with a source pin and a sink pin. The sink pin installs a handshake routine when it
// is created; the source pin offers a private protocol to its peer when it reaches
// KSSTATE_ACQUIRE. The routine and the offer are written by hand here (untyped KSHANDSHAKE); the
// sample switches to kshake::responder / kshake::negotiate_first once those exist. What this file
// proves today is the kernel build itself: <ntddk.h>, <ks.h> and kshake's headers in one C++20
// translation unit, linked into a .sys that imports only ks.sys, ntoskrnl.exe and hal.dll
// (tests/kernel/ checks the image).
// SPDX-License-Identifier: MIT

// Platform headers first, in the WDK's order; then kshake.
#include <ntddk.h>
#include <ks.h>

#include <kshake/detail/kernel_terminate.hpp>
#include <kshake/kshake.hpp>

#include <gsl/assert>

// GSL reports a broken contract through std::terminate(); a driver has no C++ runtime, so
// exactly one translation unit of the driver defines it (as a bug check).
KSHAKE_DEFINE_KERNEL_TERMINATE();

using namespace kshake::literals;

namespace {

// The private protocol the two pins speak. The id is a kshake literal checked at compile time.
constexpr kshake::guid sample_protocol_id = "3F2B6C1E-8D47-4A90-B5E2-7C1D0A9F4E63"_guid;

struct sample_request {
    std::uint32_t size;
    std::uint32_t frames_wanted;
};
struct sample_response {
    std::uint32_t size;
    std::uint32_t frames_granted;
};

// Hand-written PFNKSPINHANDSHAKE (the untyped shape a kshake::responder replaces). No explicit
// calling convention: it must have whatever convention ks.h gives PFNKSPINHANDSHAKE, which on
// x86 is the build's default (__stdcall: /Gz in the WDK, -mrtd with mingw).
NTSTATUS SampleHandshake(_In_ PKSPIN Pin, _In_ PKSHANDSHAKE In, _Out_ PKSHANDSHAKE Out) {
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Pin);
    Expects(In != nullptr && Out != nullptr);

    if (kshake::from_platform(In->ProtocolId) != sample_protocol_id ||
        In->Argument1 == nullptr || In->Argument2 == nullptr) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    const auto* request = static_cast<const sample_request*>(In->Argument1);
    auto* response = static_cast<sample_response*>(In->Argument2);
    if (request->size != sizeof(sample_request) || response->size != sizeof(sample_response)) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    response->frames_granted = request->frames_wanted < 8U ? request->frames_wanted : 8U;
    Out->ProtocolId = In->ProtocolId;
    Out->Argument1 = response;
    Out->Argument2 = nullptr;
    return STATUS_SUCCESS;
}
static_assert(std::is_same_v<decltype(&SampleHandshake), PFNKSPINHANDSHAKE>,
              "the handshake routine must have exactly the PFNKSPINHANDSHAKE type");

NTSTATUS SinkPinCreate(_In_ PKSPIN Pin, _In_ PIRP Irp) {
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Irp);
    KsPinRegisterHandshakeCallback(Pin, SampleHandshake);
    return STATUS_SUCCESS;
}

NTSTATUS SourcePinSetDeviceState(_In_ PKSPIN Pin, _In_ KSSTATE ToState, _In_ KSSTATE FromState) {
    PAGED_CODE();
    if (ToState != KSSTATE_ACQUIRE || FromState != KSSTATE_STOP) {
        return STATUS_SUCCESS;
    }
    sample_request request{sizeof(sample_request), 4};
    sample_response response{sizeof(sample_response), 0};
    KSHANDSHAKE in{};
    KSHANDSHAKE out{};
    in.ProtocolId = kshake::to_platform<GUID>(sample_protocol_id);
    in.Argument1 = &request;
    in.Argument2 = &response;
    const NTSTATUS status = KsPinHandshake(Pin, &in, &out);
    // A peer that does not speak the protocol is fine: the pin streams without it.
    if (NT_SUCCESS(status) && KsPinGetConnectedPinFileObject(Pin) == nullptr) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    return STATUS_SUCCESS;
}

// Everything below is constant-initialised: a driver has no CRT to run dynamic initialisers.
constexpr KSPIN_DISPATCH source_pin_dispatch = {
    nullptr, nullptr, nullptr, nullptr, nullptr, SourcePinSetDeviceState,
    nullptr, nullptr, nullptr, nullptr};
constexpr KSPIN_DISPATCH sink_pin_dispatch = {
    SinkPinCreate, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

constinit KSDATARANGE stream_range = {{
    sizeof(KSDATARANGE), 0, 0, 0,
    kshake::to_platform<GUID>("E436EB83-524F-11CE-9F53-0020AF0BA770"_guid), // TYPE_STREAM
    kshake::to_platform<GUID>("E436EB8E-524F-11CE-9F53-0020AF0BA770"_guid), // SUBTYPE_NONE
    kshake::to_platform<GUID>("0F6417D6-C318-11D0-A43F-00A0C9223196"_guid), // SPECIFIER_NONE
}};
constinit PKSDATARANGE pin_ranges[] = {&stream_range};

constexpr KSPIN_DESCRIPTOR_EX pin_descriptors[] = {
    {&source_pin_dispatch, nullptr,
     {0, nullptr, 0, nullptr, 1, pin_ranges, KSPIN_DATAFLOW_OUT, KSPIN_COMMUNICATION_BOTH, nullptr,
      nullptr, {0}},
     0, 1, 0, nullptr, nullptr},
    {&sink_pin_dispatch, nullptr,
     {0, nullptr, 0, nullptr, 1, pin_ranges, KSPIN_DATAFLOW_IN, KSPIN_COMMUNICATION_BOTH, nullptr,
      nullptr, {0}},
     0, 1, 0, nullptr, nullptr},
};

constexpr GUID filter_categories[] = {
    kshake::to_platform<GUID>("2EB07EA0-7E70-11D0-A5D6-28DB04C10000"_guid), // DATATRANSFORM
};

constexpr KSFILTER_DESCRIPTOR filter_descriptor = {
    nullptr, nullptr, KSFILTER_DESCRIPTOR_VERSION, 0, nullptr,
    sizeof(pin_descriptors) / sizeof(pin_descriptors[0]), sizeof(KSPIN_DESCRIPTOR_EX),
    pin_descriptors,
    sizeof(filter_categories) / sizeof(filter_categories[0]), filter_categories,
    0, 0, nullptr, 0, nullptr, nullptr};

constexpr const KSFILTER_DESCRIPTOR* filter_descriptors[] = {&filter_descriptor};

constexpr KSDEVICE_DESCRIPTOR device_descriptor = {
    nullptr, sizeof(filter_descriptors) / sizeof(filter_descriptors[0]), filter_descriptors, 0};

} // namespace

extern "C" DRIVER_INITIALIZE DriverEntry;

extern "C" NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject,
                                _In_ PUNICODE_STRING RegistryPath) {
    return KsInitializeDriver(DriverObject, RegistryPath, &device_descriptor);
}
