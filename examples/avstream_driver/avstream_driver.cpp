// kshake sample AVStream minidriver: one filter, a source (output) pin that negotiates the
// private contoso protocols with the pin it is connected to, and a sink (input) pin that serves
// them. Chain two instances of the filter (output -> input) and they agree on contoso.frame-pool
// v2 and contoso.shared-clock, through KsPinHandshake and KsPinRegisterHandshakeCallback.
//
// The sample moves no data (no Process dispatch): it shows where the handshake goes in an
// AVStream driver in the style of the WDK samples (avshws, avssamp). The protocol logic lives in
// sample_pins.hpp, which the user-mode test tests/driver_logic_test.cpp runs over mock pins.
// The kernel build check (tests/kernel/) cross-builds this file with mingw-w64 g++ (x86_64,
// i686) and clang-19 and checks the .sys image. docs/driver.md explains every choice.
// SPDX-License-Identifier: MIT

// The WDK's order: <ntddk.h>, then <ks.h>, then kshake's kernel header (it includes kshake.hpp
// and the std::terminate shim).
#include <ntddk.h>
#include <ks.h>

#include <kshake/avstream.hpp>

#include "sample_pins.hpp"

// GSL reports a broken contract through std::terminate(); a driver has no C++ runtime, so
// exactly one translation unit of the driver defines it, as a bug check.
KSHAKE_DEFINE_KERNEL_TERMINATE();

extern "C" DRIVER_INITIALIZE DriverEntry;

namespace {

// ---- Entry points (declared with their annotations; definitions use _Use_decl_annotations_) ----
// AVStream calls every one of these at PASSIVE_LEVEL. mingw-w64's driverspecs.h/sal.h define
// the SAL macros as nothing; under the WDK, Code Analysis reads them.

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS SourcePinCreate(_In_ PKSPIN Pin, _In_ PIRP Irp);

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS
    SourcePinSetDeviceState(_In_ PKSPIN Pin, _In_ KSSTATE ToState, _In_ KSSTATE FromState);

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS SinkPinCreate(_In_ PKSPIN Pin, _In_ PIRP Irp);

// Shows as "kshk" in a pool dump (!poolused, !pool): the tag's bytes in memory order.
constexpr ULONG pool_tag = ULONG{'k'} | ULONG{'s'} << 8 | ULONG{'h'} << 16 | ULONG{'k'} << 24;

// The frame the pins carry (the data range's SampleSize): 1080p, 16 bits a pixel.
constexpr ULONG frame_bytes = 1920 * 1080 * 2;

// A pin context: allocated from non-paged pool (a real driver reads it from its Process dispatch,
// which may run at DISPATCH_LEVEL) and handed to the pin's object bag, which frees it with
// ExFreePool when the pin closes. KsAddItemToObjectBag wants the parent filter's control mutex
// held; AVStream holds it around the pin's Create dispatch, where this is called.
// ExAllocatePool2(POOL_FLAG_NON_PAGED, ...) is the modern call (Windows 10 2004 and later; it
// zeroes); mingw-w64 10's wdm.h does not declare it, so the sample uses ExAllocatePoolWithTag.
// The contexts are plain structs, so copying the bytes creates the object (no placement new:
// <new> is a C++ standard header, which a WDK kernel project does not have).
template <class Context>
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS
    AttachPinContext(_Inout_ PKSPIN Pin, const Context& initial) {
    void* const memory = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(Context), pool_tag);
    if (memory == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    static_assert(__is_trivially_copyable(Context), "a pin context here is a plain struct");
    RtlCopyMemory(memory, &initial, sizeof(Context));
    auto* const state = static_cast<Context*>(memory);
    const NTSTATUS status = KsAddItemToObjectBag(Pin->Bag, state, nullptr);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(memory, pool_tag);
        return status;
    }
    Pin->Context = state;
    return STATUS_SUCCESS;
}

// ---- Pageable code ----
// Routines that run only at PASSIVE_LEVEL go in the PAGE section, as in the WDK's C++ samples:
// code_seg, because alloc_text takes only extern "C" functions. ALLOC_PRAGMA is defined for MSVC
// only (mingw-w64's wdm.h tests _MSC_VER), so with g++ and clang, which have no such pragma,
// these routines stay in .text, resident: correct, only not pageable. PAGED_CODE() asserts the
// IRQL in a checked (DBG=1) build and is empty otherwise, under both.
#ifdef ALLOC_PRAGMA
#pragma code_seg("PAGE")
#endif

// The source pin's context: what it agreed with its peer.
struct source_pin_context {
    sample::source_agreement agreed;
};

_Use_decl_annotations_ NTSTATUS SourcePinCreate(PKSPIN Pin, PIRP Irp) {
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Irp);
    return AttachPinContext(Pin, source_pin_context{});
}

// Where the source negotiates: the KSSTATE_STOP -> KSSTATE_ACQUIRE transition. It is the
// idiomatic place to acquire what streaming needs (avshws allocates its hardware resources
// there): the pin is connected and its format fixed (ConnectionFormat), the call is at
// PASSIVE_LEVEL as KsPinHandshake requires, and AVStream holds the filter control mutex, so no
// other state change or disconnection races with the handshake. A standard-transport pin gets
// one step at a time (STOP -> ACQUIRE -> PAUSE -> RUN and back), so ACQUIRE -> STOP is where
// the agreement is forgotten. (KSPIN_DISPATCH's Connect is called on the *sink* of a connection,
// not on the pin that initiates; and nothing documents that the peer can already answer a
// handshake when SetDataFormat runs at pin creation.)
_Use_decl_annotations_ NTSTATUS SourcePinSetDeviceState(PKSPIN Pin, KSSTATE ToState,
                                                        KSSTATE FromState) {
    PAGED_CODE();
    auto* const context = static_cast<source_pin_context*>(Pin->Context);

    if (FromState == KSSTATE_STOP && ToState == KSSTATE_ACQUIRE) {
        if (Pin->ConnectionIsExternal) {
            // The peer is not an AVStream pin (e.g. a user-mode client): it cannot answer a
            // protocol handshake, so there is nothing to offer.
            context->agreed = sample::source_agreement::refused(STATUS_NOT_SUPPORTED);
            return STATUS_SUCCESS;
        }
        const ULONG bytes =
            Pin->ConnectionFormat != nullptr && Pin->ConnectionFormat->SampleSize != 0
                ? Pin->ConnectionFormat->SampleSize
                : frame_bytes;
        // KsPinHandshake carries each offer to the connected pin's handshake callback. The
        // request and response envelopes live in this frame for the duration of each call.
        context->agreed = sample::negotiate_with_peer(kshake::avstream::connected_pin(Pin), bytes);
        KdPrintEx((DPFLTR_IHVSTREAMING_ID, DPFLTR_INFO_LEVEL,
                   "kshake sample: frame pool v%lu (status 0x%08lx), clock status 0x%08lx\n",
                   static_cast<ULONG>(context->agreed.pool_version),
                   static_cast<ULONG>(context->agreed.pool_status),
                   static_cast<ULONG>(context->agreed.clock_status)));
    } else if (ToState == KSSTATE_STOP) {
        context->agreed = sample::source_agreement{};
    }
    // The private protocols are an optimisation: without them the pin streams the standard way,
    // so a refusal never fails the state change.
    return STATUS_SUCCESS;
}

// The sink pin serves the protocols from the moment it exists: its context first (the handshake
// callback reads Pin->Context), then the callback, "as soon as possible" as the
// KsPinRegisterHandshakeCallback page asks.
_Use_decl_annotations_ NTSTATUS SinkPinCreate(PKSPIN Pin, PIRP Irp) {
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Irp);
    const sample::sink_pin_state initial{
        0, // pool_address: no hardware here; a real sink names its frame pool
        8, // pool_frames
        frame_bytes, // max_frame_bytes
        10'000'000, // clock_frequency_hz: the 100 ns units of KeQueryInterruptTime
    };
    const NTSTATUS status = AttachPinContext(Pin, initial);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    kshake::avstream::install<sample::sink_responder>(Pin);
    return STATUS_SUCCESS;
}

#ifdef ALLOC_PRAGMA
#pragma code_seg()
#endif

// ---- Descriptors ----
// All constant-initialised: a driver has no CRT to run dynamic initialisers (the image check
// fails on any). The data range is constinit rather than constexpr only because
// KSPIN_DESCRIPTOR::DataRanges points to non-const KSDATARANGE pointers.
//
// GUIDs: the WDK samples write {STATIC_KSDATAFORMAT_TYPE_STREAM}, whose flat list relies on
// brace elision (clang's -Wmissing-braces rejects it under -Werror); kshake's "..."_guid literal
// is checked at compile time and converts to the same constant GUID.
using namespace kshake::literals;

constexpr GUID platform_guid(const kshake::guid& id) noexcept {
    return kshake::to_platform<GUID>(id);
}

constexpr KSPIN_DISPATCH source_pin_dispatch = {
    SourcePinCreate, // Create
    nullptr, // Close: the object bag frees the context
    nullptr, // Process
    nullptr, // Reset
    nullptr, // SetDataFormat
    SourcePinSetDeviceState, // SetDeviceState: negotiates on STOP -> ACQUIRE
    nullptr, // Connect
    nullptr, // Disconnect
    nullptr, // Clock
    nullptr, // Allocator
};

constexpr KSPIN_DISPATCH sink_pin_dispatch = {
    SinkPinCreate, // Create: context, then the handshake callback
    nullptr,       nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
};

constinit KSDATARANGE stream_range = {{
    sizeof(KSDATARANGE),
    0, // Flags
    frame_bytes, // SampleSize
    0, // Reserved
    platform_guid("E436EB83-524F-11CE-9F53-0020AF0BA770"_guid), // KSDATAFORMAT_TYPE_STREAM
    platform_guid("E436EB8E-524F-11CE-9F53-0020AF0BA770"_guid), // KSDATAFORMAT_SUBTYPE_NONE
    platform_guid("0F6417D6-C318-11D0-A43F-00A0C9223196"_guid), // KSDATAFORMAT_SPECIFIER_NONE
}};
constinit PKSDATARANGE stream_ranges[] = {&stream_range};

constexpr KSPIN_DESCRIPTOR_EX pin_descriptors[] = {
    {
        // 0: source (output). Offers the contoso protocols to the pin it is connected to.
        &source_pin_dispatch,
        nullptr, // AutomationTable
        {
            DEFINE_KSPIN_DEFAULT_INTERFACES,
            DEFINE_KSPIN_DEFAULT_MEDIUMS,
            SIZEOF_ARRAY(stream_ranges),
            stream_ranges,
            KSPIN_DATAFLOW_OUT,
            KSPIN_COMMUNICATION_BOTH,
            nullptr, // Category
            nullptr, // Name
            {0}, // Reserved
        },
        0, // Flags
        1, // InstancesPossible
        0, // InstancesNecessary
        nullptr, // AllocatorFraming
        nullptr, // IntersectHandler: the default (KsPinDataIntersectionEx on the ranges)
    },
    {
        // 1: sink (input). Serves the contoso protocols with a kshake::responder.
        &sink_pin_dispatch,
        nullptr,
        {
            DEFINE_KSPIN_DEFAULT_INTERFACES,
            DEFINE_KSPIN_DEFAULT_MEDIUMS,
            SIZEOF_ARRAY(stream_ranges),
            stream_ranges,
            KSPIN_DATAFLOW_IN,
            KSPIN_COMMUNICATION_BOTH,
            nullptr,
            nullptr,
            {0},
        },
        0,
        1,
        0,
        nullptr,
        nullptr,
    },
};

constexpr GUID filter_categories[] = {
    platform_guid("2EB07EA0-7E70-11D0-A5D6-28DB04C10000"_guid), // KSCATEGORY_DATATRANSFORM
};

constexpr KSFILTER_DESCRIPTOR filter_descriptor = {
    nullptr, // Dispatch
    nullptr, // AutomationTable
    KSFILTER_DESCRIPTOR_VERSION,
    0, // Flags
    nullptr, // ReferenceGuid
    DEFINE_KSFILTER_PIN_DESCRIPTORS(pin_descriptors),
    DEFINE_KSFILTER_CATEGORIES(filter_categories),
    DEFINE_KSFILTER_NODE_DESCRIPTORS_NULL,
    DEFINE_KSFILTER_DEFAULT_CONNECTIONS,
    nullptr, // ComponentId
};

constexpr const KSFILTER_DESCRIPTOR* filter_descriptors[] = {&filter_descriptor};

constexpr KSDEVICE_DESCRIPTOR device_descriptor = {
    nullptr, // Dispatch: no hardware, so no PnP start/stop work
    SIZEOF_ARRAY(filter_descriptors),
    filter_descriptors,
    KSDEVICE_DESCRIPTOR_VERSION,
};

// The responder is exactly a PFNKSPINHANDSHAKE: on x86 that is __stdcall, as ks.sys calls it
// (the build's -mrtd, the WDK's /Gz); the image check verifies the callback pops its 12 bytes.
[[maybe_unused]] constexpr PFNKSPINHANDSHAKE sink_handshake =
    kshake::avstream::handshake_callback<sample::sink_responder>;

} // namespace

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#endif

// AVStream does the rest: it creates the device, the filter factory and, on request, filters and
// pins from the descriptors.
_Use_decl_annotations_ NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject,
                                            PUNICODE_STRING RegistryPath) {
    return KsInitializeDriver(DriverObject, RegistryPath, &device_descriptor);
}
