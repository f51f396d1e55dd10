/* The test-only ks.sys stand-in's own interface, shared by ks_standin.c (built as ks.sys) and
 * harness.c. Not a WDK interface: a driver image imports only the Ks* functions of ks.h from the
 * stand-in; the harness drives it through these.
 *
 * Include after <ntddk.h> and <ks.h> (mingw-w64's DDK headers).
 * SPDX-License-Identifier: MIT */
#ifndef KSHAKE_WINE_STANDIN_H
#define KSHAKE_WINE_STANDIN_H

#ifdef KSHAKE_STANDIN_BUILD
#define STANDIN_API __declspec(dllexport)
#else
#define STANDIN_API __declspec(dllimport)
#endif

/* What the stand-in saw: one record a handshake (KsPinHandshake or IOCTL_KS_HANDSHAKE) and one a
 * broken rule. The harness prints them; run_images.py judges them. */
enum standin_via { standin_via_pin = 1, standin_via_ioctl = 2 };

struct standin_handshake {
    ULONG via;                 /* standin_via */
    ULONG to_pin;              /* the serving pin's number (standin_pin_number) */
    GUID protocol;             /* In.ProtocolId as sent */
    ULONG request_version;     /* bytes 4-7 of In.Argument1's envelope (docs/wire.md 2.1) */
    LONG status;               /* what the initiator got back */
    LONG popped;               /* x86: bytes the callback popped (-1: not measured, x64) */
    ULONG bytes_returned;      /* IOCTL only: *BytesReturned */
};

#define STANDIN_MAX_HANDSHAKES 64
#define STANDIN_MAX_VIOLATIONS 16
#define STANDIN_TEXT 160

struct standin_log {
    ULONG handshakes;
    struct standin_handshake handshake[STANDIN_MAX_HANDSHAKES];
    ULONG violations;
    char violation[STANDIN_MAX_VIOLATIONS][STANDIN_TEXT];
};

#ifdef __cplusplus
extern "C" {
#endif

/* The log of everything the stand-in saw since it was loaded. */
STANDIN_API const struct standin_log* standin_get_log(void);
/* Empties the log's handshakes (after the harness's own checks of the stand-in). */
STANDIN_API void standin_forget_handshakes(void);
/* Has the K-th handshake after standin_forget_handshakes (counted from 1; 0: none) refused with
 * STATUS_DEVICE_NOT_CONNECTED without calling the callback, as by a peer that went away. */
STANDIN_API void standin_fail_handshake(ULONG k);
/* Adds a violation found by the harness to the same log. */
STANDIN_API void standin_violation(const char* text);
/* The device descriptor the driver handed KsInitializeDriver (NULL if it never called it). */
STANDIN_API const KSDEVICE_DESCRIPTOR* standin_device_descriptor(void);
/* A pin as AVStream would hand it to the driver: zeroed, with a bag and a file object, its
 * Descriptor, Id, DataFlow and ConnectionFormat set; not connected, no handshake callback. */
STANDIN_API PKSPIN standin_create_pin(const KSPIN_DESCRIPTOR_EX* descriptor, ULONG id,
                                      KSPIN_DATAFLOW flow, PKSDATAFORMAT format);
STANDIN_API ULONG standin_pin_number(PKSPIN pin);
/* Connects a source (output) pin to a sink (input) pin. */
STANDIN_API void standin_connect(PKSPIN source, PKSPIN sink);
/* Whether KsAddItemToObjectBag put item into the pin's bag. */
STANDIN_API int standin_bag_holds(PKSPIN pin, PVOID item);
/* Frees what the pin's bag holds (with the item's free routine, or ExFreePool), as AVStream does
 * when a pin closes. */
STANDIN_API void standin_close_pin(PKSPIN pin);
/* Calls a routine of the image with `count` pointer-sized arguments. On x86 *popped is the
 * number of bytes the callee popped (a __stdcall routine pops 4 per argument; the stack is put
 * back whatever it did); on x64 *popped is -1. */
typedef void (*standin_routine)(void); /* any routine of the image; ISO C casts between these */
STANDIN_API LONG standin_call(standin_routine routine, ULONG count, const ULONG_PTR* arguments,
                              LONG* popped);

#ifdef __cplusplus
}
#endif

#endif
