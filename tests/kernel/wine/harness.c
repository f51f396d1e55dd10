/* Runs one driver image under Wine: a user-mode Windows program (mingw-w64) that loads the .sys
 * with Wine's PE loader (which binds its ntoskrnl.exe imports to Wine's own ntoskrnl.exe and its
 * ks.sys imports to the stand-in next to this program), applies any base relocation the loader
 * skipped, calls the entry point and drives the pins as AVStream would. It prints what happened,
 * one fact a line, for run_images.py to judge:
 *
 *   harness.exe avstream IMAGE.sys   a driver that calls KsInitializeDriver (the sample): walks
 *                                    the KSDEVICE_DESCRIPTOR, creates a sink pin and a source pin
 *                                    (as two chained filter instances would have them; no filter
 *                                    object is modelled) through their Create dispatches,
 *                                    connects them, calls the source's SetDeviceState STOP ->
 *                                    ACQUIRE, prints the source's context, then ACQUIRE -> STOP,
 *                                    prints it again, and closes the pins;
 *   harness.exe run IMAGE.sys        a test driver with a `kshake_test_run` variable (found by name
 *                                    in the image's COFF symbol table; nothing exports it): writes
 *                                    two connected pins into it, calls DriverEntry, which drives
 *                                    them, and prints the values it recorded;
 *   harness.exe time IMAGE.sys --negotiations N
 *                                    a timing driver with a `kshake_timing_run` variable
 *                                    (tests/kernel/cases/time_negotiations.cpp): the same with N,
 *                                    the negotiations to time per case; prints each timing it
 *                                    recorded.
 *
 * --undo-relocations first puts back what the loader relocated, as Wine does when it skips an
 * image's relocations, so that the suite proves the repair; with --keep-unrelocated the image is
 * then left unrelocated. --fail-handshake K has the stand-in refuse the image's K-th handshake
 * (counted from 1) with STATUS_DEVICE_NOT_CONNECTED without calling the callback, as a peer that
 * went away would: the suite's proof that a driver's record of one bad status is read.
 *
 * Lines: "load:", "import:", "call: NAME status=0x... popped=N", "pin:", "handshake: ...",
 * "handshakes: total=N", "context:", "value:", "timing: ...", "violation: ..." (a rule broken,
 * found here or by the stand-in), "crash: ..." (an exception in the image; the process then ends
 * with exit code 3). Exit code 0 when nothing was broken, 1 when something was, 2 on a usage or
 * load error.
 * SPDX-License-Identifier: MIT */
#include <ntddk.h>
#include <ks.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "standin.h"

/* kernel32, declared here: <windows.h> and the DDK's <ntddk.h> do not compile together. */
typedef struct {
    PEXCEPTION_RECORD record;
    PCONTEXT context;
} exception_pointers;
typedef LONG(__stdcall* vectored_handler)(exception_pointers*);
__declspec(dllimport) void* __stdcall LoadLibraryA(const char* name);
__declspec(dllimport) void* __stdcall GetModuleHandleA(const char* name);
__declspec(dllimport) standin_routine __stdcall GetProcAddress(void* module, const char* name);
__declspec(dllimport) int __stdcall VirtualProtect(void* address, SIZE_T size, ULONG protection,
                                                   ULONG* old);
__declspec(dllimport) void* __stdcall AddVectoredExceptionHandler(ULONG first,
                                                                  vectored_handler handler);
__declspec(dllimport) ULONG __stdcall GetLastError(void);
__declspec(dllimport) int __stdcall TerminateProcess(void* process, unsigned code);
#define PAGE_EXECUTE_READWRITE_ 0x40

static unsigned char* file;  /* the image as on disk */
static size_t file_size;
static unsigned char* base;  /* the image as loaded */
static ULONG failures;

static void violation(const char* format, ...) __attribute__((format(printf, 1, 2)));
static void violation(const char* format, ...) {
    char text[STANDIN_TEXT];
    va_list list;
    va_start(list, format);
    vsnprintf(text, sizeof text, format, list);
    va_end(list);
    standin_violation(text);
}

static ULONG rd16(const unsigned char* p) { return (ULONG)p[0] | (ULONG)p[1] << 8; }
static ULONG rd32(const unsigned char* p) { return rd16(p) | rd16(p + 2) << 16; }
static ULONGLONG rd64(const unsigned char* p) {
    return (ULONGLONG)rd32(p) | (ULONGLONG)rd32(p + 4) << 32;
}

/* ---- The image's headers, read from the file ---- */

struct pe {
    ULONG machine;
    int pe32plus;
    ULONGLONG image_base;
    ULONG entry;
    ULONG import_rva, reloc_rva, reloc_size;
    ULONG sections;
    const unsigned char* section; /* the section table */
    ULONG symbols, symbol_count;  /* COFF symbol table (file offset, count) */
};

static int parse_pe(struct pe* pe) {
    if (file_size < 0x40 || rd16(file) != 0x5A4D) {
        return 0;
    }
    const ULONG nt = rd32(file + 0x3C);
    if (nt + 24 > file_size || rd32(file + nt) != 0x4550) {
        return 0;
    }
    const unsigned char* coff = file + nt + 4;
    pe->machine = rd16(coff);
    pe->sections = rd16(coff + 2);
    pe->symbols = rd32(coff + 8);
    pe->symbol_count = rd32(coff + 12);
    const unsigned char* opt = coff + 20;
    pe->pe32plus = rd16(opt) == 0x20B;
    pe->entry = rd32(opt + 16);
    pe->image_base = pe->pe32plus ? rd64(opt + 24) : rd32(opt + 28);
    const unsigned char* dirs = opt + (pe->pe32plus ? 112 : 96);
    pe->import_rva = rd32(dirs + 8);
    pe->reloc_rva = rd32(dirs + 40);
    pe->reloc_size = rd32(dirs + 44);
    pe->section = opt + rd16(coff + 16);
    return 1;
}

/* The file offset of an RVA, or 0 when no section's raw data holds it. */
static ULONG file_offset(const struct pe* pe, ULONG rva) {
    for (ULONG i = 0; i < pe->sections; ++i) {
        const unsigned char* s = pe->section + 40 * i;
        const ULONG va = rd32(s + 12), raw_size = rd32(s + 16), raw = rd32(s + 20);
        if (rva >= va && rva < va + raw_size) {
            return raw + (rva - va);
        }
    }
    return 0;
}

/* ---- Relocations: Wine 8 may map an image that is not a DLL at another base without applying
 * them; Windows always relocates a driver, so the harness finishes the loader's job. ---- */

enum fixup_action { fixup_count, fixup_apply, fixup_undo };

struct fixups {
    ULONG applied, skipped, other; /* counted by fixup_count */
};

/* Walks the image's base relocations (read from the file) and counts, applies or undoes each. */
static void walk_fixups(const struct pe* pe, ULONGLONG delta, enum fixup_action action,
                        struct fixups* seen) {
    const ULONG width = pe->pe32plus ? 8 : 4;
    const ULONG wanted_type = pe->pe32plus ? 10 : 3; /* IMAGE_REL_BASED_DIR64 / HIGHLOW */
    for (ULONG at = 0; at + 8 <= pe->reloc_size;) {
        const ULONG block = file_offset(pe, pe->reloc_rva + at);
        const ULONG page = rd32(file + block), size = rd32(file + block + 4);
        if (block == 0 || size < 8) {
            break;
        }
        for (ULONG i = 8; i + 2 <= size; i += 2) {
            const ULONG entry = rd16(file + block + i);
            const ULONG type = entry >> 12, rva = page + (entry & 0xFFF);
            if (type == 0) {
                continue; /* padding */
            }
            const ULONG off = file_offset(pe, rva);
            if (type != wanted_type || off == 0) {
                ++seen->other;
                continue;
            }
            const ULONGLONG on_disk = width == 8 ? rd64(file + off) : rd32(file + off);
            const ULONGLONG moved = width == 8 ? on_disk + delta : (ULONG)(on_disk + delta);
            unsigned char* in_memory = base + rva;
            const ULONGLONG now = width == 8 ? rd64(in_memory) : rd32(in_memory);
            if (action == fixup_count) {
                if (now == moved) {
                    ++seen->applied;
                } else if (now == on_disk) {
                    ++seen->skipped;
                } else {
                    ++seen->other;
                }
                continue;
            }
            const ULONGLONG value = action == fixup_apply ? moved : on_disk;
            ULONG old;
            VirtualProtect(in_memory, width, PAGE_EXECUTE_READWRITE_, &old);
            memcpy(in_memory, &value, width); /* little-endian: the low bytes first */
            VirtualProtect(in_memory, width, old, &old);
        }
        at += size;
    }
}

/* undo: first put back what the loader applied, as Wine does when it skips them (to prove the
 * harness's repair); keep: then leave the image so (to show what the repair is for). */
static void relocate(const struct pe* pe, int undo, int keep) {
    const ULONGLONG delta = (ULONGLONG)(ULONG_PTR)base - pe->image_base;
    if (delta == 0) {
        printf("load: at its preferred base 0x%llx\n", pe->image_base);
        return;
    }
    if (pe->reloc_rva == 0 || pe->reloc_size == 0) {
        /* Right only for an image that holds no absolute address (x64 code can be all
         * RIP-relative); one that does misbehaves below. */
        printf("load: at %p, not 0x%llx: the image has no relocation table\n", (void*)base,
               pe->image_base);
        return;
    }
    struct fixups seen = {0, 0, 0};
    if (undo) {
        walk_fixups(pe, delta, fixup_undo, &seen);
        printf("load: --undo-relocations: the loader's relocations undone\n");
        if (keep) {
            printf("load: --keep-unrelocated: left so\n");
            return;
        }
    }
    walk_fixups(pe, delta, fixup_count, &seen);
    if (seen.other != 0 || (seen.applied != 0 && seen.skipped != 0)) {
        violation("relocations: %lu applied by the loader, %lu not, %lu neither or of another "
                  "type",
                  seen.applied, seen.skipped, seen.other);
    } else if (seen.skipped != 0) {
        walk_fixups(pe, delta, fixup_apply, &seen);
        printf("load: at %p, not 0x%llx: the loader skipped its %lu relocations; the harness "
               "applied them\n",
               (void*)base, pe->image_base, seen.skipped);
    } else {
        printf("load: at %p, not 0x%llx: the loader applied its %lu relocations\n", (void*)base,
               pe->image_base, seen.applied);
    }
}

/* ---- Imports: a missing export is not a load error under Wine (it binds a stub that ends the
 * process when called), so every import is looked up here first. ---- */

static void check_imports(const struct pe* pe) {
    if (pe->import_rva == 0) {
        return;
    }
    for (const unsigned char* d = base + pe->import_rva; rd32(d + 12) != 0; d += 20) {
        const char* dll = (const char*)base + rd32(d + 12);
        void* module = GetModuleHandleA(dll);
        if (module == NULL) {
            violation("imports from %s, which is not loaded", dll);
            continue;
        }
        if (_stricmp(dll, "ks.sys") == 0 && GetProcAddress(module, "standin_get_log") == NULL) {
            violation("ks.sys is not the stand-in");
        }
        const ULONG names = rd32(d) != 0 ? rd32(d) : rd32(d + 16);
        ULONG count = 0;
        for (const unsigned char* t = base + names;; t += pe->pe32plus ? 8 : 4) {
            const ULONGLONG thunk = pe->pe32plus ? rd64(t) : rd32(t);
            if (thunk == 0) {
                break;
            }
            ++count;
            const ULONGLONG ordinal_flag = pe->pe32plus ? 1ULL << 63 : 1ULL << 31;
            if (thunk & ordinal_flag) {
                violation("imports %s by ordinal %llu", dll, thunk & 0xFFFF);
                continue;
            }
            const char* name = (const char*)base + (ULONG)thunk + 2;
            if (GetProcAddress(module, name) == NULL) {
                violation("imports %s!%s, which %s does not export (Wine binds a stub that ends "
                          "the process if it is called)",
                          dll, name,
                          _stricmp(dll, "ks.sys") == 0 ? "the ks.sys stand-in" : "Wine's");
            }
        }
        printf("import: %lu from %s\n", count, dll);
    }
}

/* ---- Crashes ---- */

static void print_log(void);

static LONG __stdcall on_exception(exception_pointers* pointers) {
    const EXCEPTION_RECORD* r = pointers->record;
    const ULONG code = (ULONG)r->ExceptionCode;
    if (code == 0x80000100UL) { /* EXCEPTION_WINE_STUB: an unimplemented export was called */
        printf("crash: the image called %s!%s, which is not implemented (a Wine stub)\n",
               (const char*)r->ExceptionInformation[0], (const char*)r->ExceptionInformation[1]);
    } else if ((code & 0xC0000000UL) == 0xC0000000UL || code == 0x80000003UL) {
        printf("crash: exception 0x%08lX at %p (image base %p)\n", code, r->ExceptionAddress,
               (void*)base);
    } else {
        return 0; /* EXCEPTION_CONTINUE_SEARCH: Wine's own first-chance exceptions */
    }
    print_log();
    fflush(stdout);
    TerminateProcess((void*)(LONG_PTR)-1, 3);
    return 0;
}

/* ---- Calls into the image ---- */

static NTSTATUS call(const char* what, standin_routine routine, ULONG count,
                     const ULONG_PTR* arguments) {
    LONG popped = 0;
    const NTSTATUS status = standin_call(routine, count, arguments, &popped);
    printf("call: %s status=0x%08lX popped=%ld\n", what, (unsigned long)status, popped);
    if (popped >= 0 && popped != (LONG)(4 * count)) {
        violation("%s popped %ld bytes; the platform calls it __stdcall and expects it to pop %lu",
                  what, popped, 4 * count);
    }
    return status;
}

static void print_log(void) {
    const struct standin_log* log = standin_get_log();
    for (ULONG i = 0; i < log->handshakes && i < STANDIN_MAX_HANDSHAKES; ++i) {
        const struct standin_handshake* h = &log->handshake[i];
        const GUID* g = &h->protocol;
        printf("handshake: via=%s to_pin=%lu id=%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X "
               "version=%lu status=0x%08lX popped=%ld bytes_returned=%lu\n",
               h->via == standin_via_pin ? "KsPinHandshake" : "IOCTL_KS_HANDSHAKE", h->to_pin,
               (unsigned long)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
               g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7], h->request_version,
               (unsigned long)h->status, h->popped, h->bytes_returned);
    }
    /* Only the first STANDIN_MAX_HANDSHAKES are listed; the total counts them all. */
    printf("handshakes: total=%lu\n", log->handshakes);
    for (ULONG i = 0; i < log->violations && i < STANDIN_MAX_VIOLATIONS; ++i) {
        printf("violation: %s\n", log->violation[i]);
    }
    failures += log->violations;
}

static DRIVER_OBJECT driver_object;
static UNICODE_STRING registry_path;
static WCHAR registry_text[] = L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\kshake";
static IRP irp;

static NTSTATUS driver_entry(const struct pe* pe) {
    registry_path.Buffer = registry_text;
    registry_path.Length = (USHORT)(sizeof registry_text - sizeof(WCHAR));
    registry_path.MaximumLength = (USHORT)sizeof registry_text;
    driver_object.Type = IO_TYPE_DRIVER;
    driver_object.Size = sizeof driver_object;
    const ULONG_PTR arguments[2] = {(ULONG_PTR)&driver_object, (ULONG_PTR)&registry_path};
    return call("entry point", (standin_routine)(ULONG_PTR)(base + pe->entry), 2, arguments);
}

/* Prints the context as 32-bit words, for run_images.py to read by the driver's own layout. */
static void print_words(const char* what, const void* memory, ULONG bytes) {
    printf("%s:", what);
    for (ULONG i = 0; i + 4 <= bytes; i += 4) {
        printf(" 0x%08lX", rd32((const unsigned char*)memory + i));
    }
    printf("\n");
}

/* ---- harness.exe avstream ---- */

static KSDATAFORMAT formats[2];

static PKSPIN create_pin(const KSPIN_DESCRIPTOR_EX* d, ULONG id, const char* what) {
    const KSPIN_DESCRIPTOR* p = &d->PinDescriptor;
    KSDATAFORMAT* format = &formats[p->DataFlow == KSPIN_DATAFLOW_IN];
    if (p->DataRangesCount > 0 && p->DataRanges != NULL && p->DataRanges[0] != NULL) {
        memcpy(format, p->DataRanges[0], sizeof *format); /* the intersection: the first range */
    }
    PKSPIN pin = standin_create_pin(d, id, p->DataFlow, format);
    if (d->Dispatch == NULL || d->Dispatch->Create == NULL) {
        violation("%s pin %lu has no Create dispatch", what, id);
        return pin;
    }
    char name[64];
    snprintf(name, sizeof name, "%s Create", what);
    const ULONG_PTR arguments[2] = {(ULONG_PTR)pin, (ULONG_PTR)&irp};
    const NTSTATUS status = call(name, (standin_routine)d->Dispatch->Create, 2, arguments);
    printf("pin: %s id=%lu number=%lu context=%s in_bag=%s\n", what, id, standin_pin_number(pin),
           pin->Context != NULL ? "set" : "null",
           standin_bag_holds(pin, pin->Context) ? "yes" : "no");
    if (status != STATUS_SUCCESS) {
        violation("%s Create returned 0x%08lX", what, (unsigned long)status);
    }
    return pin;
}

static int run_avstream(const struct pe* pe) {
    const NTSTATUS entry = driver_entry(pe);
    if (entry != STATUS_SUCCESS) {
        violation("DriverEntry returned 0x%08lX", (unsigned long)entry);
        return 0;
    }
    const KSDEVICE_DESCRIPTOR* device = standin_device_descriptor();
    if (device == NULL) {
        violation("DriverEntry did not call KsInitializeDriver");
        return 0;
    }
    printf("descriptor: device version=0x%lX filters=%lu\n", device->Version,
           device->FilterDescriptorsCount);
    if (device->FilterDescriptorsCount == 0) {
        violation("the device descriptor has no filter");
        return 0;
    }
    const KSFILTER_DESCRIPTOR* filter = device->FilterDescriptors[0];
    printf("descriptor: filter version=0x%lX pins=%lu pin_size=%lu\n", filter->Version,
           filter->PinDescriptorsCount, filter->PinDescriptorSize);
    const KSPIN_DESCRIPTOR_EX *source = NULL, *sink = NULL;
    ULONG source_id = 0, sink_id = 0;
    for (ULONG i = 0; i < filter->PinDescriptorsCount; ++i) {
        const KSPIN_DESCRIPTOR_EX* d =
            (const KSPIN_DESCRIPTOR_EX*)((const unsigned char*)filter->PinDescriptors +
                                         (SIZE_T)i * filter->PinDescriptorSize);
        if (d->PinDescriptor.DataFlow == KSPIN_DATAFLOW_OUT && source == NULL) {
            source = d;
            source_id = i;
        } else if (d->PinDescriptor.DataFlow == KSPIN_DATAFLOW_IN && sink == NULL) {
            sink = d;
            sink_id = i;
        }
    }
    if (source == NULL || sink == NULL) {
        violation("the filter has no source (output) or no sink (input) pin");
        return 0;
    }
    /* The output pin of one instance of the filter and the input pin of another, chained. The
     * sink exists first, as it must to answer. */
    PKSPIN sink_pin = create_pin(sink, sink_id, "sink");
    PKSPIN source_pin = create_pin(source, source_id, "source");
    standin_connect(source_pin, sink_pin);
    if (source->Dispatch == NULL || source->Dispatch->SetDeviceState == NULL) {
        violation("the source pin has no SetDeviceState dispatch");
        return 0;
    }
    const standin_routine set_state = (standin_routine)source->Dispatch->SetDeviceState;
    const ULONG_PTR acquire[3] = {(ULONG_PTR)source_pin, KSSTATE_ACQUIRE, KSSTATE_STOP};
    NTSTATUS status = call("source SetDeviceState STOP->ACQUIRE", set_state, 3, acquire);
    if (status != STATUS_SUCCESS) {
        violation("SetDeviceState STOP->ACQUIRE returned 0x%08lX", (unsigned long)status);
    }
    if (source_pin->Context == NULL) {
        violation("the source pin has no context");
        return 0;
    }
    print_words("context-acquire", source_pin->Context, 48);
    const ULONG_PTR stop[3] = {(ULONG_PTR)source_pin, KSSTATE_STOP, KSSTATE_ACQUIRE};
    status = call("source SetDeviceState ACQUIRE->STOP", set_state, 3, stop);
    if (status != STATUS_SUCCESS) {
        violation("SetDeviceState ACQUIRE->STOP returned 0x%08lX", (unsigned long)status);
    }
    print_words("context-stop", source_pin->Context, 48);
    standin_close_pin(source_pin);
    standin_close_pin(sink_pin);
    printf("pins: closed\n");
    return 1;
}

/* ---- harness.exe run ---- */

/* The layout of kshake_test_run in the test drivers (tests/kernel/cases/kernel_api.cpp and
 * tests/kernel/wine/cases/wire_rules.cpp write it; they check its size). */
struct test_run {
    PKSPIN sink;
    PKSPIN source;
    ULONG size;
    ULONG count;
    ULONG value[32];
};

static void* find_symbol(const struct pe* pe, const char* name) {
    if (pe->symbols == 0 || pe->symbols + 18ULL * pe->symbol_count > file_size) {
        return NULL;
    }
    const unsigned char* strings = file + pe->symbols + 18 * pe->symbol_count;
    for (ULONG i = 0; i < pe->symbol_count; ++i) {
        const unsigned char* s = file + pe->symbols + 18 * i;
        char short_name[9] = {0};
        const char* symbol = short_name;
        if (rd32(s) == 0) {
            symbol = (const char*)strings + rd32(s + 4);
        } else {
            memcpy(short_name, s, 8);
        }
        const ULONG section = rd16(s + 12);
        if (section >= 1 && section <= pe->sections &&
            (strcmp(symbol, name) == 0 || (symbol[0] == '_' && strcmp(symbol + 1, name) == 0))) {
            return base + rd32(pe->section + 40 * (section - 1) + 12) + rd32(s + 8);
        }
        i += s[17]; /* auxiliary records */
    }
    return NULL;
}

static int run_test(const struct pe* pe) {
    struct test_run* run = find_symbol(pe, "kshake_test_run");
    if (run == NULL) {
        violation("no kshake_test_run in the image's COFF symbol table");
        return 0;
    }
    PKSPIN sink = standin_create_pin(NULL, 1, KSPIN_DATAFLOW_IN, NULL);
    PKSPIN source = standin_create_pin(NULL, 0, KSPIN_DATAFLOW_OUT, NULL);
    standin_connect(source, sink);
    run->sink = sink;
    run->source = source;
    const NTSTATUS entry = driver_entry(pe);
    if (run->size != sizeof *run) {
        violation("kshake_test_run is %lu bytes in the image, %lu here", run->size,
                  (ULONG)sizeof *run);
        return 0;
    }
    if (entry != STATUS_SUCCESS) {
        violation("DriverEntry returned 0x%08lX", (unsigned long)entry);
    }
    printf("value:");
    for (ULONG i = 0; i < run->count && i < 32; ++i) {
        printf(" 0x%08lX", run->value[i]);
    }
    printf("\n");
    return 1;
}

/* ---- harness.exe time ---- */

/* The layout of kshake_timing_run in tests/kernel/cases/time_negotiations.cpp (which this
 * mirrors; the size is checked): 64-bit figures as two 32-bit words, low first. */
struct timing_record {
    ULONG what; /* 1 hit, 2 unknown id, 3 fall-through */
    ULONG via;  /* 1 direct_pin, 2 connected_pin */
    ULONG negotiations;
    ULONG as_expected;
    ULONG expected;
    ULONG unexpected;
    ULONG ticks[2];
    ULONG frequency[2];
    ULONG ns_total[2];
    ULONG ps_each[2];
};
struct timing_run {
    PKSPIN sink;
    PKSPIN source;
    ULONG size;
    ULONG negotiations;
    ULONG count;
    struct timing_record record[8];
};

static ULONGLONG wide(const ULONG words[2]) {
    return (ULONGLONG)words[0] | (ULONGLONG)words[1] << 32;
}

static int run_timing(const struct pe* pe, ULONG negotiations) {
    struct timing_run* run = find_symbol(pe, "kshake_timing_run");
    if (run == NULL) {
        violation("no kshake_timing_run in the image's COFF symbol table");
        return 0;
    }
    PKSPIN sink = standin_create_pin(NULL, 1, KSPIN_DATAFLOW_IN, NULL);
    PKSPIN source = standin_create_pin(NULL, 0, KSPIN_DATAFLOW_OUT, NULL);
    standin_connect(source, sink);
    run->sink = sink;
    run->source = source;
    run->negotiations = negotiations;
    const NTSTATUS entry = driver_entry(pe);
    if (run->size != sizeof *run) {
        violation("kshake_timing_run is %lu bytes in the image, %lu here", run->size,
                  (ULONG)sizeof *run);
        return 0;
    }
    if (entry != STATUS_SUCCESS) {
        violation("DriverEntry returned 0x%08lX", (unsigned long)entry);
    }
    static const char* const what[] = {"?", "hit", "unknown_id", "fall_through"};
    static const char* const via[] = {"?", "direct_pin", "connected_pin"};
    for (ULONG i = 0; i < run->count && i < 8; ++i) {
        const struct timing_record* r = &run->record[i];
        printf("timing: what=%s via=%s negotiations=%lu as_expected=%lu expected=0x%08lX "
               "unexpected=0x%08lX ticks=%llu frequency=%llu ns_total=%llu ps_each=%llu\n",
               what[r->what < 4 ? r->what : 0], via[r->via < 3 ? r->via : 0], r->negotiations,
               r->as_expected, r->expected, r->unexpected, wide(r->ticks), wide(r->frequency),
               wide(r->ns_total), wide(r->ps_each));
    }
    return 1;
}

/* The stand-in's own rules, which no image breaks (kshake always sends sizeof(KSHANDSHAKE) as a
 * kernel-mode requestor to a connected pin): each call must get the status docs/driver.md gives. */
static void check_standin(void) {
    PKSPIN lone = standin_create_pin(NULL, 0, KSPIN_DATAFLOW_OUT, NULL);
    PKSPIN sink = standin_create_pin(NULL, 1, KSPIN_DATAFLOW_IN, NULL);
    PKSPIN source = standin_create_pin(NULL, 0, KSPIN_DATAFLOW_OUT, NULL);
    standin_connect(source, sink);
    KSHANDSHAKE in, out;
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    ULONG returned = 1;
    PFILE_OBJECT file = KsPinGetConnectedPinFileObject(source);
    const struct {
        const char* what;
        NTSTATUS got, want;
    } cases[] = {
        {"KsPinHandshake on a pin with no peer", KsPinHandshake(lone, &in, &out),
         STATUS_DEVICE_NOT_CONNECTED},
        {"KsPinHandshake to a peer with no callback", KsPinHandshake(source, &in, &out),
         STATUS_INVALID_DEVICE_REQUEST},
        {"IOCTL_KS_HANDSHAKE, InSize - 1",
         KsSynchronousIoControlDevice(file, KernelMode, IOCTL_KS_HANDSHAKE, &in, sizeof in - 1,
                                      &out, sizeof out, &returned),
         STATUS_INVALID_BUFFER_SIZE},
        {"IOCTL_KS_HANDSHAKE, OutSize + 1",
         KsSynchronousIoControlDevice(file, KernelMode, IOCTL_KS_HANDSHAKE, &in, sizeof in, &out,
                                      sizeof out + 1, &returned),
         STATUS_INVALID_BUFFER_SIZE},
        {"IOCTL_KS_HANDSHAKE from user mode",
         KsSynchronousIoControlDevice(file, UserMode, IOCTL_KS_HANDSHAKE, &in, sizeof in, &out,
                                      sizeof out, &returned),
         STATUS_INVALID_DEVICE_REQUEST},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        printf("standin: %s: 0x%08lX\n", cases[i].what, (unsigned long)cases[i].got);
        if (cases[i].got != cases[i].want) {
            violation("the stand-in: %s gave 0x%08lX, not 0x%08lX", cases[i].what,
                      (unsigned long)cases[i].got, (unsigned long)cases[i].want);
        }
    }
    if (file == NULL || KsPinGetConnectedPinFileObject(sink) != NULL ||
        KsPinGetConnectedPinFileObject(lone) != NULL || returned != 0) {
        violation("the stand-in: KsPinGetConnectedPinFileObject must give the peer's file object "
                  "for a connected source pin only, and a refused IOCTL no bytes");
    }
    /* The log holds only what the image did: these handshakes reached no callback. */
    standin_forget_handshakes();
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int undo = 0, keep = 0;
    ULONG negotiations = 0, fail_handshake = 0;
    for (int i = 3; i < argc; ++i) {
        if (strcmp(argv[i], "--undo-relocations") == 0) {
            undo = 1;
        } else if (strcmp(argv[i], "--keep-unrelocated") == 0) {
            keep = 1;
        } else if (strcmp(argv[i], "--negotiations") == 0 && i + 1 < argc) {
            negotiations = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--fail-handshake") == 0 && i + 1 < argc) {
            fail_handshake = strtoul(argv[++i], NULL, 10);
        } else {
            argc = 0;
        }
    }
    const int timing = argc >= 3 && strcmp(argv[1], "time") == 0;
    if (argc < 3 || (strcmp(argv[1], "avstream") != 0 && strcmp(argv[1], "run") != 0 && !timing) ||
        (timing && negotiations == 0)) {
        fprintf(stderr,
                "usage: harness.exe avstream|run IMAGE.sys [--undo-relocations "
                "[--keep-unrelocated]] [--fail-handshake K]\n"
                "       harness.exe time IMAGE.sys --negotiations N [--fail-handshake K]\n");
        return 2;
    }
    FILE* f = fopen(argv[2], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        printf("load: cannot open %s\n", argv[2]);
        return 2;
    }
    file_size = (size_t)ftell(f);
    rewind(f);
    file = malloc(file_size);
    if (file == NULL || fread(file, 1, file_size, f) != file_size) {
        printf("load: cannot read %s\n", argv[2]);
        return 2;
    }
    fclose(f);
    struct pe pe;
    if (!parse_pe(&pe)) {
        printf("load: %s is not a PE image\n", argv[2]);
        return 2;
    }
#ifdef _WIN64
    const ULONG machine = 0x8664;
#else
    const ULONG machine = 0x14C;
#endif
    if (pe.machine != machine) {
        printf("load: machine 0x%lX, this harness runs 0x%lX\n", pe.machine, machine);
        return 2;
    }
    AddVectoredExceptionHandler(1, on_exception);
    base = LoadLibraryA(argv[2]);
    if (base == NULL) {
        printf("load: Wine's loader refused %s (error %lu)\n", argv[2], GetLastError());
        return 2;
    }
    relocate(&pe, undo, keep);
    check_imports(&pe);
    check_standin();
    standin_fail_handshake(fail_handshake);
    const int ran = timing                             ? run_timing(&pe, negotiations)
                    : strcmp(argv[1], "avstream") == 0 ? run_avstream(&pe)
                                                       : run_test(&pe);
    print_log();
    printf("harness: %s, %lu violation(s)\n", ran ? "ran" : "stopped", failures);
    return failures == 0 && ran ? 0 : 1;
}
