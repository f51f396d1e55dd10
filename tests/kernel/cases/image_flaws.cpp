// The driver image_flaws.py relinks with one flaw at a time: minimal_ok's driver plus a table of
// function pointers in read-only data, so the image holds absolute addresses (and needs base
// relocations) on x64 and ARM64 too, a second routine of DriverEntry's type (the entry point of the
// relink with the wrong one), and, MSVC ABI, DriverEntry in INIT as a WDK driver puts it.
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

namespace {

NTSTATUS RefuseHandshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out) {
    UNREFERENCED_PARAMETER(Pin);
    UNREFERENCED_PARAMETER(In);
    UNREFERENCED_PARAMETER(Out);
    return STATUS_INVALID_DEVICE_REQUEST;
}

// Indexed by a value known only at run time, so the table stays a table of addresses.
constexpr PFNKSPINHANDSHAKE handshakes[] = {MinimalHandshake, RefuseHandshake, MinimalHandshake,
                                            RefuseHandshake};

} // namespace

// Not the driver's entry point: image_flaws.py links one image with /ENTRY:NotDriverEntry.
extern "C" DRIVER_INITIALIZE NotDriverEntry;
extern "C" NTSTATUS NotDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_NOT_SUPPORTED;
}

extern "C" DRIVER_INITIALIZE DriverEntry;
#ifdef _MSC_VER
#pragma alloc_text(INIT, DriverEntry)
#endif

KSHAKE_MINIMAL_DRIVER_ENTRY(KsPinRegisterHandshakeCallback(
    reinterpret_cast<PKSPIN>(RegistryPath), handshakes[RegistryPath->Length % 4]));
