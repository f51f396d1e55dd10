/* TEST-ONLY STAND-IN, NOT THE WDK. The few wdm.h items kshake's MSVC-ABI test builds need
 * (tests/kernel/build_driver.py, toolchains clang-cl-*), written from Microsoft's public
 * documentation; see README.md in this folder. A real driver includes the real WDK's wdm.h.
 *
 * Sources (learn.microsoft.com page titles):
 *   "Windows Data Types" (ULONG, ULONG_PTR, PVOID, ...); "Basic Data Types" (wdm)
 *   "[MS-ERREF] 2.3.1 NTSTATUS Values"; "Using NTSTATUS Values" (NT_SUCCESS)
 *   "GUID structure (guiddef.h)"; "UNICODE_STRING structure (ntdef.h)"
 *   "DRIVER_OBJECT structure (wdm.h)"; "DRIVER_INITIALIZE callback function (wdm.h)"
 *   "FILE_OBJECT structure (wdm.h)"; "MODE enumeration (wdm.h)"
 *   "Defining I/O Control Codes" (CTL_CODE, METHOD_*, FILE_*_ACCESS)
 *   "KeBugCheckEx function (wdm.h)"; "KeQueryActiveProcessorCount function (wdm.h)"
 *   "DbgPrintEx function (wdm.h)" (its component IDs and levels: dpfilter.h, in this folder)
 *   "UNREFERENCED_PARAMETER" (winnt.h/ntdef.h macro)
 *   "LARGE_INTEGER union (winnt.h)"; "KeQueryPerformanceCounter function (wdm.h)" (hal.lib:
 *   hal.dll's export, hence NTHALAPI)
 */
#ifndef KSHAKE_TEST_WDK_WDM_H
#define KSHAKE_TEST_WDK_WDM_H

#define _WDMDDK_ /* the guard the real wdm.h defines; kshake's kernel headers check it */

#if !defined(_MSC_VER)
#error "tests/kernel/wdk: these stand-ins are for the MSVC target (clang-cl) only"
#endif

#define NTAPI __stdcall
#define DECLSPEC_IMPORT __declspec(dllimport)
#define DECLSPEC_NORETURN __declspec(noreturn)
#define NTKERNELAPI DECLSPEC_IMPORT /* ntoskrnl.exe's exports, as seen from a driver */
#define NTSYSAPI DECLSPEC_IMPORT    /* the same, for the run-time library routines (Dbg*) */
#define NTHALAPI DECLSPEC_IMPORT    /* hal.dll's exports */

#define VOID void
typedef void *PVOID;
typedef char CHAR;
typedef const CHAR *PCSTR;
typedef char CCHAR;
typedef unsigned char UCHAR;
typedef UCHAR BOOLEAN;
typedef short SHORT;
typedef unsigned short USHORT;
typedef long LONG;
typedef unsigned long ULONG;
typedef ULONG *PULONG;
typedef __int64 LONGLONG;
typedef unsigned __int64 ULONGLONG;
typedef unsigned __int64 ULONG64;
typedef wchar_t WCHAR;
typedef WCHAR *PWCH;
#if defined(_WIN64)
typedef __int64 LONG_PTR;
typedef unsigned __int64 ULONG_PTR;
#else
typedef long LONG_PTR;
typedef unsigned long ULONG_PTR;
#endif
typedef ULONG_PTR SIZE_T;

/* A 64-bit signed value, also as its two 32-bit halves (both by name and through u). */
typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef ULONG_PTR KAFFINITY;
typedef KAFFINITY *PKAFFINITY;

#define TRUE 1
#define FALSE 0
#ifndef NULL
#ifdef __cplusplus
#define NULL 0
#else
#define NULL ((void *)0)
#endif
#endif

#define UNREFERENCED_PARAMETER(P) ((void)(P)) /* the WDK's is (P); clang's -Wunused-value would flag it */

/* NTSTATUS: a 32-bit LONG; severity in the top two bits. */
typedef LONG NTSTATUS;
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)

#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023L)
#define STATUS_REVISION_MISMATCH ((NTSTATUS)0xC0000059L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_NOT_CONNECTED ((NTSTATUS)0xC000009DL)
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#define STATUS_INVALID_DEVICE_STATE ((NTSTATUS)0xC0000184L)
#define STATUS_DEVICE_PROTOCOL_ERROR ((NTSTATUS)0xC0000186L)
#define STATUS_INVALID_BUFFER_SIZE ((NTSTATUS)0xC0000206L)
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)

typedef struct _GUID {
    unsigned long Data1;
    unsigned short Data2;
    unsigned short Data3;
    unsigned char Data4[8];
} GUID;

typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

/* Opaque here: the tests' drivers only pass these pointers on. */
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _FILE_OBJECT FILE_OBJECT, *PFILE_OBJECT;

/* No calling convention written, as in the WDK: __stdcall on x86 under /Gz. */
typedef NTSTATUS DRIVER_INITIALIZE(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;

#include <dpfilter.h> /* DbgPrintEx's DPFLTR_*_ID and DPFLTR_*_LEVEL, as the real wdm.h has */

typedef enum _MODE { KernelMode, UserMode, MaximumMode } MODE;
typedef CCHAR KPROCESSOR_MODE;

#define CTL_CODE(DeviceType, Function, Method, Access)                                             \
    (((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#define METHOD_BUFFERED 0
#define METHOD_IN_DIRECT 1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER 3
#define FILE_ANY_ACCESS 0

#ifdef __cplusplus
extern "C" {
#endif

DECLSPEC_NORETURN NTKERNELAPI VOID NTAPI KeBugCheckEx(ULONG BugCheckCode,
                                                     ULONG_PTR BugCheckParameter1,
                                                     ULONG_PTR BugCheckParameter2,
                                                     ULONG_PTR BugCheckParameter3,
                                                     ULONG_PTR BugCheckParameter4);

/* The tests' negative cases call it where the compiler cannot see a constant. */
NTKERNELAPI ULONG NTAPI KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors);

/* The performance counter (hal.dll; the WDK's hal.lib); PerformanceFrequency may be null. */
NTHALAPI LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);

/* Variadic, so __cdecl on x86 whatever /Gz makes the default; it returns an NTSTATUS as a ULONG. */
NTSYSAPI ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);

#ifdef __cplusplus
}
#endif

#endif /* KSHAKE_TEST_WDK_WDM_H */
