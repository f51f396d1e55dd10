/* TEST-ONLY STAND-IN, NOT THE WDK. The few ks.h items kshake's MSVC-ABI test builds need
 * (tests/kernel/build_driver.py, toolchains clang-cl-*), written from Microsoft's public
 * documentation; see README.md in this folder. A real driver includes the real WDK's ks.h.
 *
 * Sources (learn.microsoft.com page titles):
 *   "KSHANDSHAKE structure (ks.h)"; "KSPIN structure (ks.h)"
 *   "PFNKSPINHANDSHAKE callback function (ks.h)"; "KsPinHandshake function (ks.h)"
 *   "KsPinRegisterHandshakeCallback function (ks.h)"
 *   "KsSynchronousIoControlDevice function (ks.h)"
 *   "KsPinGetConnectedPinFileObject function (ks.h)"; "IOCTL_KS_HANDSHAKE IOCTL (ks.h)"
 *   "KSPIN_COMMUNICATION enumeration" (via "KSPIN_DESCRIPTOR structure (ks.h)")
 */
#ifndef KSHAKE_TEST_WDK_KS_H
#define KSHAKE_TEST_WDK_KS_H

#define _KS_ /* the guard the real ks.h defines; kshake/avstream.hpp checks it */

#if !defined(_NTDDK_) && !defined(_WDMDDK_)
#error "tests/kernel/wdk/ks.h: include <ntddk.h> (or <wdm.h>) first, as with the WDK"
#endif

#define KSDDKAPI DECLSPEC_IMPORT /* ks.sys's exports, as seen from a minidriver */

#define FILE_DEVICE_KS 0x0000002F
/* CTL_CODE(FILE_DEVICE_KS, 7, METHOD_NEITHER, FILE_ANY_ACCESS) == 0x002F001F */
#define IOCTL_KS_HANDSHAKE CTL_CODE(FILE_DEVICE_KS, 7, METHOD_NEITHER, FILE_ANY_ACCESS)

typedef struct {
    GUID ProtocolId;
    PVOID Argument1;
    PVOID Argument2;
} KSHANDSHAKE, *PKSHANDSHAKE;

typedef enum {
    KSPIN_COMMUNICATION_NONE,
    KSPIN_COMMUNICATION_SINK,
    KSPIN_COMMUNICATION_SOURCE,
    KSPIN_COMMUNICATION_BOTH,
    KSPIN_COMMUNICATION_BRIDGE
} KSPIN_COMMUNICATION;

typedef PVOID KSOBJECT_BAG;
typedef struct _KSPIN_DESCRIPTOR_EX KSPIN_DESCRIPTOR_EX; /* opaque here */

/* KSPIN's documented leading members, in the documented order. The real structure goes on
 * (ConnectionInterface, ConnectionMedium, ..., ClientState): a driver never creates a KSPIN
 * (AVStream does and hands out pointers), so declaring only a prefix keeps every offset used. */
typedef struct _KSPIN {
    const KSPIN_DESCRIPTOR_EX *Descriptor;
    KSOBJECT_BAG Bag;
    PVOID Context;
    ULONG Id;
    KSPIN_COMMUNICATION Communication;
    BOOLEAN ConnectionIsExternal;
} KSPIN, *PKSPIN;

/* No calling convention written, as in the WDK: __stdcall on x86 under /Gz, as ks.sys calls it. */
typedef NTSTATUS (*PFNKSPINHANDSHAKE)(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out);

#ifdef __cplusplus
extern "C" {
#endif

KSDDKAPI NTSTATUS NTAPI KsPinHandshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out);
KSDDKAPI void NTAPI KsPinRegisterHandshakeCallback(PKSPIN Pin, PFNKSPINHANDSHAKE Handshake);
KSDDKAPI PFILE_OBJECT NTAPI KsPinGetConnectedPinFileObject(PKSPIN Pin);
KSDDKAPI NTSTATUS NTAPI KsSynchronousIoControlDevice(PFILE_OBJECT FileObject,
                                                    KPROCESSOR_MODE RequestorMode, ULONG IoControl,
                                                    PVOID InBuffer, ULONG InSize, PVOID OutBuffer,
                                                    ULONG OutSize, PULONG BytesReturned);

#ifdef __cplusplus
}
#endif

#endif /* KSHAKE_TEST_WDK_KS_H */
