// The smallest driver the image checker accepts: it imports the two handshake calls from ks.sys
// and nothing but ks.sys/ntoskrnl.exe/hal.dll. Each case in this folder is this driver plus one
// defect; minimal_ok.cpp is the twin without a defect, which must pass, so a case can only fail
// for its own defect.
// SPDX-License-Identifier: MIT
#pragma once

#include <ntddk.h>
#include <ks.h>

// On x86 the platform calls this __stdcall (the WDK's /Gz): the checker verifies it pops 12 bytes.
// (The early return gives it a `ret` of its own: a pure forwarder compiles to a tail jump.)
inline NTSTATUS MinimalHandshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out) {
    if (In == nullptr || Out == nullptr) {
        return STATUS_INVALID_PARAMETER;
    }
    return KsPinHandshake(Pin, In, Out);
}

inline NTSTATUS MinimalDriverEntry(PDRIVER_OBJECT DriverObject) {
    KsPinRegisterHandshakeCallback(reinterpret_cast<PKSPIN>(DriverObject), MinimalHandshake);
    return STATUS_SUCCESS;
}

#define KSHAKE_MINIMAL_DRIVER_ENTRY(body)                                                          \
    extern "C" DRIVER_INITIALIZE DriverEntry;                                                      \
    extern "C" NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {   \
        UNREFERENCED_PARAMETER(RegistryPath);                                                      \
        body;                                                                                      \
        return MinimalDriverEntry(DriverObject);                                                   \
    }                                                                                              \
    static_assert(true, "")
