/* A test-only stand-in for ks.sys, built as a Windows DLL named ks.sys with mingw-w64, that the
 * driver images the suite builds import when they run under Wine (run_images.py). It exports what
 * the images import from ks.sys (examples/avstream_driver/ks.def) with the WDK's prototypes, and
 * implements the handshake as docs/driver.md and DESIGN.md read the WDK pages:
 *
 *   KsPinRegisterHandshakeCallback  records the pin's PFNKSPINHANDSHAKE;
 *   KsPinHandshake                  calls the callback of the pin CONNECTED to the given one,
 *                                   synchronously, on the caller's stack, with In and Out as given;
 *   KsSynchronousIoControlDevice    IOCTL_KS_HANDSHAKE to a pin's file object: kernel-mode
 *                                   requestors only, both lengths exactly sizeof(KSHANDSHAKE) (else
 *                                   STATUS_INVALID_BUFFER_SIZE), the callback of the file object's
 *                                   pin, Information = sizeof(KSHANDSHAKE) on success;
 *   KsPinGetConnectedPinFileObject  the connected pin's file object, for a source pin only;
 *   KsInitializeDriver              records the device descriptor for the harness to walk;
 *   KsAddItemToObjectBag            keeps the item until the pin closes.
 *
 * This is our reading of the public documentation, not ks.sys: the statuses the platform leaves
 * open are the stand-in's choice (a pin with no peer: STATUS_DEVICE_NOT_CONNECTED, as kshake's
 * mock; a peer with no callback: STATUS_INVALID_DEVICE_REQUEST), and docs/driver.md says so.
 *
 * Two things are checked here because only the caller of a callback can see them: on x86 that
 * each routine ks.sys calls pops its arguments (__stdcall, the WDK's /Gz: measured by calling
 * through standin_call), and that a callback that refuses leaves Out and the response envelope's
 * header as they were (docs/wire.md 2.3: nothing is written before every check has passed and the
 * handler has succeeded).
 *
 * For a negative case the harness may have it refuse one handshake as a peer that went away
 * would (standin_fail_handshake), without calling the callback.
 * SPDX-License-Identifier: MIT */
#define KSHAKE_STANDIN_BUILD
#define _KSDDK_ /* ks.h: KSDDKAPI is then nothing, so these definitions are the exports */
#include <ntddk.h>
#include <ks.h>

#include <stdio.h>
#include <string.h>

#include "standin.h"

#define MAX_PINS 16
#define MAX_BAG_ITEMS 8

struct bag_item {
    PVOID item;
    PFNKSFREE free;
};

struct standin_pin {
    KSPIN pin; /* first: a PKSPIN is a struct standin_pin* */
    ULONG number;
    PFNKSPINHANDSHAKE callback;
    struct standin_pin* peer; /* the pin at the other end of the connection */
    FILE_OBJECT file;          /* this pin's file object (IOCTL_KS_HANDSHAKE's target) */
    ULONG bag_count;
    struct bag_item bag[MAX_BAG_ITEMS];
};

static struct standin_pin pins[MAX_PINS];
static ULONG pin_count;
static const KSDEVICE_DESCRIPTOR* device_descriptor;
static struct standin_log log_;

STANDIN_API const struct standin_log* standin_get_log(void) { return &log_; }

STANDIN_API void standin_forget_handshakes(void) { log_.handshakes = 0; }

static ULONG fail_at; /* standin_fail_handshake */

STANDIN_API void standin_fail_handshake(ULONG k) { fail_at = k; }

STANDIN_API void standin_violation(const char* text) {
    if (log_.violations < STANDIN_MAX_VIOLATIONS) {
        snprintf(log_.violation[log_.violations], STANDIN_TEXT, "%s", text);
    }
    ++log_.violations;
}

static struct standin_pin* pin_of(PKSPIN pin) {
    for (ULONG i = 0; i < pin_count; ++i) {
        if (&pins[i].pin == pin) {
            return &pins[i];
        }
    }
    return NULL;
}

static struct standin_pin* pin_of_file(PFILE_OBJECT file) {
    for (ULONG i = 0; i < pin_count; ++i) {
        if (&pins[i].file == file) {
            return &pins[i];
        }
    }
    return NULL;
}

static struct standin_pin* pin_of_bag(KSOBJECT_BAG bag) {
    for (ULONG i = 0; i < pin_count; ++i) {
        if ((KSOBJECT_BAG)&pins[i].bag == bag) {
            return &pins[i];
        }
    }
    return NULL;
}

/* ---- Calling the image ---- */

#ifdef __i386__
/* LONG standin_call_x86(standin_routine routine, ULONG count, const ULONG_PTR *arguments, LONG
 * *left): pushes the arguments right to left, calls, stores in *left the bytes still on the stack
 * after the call (0 for __stdcall, 4 * count for cdecl), and restores the stack either way. */
LONG standin_call_x86(standin_routine routine, ULONG count, const ULONG_PTR* arguments, LONG* left);
__asm__(".text\n"
        ".globl _standin_call_x86\n"
        "_standin_call_x86:\n"
        "  pushl %ebp\n"
        "  movl %esp, %ebp\n"
        "  pushl %ebx\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  movl %esp, %esi\n" /* ESI is callee-saved in both conventions */
        "  movl 12(%ebp), %ecx\n"
        "  movl 16(%ebp), %edx\n"
        "1:\n"
        "  testl %ecx, %ecx\n"
        "  jz 2f\n"
        "  decl %ecx\n"
        "  pushl (%edx,%ecx,4)\n"
        "  jmp 1b\n"
        "2:\n"
        "  call *8(%ebp)\n"
        "  movl %esi, %ecx\n"
        "  subl %esp, %ecx\n"
        "  movl %esi, %esp\n"
        "  movl 20(%ebp), %edx\n"
        "  movl %ecx, (%edx)\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  popl %ebx\n"
        "  popl %ebp\n"
        "  ret\n");
#endif

STANDIN_API LONG standin_call(standin_routine routine, ULONG count, const ULONG_PTR* a,
                              LONG* popped) {
#ifdef __i386__
    LONG left = 0;
    const LONG status = standin_call_x86(routine, count, a, &left);
    *popped = (LONG)(4 * count) - left;
    return status;
#else
    /* x64 has one calling convention: the caller always cleans up. */
    typedef LONG (*call4)(ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR);
    const ULONG_PTR b[4] = {count > 0 ? a[0] : 0, count > 1 ? a[1] : 0, count > 2 ? a[2] : 0,
                            count > 3 ? a[3] : 0};
    *popped = -1;
    return ((call4)routine)(b[0], b[1], b[2], b[3]);
#endif
}

/* ---- The handshake ---- */

static ULONG read_u32(const void* p) {
    ULONG v;
    memcpy(&v, p, sizeof v);
    return v;
}

static NTSTATUS serve(struct standin_pin* target, ULONG via, PKSHANDSHAKE in, PKSHANDSHAKE out,
                      ULONG* bytes_returned) {
    struct standin_handshake* record = NULL;
    if (log_.handshakes < STANDIN_MAX_HANDSHAKES) {
        record = &log_.handshake[log_.handshakes];
        memset(record, 0, sizeof *record);
        record->via = via;
        record->to_pin = target->number;
        if (in != NULL) {
            record->protocol = in->ProtocolId;
            if (in->Argument1 != NULL) {
                record->request_version = read_u32((const char*)in->Argument1 + 4);
            }
        }
    }
    ++log_.handshakes;
    NTSTATUS status;
    LONG popped = -1;
    if (fail_at != 0 && log_.handshakes == fail_at) {
        status = STATUS_DEVICE_NOT_CONNECTED;
    } else if (target->callback == NULL) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    } else {
        /* What a refusal must leave alone: Out, and the response envelope's header. */
        KSHANDSHAKE out_before;
        unsigned char header_before[8] = {0};
        unsigned char* response = in != NULL ? (unsigned char*)in->Argument2 : NULL;
        if (out != NULL) {
            memcpy(&out_before, out, sizeof out_before);
        }
        if (response != NULL) {
            memcpy(header_before, response, sizeof header_before);
        }
        const ULONG_PTR arguments[3] = {(ULONG_PTR)&target->pin, (ULONG_PTR)in, (ULONG_PTR)out};
        status = standin_call((standin_routine)target->callback, 3, arguments, &popped);
        char text[STANDIN_TEXT];
        if (popped >= 0 && popped != 12) {
            snprintf(text, sizeof text,
                     "pin %lu's handshake callback popped %ld bytes; ks.sys calls "
                     "PFNKSPINHANDSHAKE __stdcall and expects it to pop 12",
                     target->number, popped);
            standin_violation(text);
        }
        if (status != STATUS_SUCCESS) {
            if (out != NULL && memcmp(&out_before, out, sizeof out_before) != 0) {
                snprintf(text, sizeof text,
                         "pin %lu's handshake callback refused (0x%08lX) but wrote Out "
                         "(docs/wire.md 2.3)",
                         target->number, (unsigned long)status);
                standin_violation(text);
            }
            if (response != NULL && memcmp(header_before, response, sizeof header_before) != 0) {
                snprintf(text, sizeof text,
                         "pin %lu's handshake callback refused (0x%08lX) but wrote the response "
                         "envelope (docs/wire.md 2.3)",
                         target->number, (unsigned long)status);
                standin_violation(text);
            }
        }
    }
    if (bytes_returned != NULL) {
        *bytes_returned = NT_SUCCESS(status) ? (ULONG)sizeof(KSHANDSHAKE) : 0;
    }
    if (record != NULL) {
        record->status = status;
        record->popped = popped;
        record->bytes_returned = bytes_returned != NULL ? *bytes_returned : 0;
    }
    return status;
}

STANDIN_API NTSTATUS NTAPI KsPinHandshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out) {
    struct standin_pin* const pin = pin_of(Pin);
    if (pin == NULL) {
        standin_violation("KsPinHandshake called with a pin the stand-in did not create");
        return STATUS_INVALID_PARAMETER;
    }
    if (pin->peer == NULL) {
        return STATUS_DEVICE_NOT_CONNECTED;
    }
    return serve(pin->peer, standin_via_pin, In, Out, NULL);
}

STANDIN_API void NTAPI KsPinRegisterHandshakeCallback(PKSPIN Pin, PFNKSPINHANDSHAKE Handshake) {
    struct standin_pin* const pin = pin_of(Pin);
    if (pin == NULL) {
        standin_violation("KsPinRegisterHandshakeCallback called with a pin the stand-in did not "
                          "create");
        return;
    }
    pin->callback = Handshake;
}

STANDIN_API PFILE_OBJECT NTAPI KsPinGetConnectedPinFileObject(PKSPIN Pin) {
    struct standin_pin* const pin = pin_of(Pin);
    if (pin == NULL || pin->peer == NULL || pin->pin.DataFlow != KSPIN_DATAFLOW_OUT) {
        return NULL;
    }
    return &pin->peer->file;
}

STANDIN_API NTSTATUS NTAPI KsSynchronousIoControlDevice(PFILE_OBJECT FileObject,
                                                        KPROCESSOR_MODE RequestorMode,
                                                        ULONG IoControl, PVOID InBuffer,
                                                        ULONG InSize, PVOID OutBuffer,
                                                        ULONG OutSize, PULONG BytesReturned) {
    if (BytesReturned != NULL) {
        *BytesReturned = 0;
    }
    struct standin_pin* const pin = pin_of_file(FileObject);
    if (pin == NULL) {
        standin_violation("KsSynchronousIoControlDevice called with a file object the stand-in "
                          "did not create");
        return STATUS_INVALID_PARAMETER;
    }
    if (IoControl != IOCTL_KS_HANDSHAKE || RequestorMode != KernelMode) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (InSize != sizeof(KSHANDSHAKE) || OutSize != sizeof(KSHANDSHAKE)) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    ULONG returned = 0;
    const NTSTATUS status =
        serve(pin, standin_via_ioctl, (PKSHANDSHAKE)InBuffer, (PKSHANDSHAKE)OutBuffer, &returned);
    if (BytesReturned != NULL) {
        *BytesReturned = returned;
    }
    return status;
}

/* ---- Objects ---- */

STANDIN_API NTSTATUS NTAPI KsInitializeDriver(PDRIVER_OBJECT DriverObject,
                                              PUNICODE_STRING RegistryPathName,
                                              const KSDEVICE_DESCRIPTOR* Descriptor) {
    if (DriverObject == NULL || RegistryPathName == NULL) {
        standin_violation("KsInitializeDriver called without a driver object or registry path");
        return STATUS_INVALID_PARAMETER;
    }
    device_descriptor = Descriptor;
    return STATUS_SUCCESS;
}

STANDIN_API NTSTATUS NTAPI KsAddItemToObjectBag(KSOBJECT_BAG ObjectBag, PVOID Item,
                                                PFNKSFREE Free) {
    struct standin_pin* const pin = pin_of_bag(ObjectBag);
    if (pin == NULL || Item == NULL) {
        standin_violation("KsAddItemToObjectBag called with a bag the stand-in did not create, "
                          "or no item");
        return STATUS_INVALID_PARAMETER;
    }
    if (pin->bag_count == MAX_BAG_ITEMS) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pin->bag[pin->bag_count].item = Item;
    pin->bag[pin->bag_count].free = Free;
    ++pin->bag_count;
    return STATUS_SUCCESS;
}

STANDIN_API PKSFILTER NTAPI KsPinGetParentFilter(PKSPIN Pin) {
    /* No filter objects here; nothing the suite builds calls it, ks.def lists it for drivers
     * that do. */
    UNREFERENCED_PARAMETER(Pin);
    standin_violation("KsPinGetParentFilter: the stand-in has no filter objects");
    return NULL;
}

/* ---- The harness's side ---- */

STANDIN_API const KSDEVICE_DESCRIPTOR* standin_device_descriptor(void) { return device_descriptor; }

STANDIN_API PKSPIN standin_create_pin(const KSPIN_DESCRIPTOR_EX* descriptor, ULONG id,
                                      KSPIN_DATAFLOW flow, PKSDATAFORMAT format) {
    if (pin_count == MAX_PINS) {
        return NULL;
    }
    struct standin_pin* const pin = &pins[pin_count];
    memset(pin, 0, sizeof *pin);
    pin->number = pin_count++;
    pin->pin.Descriptor = descriptor;
    pin->pin.Bag = (KSOBJECT_BAG)&pin->bag;
    pin->pin.Id = id;
    pin->pin.Communication = KSPIN_COMMUNICATION_BOTH;
    pin->pin.ConnectionIsExternal = FALSE;
    pin->pin.ConnectionFormat = format;
    pin->pin.DataFlow = flow;
    pin->pin.DeviceState = KSSTATE_STOP;
    pin->file.Type = IO_TYPE_FILE;
    pin->file.Size = sizeof(FILE_OBJECT);
    pin->file.FsContext = pin;
    return &pin->pin;
}

STANDIN_API ULONG standin_pin_number(PKSPIN pin) {
    struct standin_pin* const p = pin_of(pin);
    return p != NULL ? p->number : ~0UL;
}

STANDIN_API void standin_connect(PKSPIN source, PKSPIN sink) {
    struct standin_pin* const a = pin_of(source);
    struct standin_pin* const b = pin_of(sink);
    if (a == NULL || b == NULL) {
        standin_violation("standin_connect: not the stand-in's pins");
        return;
    }
    a->peer = b;
    b->peer = a;
}

STANDIN_API int standin_bag_holds(PKSPIN pin, PVOID item) {
    const struct standin_pin* const p = pin_of(pin);
    for (ULONG i = 0; p != NULL && i < p->bag_count; ++i) {
        if (p->bag[i].item == item) {
            return 1;
        }
    }
    return 0;
}

STANDIN_API void standin_close_pin(PKSPIN pin) {
    struct standin_pin* const p = pin_of(pin);
    if (p == NULL) {
        return;
    }
    for (ULONG i = p->bag_count; i-- > 0;) {
        if (p->bag[i].free != NULL) {
            LONG popped = 0;
            const ULONG_PTR argument = (ULONG_PTR)p->bag[i].item;
            (void)standin_call((standin_routine)p->bag[i].free, 1, &argument, &popped);
        } else {
            ExFreePool(p->bag[i].item);
        }
    }
    p->bag_count = 0;
    if (p->peer != NULL) {
        p->peer->peer = NULL;
        p->peer = NULL;
    }
}
