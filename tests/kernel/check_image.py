#!/usr/bin/env python3
"""Checks that a PE image is a driver Windows loads and that keeps the kernel's rules.

    check_image.py [--objdump TOOL] [--machine x86|x64|arm64] [--object OBJ]...
                   [--require-import DLL!FUNC]... [--no-default-imports]
                   [--allow-export NAME]... [--signed]
                   [--callee-pops NAME=BYTES]... [--link-map MAP --rtd] IMAGE.sys

Works on GNU-ABI images (mingw-w64, GNU ld or lld) and MSVC-ABI images (clang-cl + lld-link).
Reads the PE headers and tables with pefile (Debian: python3-pefile), a PE library this project
did not write, and the COFF symbol table (which pefile does not read) from the file itself;
objdump disassembles and reads the object files.

What it verifies, and why a driver needs it. What the loader and memory integrity require:
  * --machine: the image's machine type is that architecture's (x86 0x14c, x64 0x8664, ARM64
    0xAA64) with the matching optional header (PE32 for x86, PE32+ otherwise);
  * an image, not a DLL (IMAGE_FILE_DLL clear): a driver is loaded as a system image and its
    entry point is called as DriverEntry, never as a DllMain;
  * subsystem is native (1): the kernel loads nothing else as a driver;
  * DllCharacteristics: NX_COMPAT (memory integrity, HVCI, requires a driver to opt in to NX),
    DYNAMIC_BASE (the kernel places every driver at an address of its choosing), on 64-bit
    images HIGH_ENTROPY_VA (what lld-link and GNU ld set by default: clear only when someone
    turned it off), and no FORCE_INTEGRITY unless --signed is given or the image carries a
    signature (Windows refuses an image that asks for an integrity check and has no signature);
  * section alignment a multiple of 0x1000, the page (memory integrity's rule; lld-link's and
    GNU ld's default): the kernel protects each section by its own pages;
  * no export table, or only the names given with --allow-export: a driver is not a DLL that
    others import from (an export driver is a DLL, and this checker is not for one);
  * the entry point is DriverEntry or GsDriverEntry (the WDK's /GS entry, which sets the
    security cookie and calls DriverEntry): a COFF symbol of that name (x86: _DriverEntry@8,
    or _DriverEntry as GCC -mrtd writes it; the same for GsDriverEntry) sits at
    AddressOfEntryPoint. Without a COFF symbol table this cannot be shown, and the image fails
    (check it before stripping it, see below);
  * a section named INIT (code that runs once, from DriverEntry) is discardable: the kernel
    frees INIT after DriverEntry returns only if the section says it may; lld-link leaves it
    resident unless linked with /SECTION:INIT,ERD;
  * the section holding AddressOfEntryPoint, and every section marked as code, is executable and
    readable: lld-link's /SECTION:INIT,D sets D alone (0x02000020), and DriverEntry faults at
    its first instruction;
  * a /GS image (one that defines __security_cookie, x86 ___security_cookie, or an --object of
    which calls __security_check_cookie, x86 @__security_check_cookie@4) is entered at
    GsDriverEntry: entered at DriverEntry nothing sets the cookie before the protected functions
    run;
  * relocations: not stripped (IMAGE_FILE_RELOCS_STRIPPED), and no absolute address left
    unrelocated. The kernel loads a driver where it chooses, not at its preferred base, so every
    absolute address in the image needs a base relocation. An image may have no relocation table
    only if it holds no absolute address: no aligned pointer-sized word of a data section and no
    pointer-sized value anywhere in a code section (x86 code addresses its data absolutely) lies in
    [ImageBase, ImageBase + SizeOfImage), the loader's own tables (imports, exports, exception,
    debug, resources), which hold RVAs, left out. With a table, on 64-bit images every such aligned
    word of a data section must be covered by a DIR64 relocation (on 32-bit images a plain constant
    can equal an address, at the x86 default base 0x10000 even 65536 does, so coverage is not
    checked there). A relocation directory that points outside every section (objcopy -R .reloc
    leaves it behind) counts as none;
  * on x64 and ARM64, an exception directory (.pdata) when the image has code, inside a section
    (objcopy -R .pdata leaves the directory pointing at nothing) and with entries that begin in
    code: the kernel unwinds through a driver's functions by it (exceptions, stack walks);
  * no delay-load imports (a delay-import directory, or, as GNU ld leaves that directory empty,
    a __DELAY_IMPORT_DESCRIPTOR_* or __delayLoadHelper2 symbol): the kernel's loader resolves
    only the import directory, and the delay-load helper is a user-mode library;
  * nothing is imported from any DLL but ks.sys, ntoskrnl.exe and hal.dll: a driver cannot
    load msvcrt, libstdc++ or kernel32; an import from one means a hosted runtime slipped in;
  * KsPinHandshake and KsPinRegisterHandshakeCallback are imported from ks.sys (the calls kshake
    exists for; --no-default-imports drops this rule), and so is each --require-import DLL!FUNC
    from its DLL (in addition to those two);
  * a correct, non-zero PE checksum: the loader verifies it for every driver;
  * no section both writable and executable: memory integrity (HVCI) refuses such a driver.
What a driver without a C++ runtime must avoid:
  * no TLS directory (and no .tls section): the kernel has no implicit TLS for drivers;
  * no static-initialiser table: nothing runs a driver's .ctors/.init_array/.CRT$XC entries,
    so a namespace-scope object with a dynamic initialiser would silently stay unconstructed;
    found by the compilers' initialiser symbols (_GLOBAL__sub_I_*, __cxx_global_var_init*,
    MSVC ABI ??__E*/??__F*),
    by the entries between __CTOR_LIST__ and its terminator (GNU ld), and by any leftover
    .ctors/.dtors/.init_array/.fini_array/.CRT section;
  * no guard variable (_ZGV*; MSVC ABI ?$TSS<n>@*, ?$S<n>@*): a function-local static with a
    dynamic initialiser, which is not thread-safe under -fno-threadsafe-statics;
  * --object OBJ (the object files linked into the image; for MSVC-ABI images, because link.exe
    writes no COFF symbol table and merges .CRT$XC* into .rdata, so the object file is where an
    initialiser shows whichever linker made the image): no initialiser or
    terminator table section (.CRT$XC*/XI*/XL*/XP*/XT*, .ctors, .init_array ...), no
    thread-local section (.tls, .tls$), no dynamic initialiser (??__E*, ??__F*,
    _GLOBAL__sub_I_*, __cxx_global_var_init*) or guard variable (?$TSS*, ?$S<n>@*, _ZGV*), no
    reference to _tls_index, _Init_thread_header or atexit;
  * a COFF symbol table: without one, neither initialisers nor the entry point's name can be
    checked (GNU ld writes one; lld-link with /DEBUG:SYMTAB; link.exe never does);
  * --callee-pops NAME=BYTES (x86): every `ret` of the function whose name (demangled, or the
    symbol itself) contains NAME pops BYTES, i.e. it is __stdcall as the platform calls it, and
    so does every `ret` of a function it tail-jumps to (`jmp <function>`);
  * --rtd --link-map MAP (x86 built with -mrtd): GCC 12 calls the helpers it generates calls
    to by itself as if they popped their arguments, which corrupts the stack when they are
    cdecl, as they are: so no libgcc helper other than the stack probe may be linked
    (___udivdi3 ...), and no call to memcpy/memset/memmove/memcmp may be followed by the
    `sub $n,%esp` that re-reserves the arguments GCC believes the callee popped.

Every failure is printed on its own line, starting with "FAIL:", naming what is wrong; the
exit status is 1 if anything failed, 2 for a usage or tool error (pefile missing included), 0
when the image passes. Needs Python 3, python3-pefile and one objdump (GNU <triplet>-objdump or
llvm-objdump). When the python3 that runs it lacks pefile (a pyenv or virtualenv python ahead of
Debian's in PATH) and /usr/bin/python3 has it, the checker runs itself again under that one.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

try:
    import pefile
except ImportError:  # main() says which package to install; build_driver.py imports this module
    pefile = None

ALLOWED_DLLS = ("ks.sys", "ntoskrnl.exe", "hal.dll")
DEFAULT_REQUIRED = ("ks.sys!KsPinHandshake", "ks.sys!KsPinRegisterHandshakeCallback")
# Debian's python3, where python3-pefile installs pefile.
SYSTEM_PYTHON = "/usr/bin/python3"
PEFILE_PACKAGE = "python3-pefile"

# The names g++ and clang give the functions that .ctors/.init_array point at, and the
# helper clang emits per variable. Matched against the image's COFF symbol table.
INITIALISER_SYMBOL = re.compile(
    r"^(?:\?\?__[EF]|_?(?:_GLOBAL__sub_[ID]_|_GLOBAL__[ID]_|__cxx_global_var_init|"
    r"_Z41__static_initialization_and_destruction_0|__static_initialization_and_destruction_))"
)
GUARD_VARIABLE = re.compile(r"^(?:_?_ZGV|\?\$TSS\d+@|\?\$S\d+@)")
INITIALISER_SECTIONS = (".ctors", ".dtors", ".init_array", ".fini_array", ".CRT")
# The same in an object file. MSVC ABI: ??__E (a variable's dynamic initialiser), ??__F (its
# destructor, registered with atexit); guard variables ?$TSS<n>@ (thread-safe statics) and
# ?$S<n>@ (not thread-safe). GNU ABI as above.
OBJECT_INITIALISER_SYMBOL = re.compile(
    r"^(?:\?\?__[EF]|_?_GLOBAL__sub_[ID]_|_?_GLOBAL__[ID]_|_?__cxx_global_var_init)")
OBJECT_GUARD_SYMBOL = re.compile(r"^(?:\?\$TSS\d+@|\?\$S\d+@|_?_ZGV)")
# MSVC-ABI runtime support a driver does not have: implicit TLS, thread-safe statics, atexit.
OBJECT_RUNTIME_REFERENCE = {
    "_tls_index": "thread-local storage (thread_local/__declspec(thread))",
    "_Init_thread_header": "a thread-safe function-local static with a dynamic initialiser",
    "atexit": "a destructor registered at start-up",
}
# The PE machine types and the optional header each needs (0x10B PE32, 0x20B PE32+).
MACHINES = {"x86": (0x014C, 0x10B), "x64": (0x8664, 0x20B), "arm64": (0xAA64, 0x20B)}
# libgcc members an x86 -mrtd image may contain: the stack probes, called from prologues by
# their own register convention, never as C functions.
RTD_SAFE_LIBGCC_MEMBERS = re.compile(r"^_?_?(?:chkstk|chkstk_ms|alloca)\.o$")
# A delay-load import's descriptor (dlltool -y) and the helper every delay-load thunk calls.
DELAY_LOAD_SYMBOL = re.compile(r"^_*(?:DELAY_IMPORT_DESCRIPTOR_|delayLoadHelper2\b)")
# The entry points a driver may have, as the COFF symbol names them: x86 C names carry a
# leading underscore and, __stdcall, @8 (GCC under -mrtd leaves the @8 off).
ENTRY_NAMES = {
    0x014C: ("_DriverEntry@8", "_DriverEntry", "_GsDriverEntry@8", "_GsDriverEntry"),
    0x8664: ("DriverEntry", "GsDriverEntry"),
    0xAA64: ("DriverEntry", "GsDriverEntry"),
}
# /GS: the cookie the compiler reads (x86 names carry the C underscore), the check it calls
# (x86: __fastcall), and the WDK's entry point that sets the cookie before calling DriverEntry.
GS_COOKIE_SYMBOLS = ("__security_cookie", "___security_cookie")
GS_CHECK_SYMBOLS = ("__security_check_cookie", "@__security_check_cookie@4")
GS_ENTRY_NAMES = ("GsDriverEntry", "_GsDriverEntry@8", "_GsDriverEntry")

FILE_RELOCS_STRIPPED = 0x0001
FILE_DLL = 0x2000
DLLCHAR_HIGH_ENTROPY_VA = 0x0020
DLLCHAR_DYNAMIC_BASE = 0x0040
DLLCHAR_FORCE_INTEGRITY = 0x0080
DLLCHAR_NX_COMPAT = 0x0100
SCN_CNT_CODE = 0x00000020
SCN_MEM_DISCARDABLE = 0x02000000
SCN_MEM_EXECUTE = 0x20000000
SCN_MEM_READ = 0x40000000
SCN_MEM_WRITE = 0x80000000
PAGE = 0x1000
# Data directory indices.
DIR_EXPORT, DIR_IMPORT, DIR_RESOURCE, DIR_EXCEPTION, DIR_SECURITY = 0, 1, 2, 3, 4
DIR_BASERELOC, DIR_DEBUG, DIR_TLS, DIR_IAT, DIR_DELAY_IMPORT = 5, 6, 9, 12, 13
# Base relocation types: a 32-bit and a 64-bit absolute address.
REL_BASED_HIGHLOW, REL_BASED_DIR64 = 3, 10


class Report:
    def __init__(self, image: Path) -> None:
        self.image = image
        self.failures: list[str] = []

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def finish(self) -> int:
        for message in self.failures:
            print(f"FAIL: {self.image.name}: {message}")
        if self.failures:
            print(f"check_image: {self.image} is NOT a valid kernel image "
                  f"({len(self.failures)} problem(s))")
            return 1
        print(f"check_image: {self.image}: OK")
        return 0


def run(tool: str, *args: str) -> str:
    done = subprocess.run([tool, *args], capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def python_with_pefile() -> str | None:
    """Debian's python3 when it has pefile and is not the interpreter running now, else None."""
    system = Path(SYSTEM_PYTHON)
    if not system.exists() or os.environ.get("KSHAKE_PEFILE_REEXEC"):
        return None
    try:
        if system.resolve() == Path(sys.executable).resolve():
            return None
    except OSError:
        return None
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pefile"], capture_output=True)
    return SYSTEM_PYTHON if probe.returncode == 0 else None


def require_pefile(script: str, missing_status: int = 2) -> None:
    """Makes sure pefile can be imported: runs `script` again under Debian's python3 if that one
    has it (the exec does not return), or exits with `missing_status` naming the Debian package."""
    if pefile is not None:
        return
    other = python_with_pefile()
    if other:
        os.environ["KSHAKE_PEFILE_REEXEC"] = "1"
        sys.stdout.flush()
        os.execv(other, [other, script, *sys.argv[1:]])
    print(f"{Path(script).name}: needs pefile, which {sys.executable} cannot import: install "
          f"Debian's {PEFILE_PACKAGE} (apt-get install {PEFILE_PACKAGE}, or tools/setup.sh "
          f"kernel) and run it with {SYSTEM_PYTHON}", file=sys.stderr)
    sys.exit(missing_status)


@dataclass
class Section:
    name: str
    virtual_address: int
    virtual_size: int
    raw_size: int
    raw_pointer: int
    characteristics: int

    def executable(self) -> bool:
        return bool(self.characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE))


class PeFile:
    """An image as pefile reads it, with the section names resolved (GNU ld writes names longer
    than 8 bytes as /<offset> into the COFF string table, which pefile leaves as they are)."""

    def __init__(self, data: bytes) -> None:
        if data[:2] != b"MZ":
            raise ValueError("not an MZ/PE file")
        self.data = data
        self.pe = pefile.PE(data=data, fast_load=True)
        self.pe.parse_data_directories(directories=[
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_BASERELOC"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DEBUG"],
            pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"],
        ])
        header, optional = self.pe.FILE_HEADER, self.pe.OPTIONAL_HEADER
        self.machine = header.Machine
        self.characteristics = header.Characteristics
        self.symbol_table = header.PointerToSymbolTable
        self.symbol_count = header.NumberOfSymbols
        self.magic = optional.Magic
        self.width = 8 if self.magic == 0x20B else 4
        self.image_base = optional.ImageBase
        self.image_size = optional.SizeOfImage
        self.checksum = optional.CheckSum
        self.sections = []
        for section in self.pe.sections:
            name = section.Name.rstrip(b"\0").decode("ascii", "replace")
            if name.startswith("/") and name[1:].isdigit() and self.symbol_table:
                strings = self.symbol_table + 18 * self.symbol_count
                start = strings + int(name[1:])
                name = data[start:data.index(b"\0", start)].decode("ascii", "replace")
            self.sections.append(Section(name, section.VirtualAddress, section.Misc_VirtualSize,
                                         section.SizeOfRawData, section.PointerToRawData,
                                         section.Characteristics))

    def directory(self, index: int) -> tuple[int, int]:
        entries = self.pe.OPTIONAL_HEADER.DATA_DIRECTORY
        if index >= len(entries):
            return 0, 0
        return entries[index].VirtualAddress, entries[index].Size

    def directory_data(self, index: int) -> bytes | None:
        """The bytes of a data directory; None when it is empty, b"" when it points outside the
        initialised data of every section (the section was removed after the link: objcopy -R
        leaves the directory as it was)."""
        rva, size = self.directory(index)
        if not size:
            return None
        section = self.section_at(rva)
        if section is None:
            return b""
        end = section.virtual_address + min(section.raw_size, section.virtual_size or
                                            section.raw_size)
        if rva + size > end:
            return b""
        start = section.raw_pointer + rva - section.virtual_address
        return self.data[start:start + size]

    def section_at(self, rva: int) -> Section | None:
        for section in self.sections:
            if section.virtual_address <= rva < section.virtual_address + max(
                    section.virtual_size, section.raw_size):
                return section
        return None

    def imports(self) -> dict[str, set[str]]:
        """DLL name (lower case) -> imported names ("#ordinal" for one imported by ordinal)."""
        found: dict[str, set[str]] = {}
        for entry in getattr(self.pe, "DIRECTORY_ENTRY_IMPORT", []):
            names = found.setdefault(entry.dll.decode("ascii", "replace").lower(), set())
            for imported in entry.imports:
                names.add(imported.name.decode("ascii", "replace") if imported.name
                          else "#ordinal")
        return found

    def computed_checksum(self) -> int:
        return self.pe.generate_checksum()


def check_headers(pe: PeFile, signed: bool, report: Report) -> None:
    """The file and optional header flags the loader and memory integrity look at."""
    if pe.characteristics & FILE_DLL:
        report.fail("is a DLL (IMAGE_FILE_DLL is set): a driver is an image whose entry point the "
                    "kernel calls as DriverEntry; do not link with /DLL or -shared")
    flags = pe.pe.OPTIONAL_HEADER.DllCharacteristics
    if not flags & DLLCHAR_NX_COMPAT:
        report.fail("is not NX compatible (IMAGE_DLLCHARACTERISTICS_NX_COMPAT is clear): memory "
                    "integrity (HVCI) requires a driver to opt in to NX; drop /NXCOMPAT:NO or "
                    "--disable-nxcompat")
    if not flags & DLLCHAR_DYNAMIC_BASE:
        report.fail("has no dynamic base (IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE is clear): the "
                    "kernel places every driver where it chooses; drop --disable-dynamicbase or "
                    "--disable-reloc-section (lld-link: drop /FIXED or /DYNAMICBASE:NO)")
    if pe.magic == 0x20B and not flags & DLLCHAR_HIGH_ENTROPY_VA:
        report.fail("is a 64-bit image without high-entropy VA "
                    "(IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA is clear), which lld-link and GNU "
                    "ld set by default; drop /HIGHENTROPYVA:NO or --disable-high-entropy-va")
    signature = pe.directory(DIR_SECURITY)
    if flags & DLLCHAR_FORCE_INTEGRITY and not signed and signature[1] == 0:
        report.fail("asks for a signature check (IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY, "
                    "/INTEGRITYCHECK) but carries no signature: Windows refuses to load it "
                    "unsigned; pass --signed if it is signed before it is loaded")
    alignment = pe.pe.OPTIONAL_HEADER.SectionAlignment
    if alignment < PAGE or alignment % PAGE:
        report.fail(f"section alignment is 0x{alignment:x}, not a multiple of 0x{PAGE:x} (the "
                    f"page): memory integrity (HVCI) requires page-aligned sections; drop "
                    f"/ALIGN or --section-alignment")


def check_exports(pe: PeFile, allowed: list[str], report: Report) -> None:
    address, size = pe.directory(DIR_EXPORT)
    if not size:
        return
    names = []
    for symbol in getattr(getattr(pe.pe, "DIRECTORY_ENTRY_EXPORT", None), "symbols", []):
        names.append(symbol.name.decode("ascii", "replace") if symbol.name
                     else f"#{symbol.ordinal}")
    unexpected = sorted(n for n in names if n not in allowed)
    if unexpected:
        shown = ", ".join(unexpected[:6]) + (" ..." if len(unexpected) > 6 else "")
        report.fail(f"exports {shown}: a driver exports nothing (drop /EXPORT, "
                    f"__declspec(dllexport) and --export-all-symbols, or allow a name with "
                    f"--allow-export)")
    elif not names and not allowed:
        report.fail(f"has an export directory (rva 0x{address:x}, size 0x{size:x}): a driver "
                    f"exports nothing")


def names_at_entry(pe: PeFile, table: list[tuple[int, int, str]]) -> list[str]:
    entry = pe.pe.OPTIONAL_HEADER.AddressOfEntryPoint
    return [name for section_no, value, name in table
            if 1 <= section_no <= len(pe.sections)
            and pe.sections[section_no - 1].virtual_address + value == entry]


def check_gs_entry(pe: PeFile, table: list[tuple[int, int, str]], object_undefined: set[str],
                   report: Report) -> None:
    """A /GS image entered anywhere but at GsDriverEntry: nothing sets the cookie before the
    protected functions run, so each compares against the constant in the image file."""
    defined = {name for section_no, _, name in table if section_no >= 1}
    cookie = sorted(defined & set(GS_COOKIE_SYMBOLS))
    checks = sorted(object_undefined & set(GS_CHECK_SYMBOLS))
    if not cookie and not checks:
        return
    here = names_at_entry(pe, table)
    if any(name in GS_ENTRY_NAMES for name in here):
        return
    why = (f"defines {cookie[0]}" if cookie else "") + (" and " if cookie and checks else "") + \
        (f"an --object calls {checks[0]}" if checks else "")
    report.fail(f"is built with /GS ({why}) but not entered at GsDriverEntry: nothing sets the "
                f"security cookie before the protected functions run; link with "
                f"/ENTRY:GsDriverEntry and the WDK's GS support library")


def check_entry(pe: PeFile, table: list[tuple[int, int, str]] | None, report: Report) -> None:
    """The entry point by the COFF symbols at its address (None: the image has no table)."""
    entry = pe.pe.OPTIONAL_HEADER.AddressOfEntryPoint
    allowed = ENTRY_NAMES.get(pe.machine, ENTRY_NAMES[0x8664])
    if table is None:
        report.fail(f"the entry point (rva 0x{entry:x}) cannot be shown to be DriverEntry or "
                    f"GsDriverEntry: the image has no COFF symbol table")
        return
    here = names_at_entry(pe, table)
    if any(name in allowed for name in here):
        return
    named = [n for n in here if not n.startswith(".")] or here
    what = ", ".join(named[:3]) if named else "no symbol"
    report.fail(f"the entry point (rva 0x{entry:x}) is {what}, not {' or '.join(allowed)}: link "
                f"with /ENTRY:DriverEntry (GNU ld: --entry, on x86 _DriverEntry@8), or "
                f"GsDriverEntry with /GS")


def check_sections(pe: PeFile, report: Report) -> None:
    entry = pe.pe.OPTIONAL_HEADER.AddressOfEntryPoint
    holding_entry = pe.section_at(entry)
    for section in pe.sections:
        if section.name == "INIT" and not section.characteristics & SCN_MEM_DISCARDABLE:
            report.fail(f"section INIT is not discardable (characteristics "
                        f"0x{section.characteristics:08x}): the kernel frees the code DriverEntry "
                        f"runs once only from a discardable INIT; lld-link: /SECTION:INIT,ERD")
        # lld-link's /SECTION:INIT,D sets exactly the flags given: a discardable section with
        # no access at all, where the first instruction of DriverEntry faults.
        code = section.characteristics & SCN_CNT_CODE or section is holding_entry
        wanted = SCN_MEM_EXECUTE | SCN_MEM_READ
        if code and section.characteristics & wanted != wanted:
            what = "holds the entry point" if section is holding_entry else "holds code"
            report.fail(f"section {section.name} {what} but is not both executable and readable "
                        f"(characteristics 0x{section.characteristics:08x}): the CPU faults on "
                        f"its first instruction; lld-link: /SECTION:{section.name},ERD (E and R "
                        f"with D, never D alone)")


def loader_table_ranges(pe: PeFile) -> list[tuple[int, int]]:
    """RVA ranges of the tables that hold RVAs or file offsets, not addresses: the export,
    import (with each DLL's lookup and address tables), resource, exception, debug (with the
    data each entry points at), IAT, delay-import and relocation tables."""
    ranges = []
    for index in (DIR_EXPORT, DIR_IMPORT, DIR_RESOURCE, DIR_EXCEPTION, DIR_BASERELOC, DIR_DEBUG,
                  DIR_IAT, DIR_DELAY_IMPORT):
        address, size = pe.directory(index)
        if size:
            ranges.append((address, address + size))
    for entry in getattr(pe.pe, "DIRECTORY_ENTRY_IMPORT", []):
        count = (len(entry.imports) + 1) * pe.width
        for table in (entry.struct.OriginalFirstThunk, entry.struct.FirstThunk):
            if table:
                ranges.append((table, table + count))
    for entry in getattr(pe.pe, "DIRECTORY_ENTRY_DEBUG", []):
        if entry.struct.AddressOfRawData:
            start = entry.struct.AddressOfRawData
            ranges.append((start, start + entry.struct.SizeOfData))
    return ranges


def absolute_addresses(pe: PeFile) -> list[tuple[int, int, str]]:
    """(rva, value, section) of every value that looks like an address inside the image: an
    aligned pointer-sized word of a data section, or a pointer-sized value at any offset of a
    code section, in [ImageBase, ImageBase + SizeOfImage), outside the loader's tables."""
    low, high = pe.image_base, pe.image_base + pe.image_size
    word = "<Q" if pe.width == 8 else "<I"
    excluded = loader_table_ranges(pe)
    found = []
    for section in pe.sections:
        size = min(section.raw_size, section.virtual_size or section.raw_size)
        raw = pe.data[section.raw_pointer:section.raw_pointer + size]
        steps = range(pe.width) if section.executable() else range(1)
        for start in steps:
            chunk = raw[start:]
            chunk = chunk[:len(chunk) - len(chunk) % pe.width]
            for i, (value,) in enumerate(struct.iter_unpack(word, chunk)):
                if low <= value < high:
                    rva = section.virtual_address + start + i * pe.width
                    if not any(a <= rva < b for a, b in excluded):
                        found.append((rva, value, section.name))
    return sorted(found)


def relocated_words(pe: PeFile) -> set[int]:
    """RVAs of the pointer-sized words the base relocations fix up."""
    wanted = REL_BASED_DIR64 if pe.width == 8 else REL_BASED_HIGHLOW
    return {entry.rva for block in getattr(pe.pe, "DIRECTORY_ENTRY_BASERELOC", [])
            for entry in block.entries if entry.type == wanted}


def check_relocations(pe: PeFile, report: Report) -> None:
    if pe.characteristics & FILE_RELOCS_STRIPPED:
        report.fail("relocations are stripped (IMAGE_FILE_RELOCS_STRIPPED): the kernel relocates "
                    "every driver (link with --dynamicbase, do not strip .reloc)")
    table = pe.directory_data(DIR_BASERELOC)
    has_table = bool(table) and bool(getattr(pe.pe, "DIRECTORY_ENTRY_BASERELOC", None))
    if not has_table:
        found = absolute_addresses(pe)
        if found:
            rva, value, section = found[0]
            dangling = ("; its relocation directory points outside every section (was .reloc "
                        "removed?)" if table == b"" else "")
            report.fail(f"has no base relocation table but holds {len(found)} absolute "
                        f"address(es) (first: 0x{value:x} at rva 0x{rva:x} in {section}): the "
                        f"kernel loads a driver elsewhere and nothing would fix them; do not link "
                        f"with /FIXED or --disable-reloc-section{dangling}")
    elif pe.width == 8:
        covered = relocated_words(pe)
        missed = [(rva, value, section) for rva, value, section in absolute_addresses(pe)
                  if rva not in covered and not pe.section_at(rva).executable()]
        if missed:
            rva, value, section = missed[0]
            report.fail(f"holds {len(missed)} absolute address(es) no base relocation covers "
                        f"(first: 0x{value:x} at rva 0x{rva:x} in {section}): they would point "
                        f"into the preferred base, not where the kernel loads the driver")


def check_exception_directory(pe: PeFile, report: Report) -> None:
    if pe.machine not in (0x8664, 0xAA64):
        return
    code = any(s.executable() and s.virtual_size for s in pe.sections)
    if not code:
        return
    why = ("on x64 and ARM64 the kernel unwinds through a driver's functions by it (exceptions, "
           "stack walks)")
    table = pe.directory_data(DIR_EXCEPTION)
    if table is None:
        report.fail(f"has code but no exception directory (.pdata): {why}")
        return
    if not table:
        rva, size = pe.directory(DIR_EXCEPTION)
        report.fail(f"has code but no exception directory (.pdata): directory 3 (rva 0x{rva:x}, "
                    f"size 0x{size:x}) points outside every section (was .pdata removed?); {why}")
        return
    # RUNTIME_FUNCTION: x64 BeginAddress, EndAddress, UnwindInfo; ARM64 BeginAddress, UnwindData.
    entry = 12 if pe.machine == 0x8664 else 8
    begins = [struct.unpack_from("<I", table, at)[0]
              for at in range(0, len(table) - entry + 1, entry)]
    stray = [b for b in begins if not (pe.section_at(b) and pe.section_at(b).executable())]
    if not begins or stray:
        report.fail(f"has code but no exception directory (.pdata) that describes it: "
                    f"{len(stray)} of {len(begins)} entries begin outside the code; {why}")


def check_delay_imports(pe: PeFile, report: Report) -> None:
    address, size = pe.directory(DIR_DELAY_IMPORT)
    if not size:
        return
    dlls = sorted({entry.dll.decode("ascii", "replace")
                   for entry in getattr(pe.pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])})
    report.fail(f"has delay-load imports ({', '.join(dlls) or f'rva 0x{address:x}'}): the "
                f"kernel resolves only the import directory and a driver has no delay-load helper; "
                f"drop /DELAYLOAD")


def symbols(symbol_dump: str) -> list[tuple[int, int, str]]:
    """(section number, value, name) of every COFF symbol in `objdump -t` output (GNU and LLVM
    print the same layout: "[ 5](sec  1)(fl 0x00)(ty 20)(scl 2) (nx 0) 0x00d0 name")."""
    found = []
    for line in symbol_dump.splitlines():
        entry = re.match(r"^\[\s*\d+\]\(sec\s+(-?\d+)\).*\s0x([0-9a-fA-F]+)\s+(\S+)\s*$", line)
        if entry:
            found.append((int(entry.group(1)), int(entry.group(2), 16), entry.group(3)))
    return found


def coff_symbols(pe: PeFile) -> list[tuple[int, int, str]]:
    """(section number, value, name) of every symbol in the image's COFF symbol table, read from
    the file (pefile does not read it; objdump refuses an image whose relocation directory points
    outside its sections). A value is relative to its section, as in an object file."""
    data, table, count = pe.data, pe.symbol_table, pe.symbol_count
    strings = table + 18 * count
    if table + 18 * count > len(data):
        raise ValueError("the COFF symbol table runs past the end of the file")
    found = []
    index = 0
    while index < count:
        at = table + 18 * index
        if data[at:at + 4] == b"\0\0\0\0":
            start = strings + struct.unpack_from("<I", data, at + 4)[0]
            end = data.find(b"\0", start)
            raw = data[start:end if end >= 0 else len(data)]
        else:
            raw = data[at:at + 8].rstrip(b"\0")
        value, section, _, _, aux = struct.unpack_from("<IhHBB", data, at + 8)
        found.append((section, value, raw.decode("ascii", "replace")))
        index += 1 + aux
    return found


def ctor_list_entries(pe: PeFile, table: list[tuple[int, int, str]]) -> int | None:
    """Entries in GNU ld's __CTOR_LIST__ (-1, entries..., 0), or None when there is none.

    A symbol's value is relative to its section, so the list is read from the file at that
    section's raw data plus the value.
    """
    width = 8 if pe.magic == 0x20B else 4
    for section_no, value, name in table:
        if name.lstrip("_") != "CTOR_LIST__" or not 1 <= section_no <= len(pe.sections):
            continue
        section = pe.sections[section_no - 1]
        at = section.raw_pointer + value
        end = section.raw_pointer + section.raw_size
        words = [int.from_bytes(pe.data[i:i + width], "little")
                 for i in range(at, end - width + 1, width)]
        if not words or words[0] != (1 << (8 * width)) - 1:
            return None
        count = 0
        for word in words[1:]:
            if word == 0:
                return count
            count += 1
        return count
    return None


def function_labels(objdump: str, image: Path) -> dict[str, str]:
    """Address -> the function's symbol as the image names it (mangled), from `objdump -d`."""
    labels = {}
    for line in run(objdump, "-d", "--no-show-raw-insn", str(image)).splitlines():
        label = re.match(r"^([0-9a-fA-F]+) <(.*)>:\s*$", line)
        if label:
            labels[label.group(1)] = label.group(2)
    return labels


def check_callee_pops(objdump: str, image: Path, name: str, pops: int, report: Report,
                      mangled: dict[str, str]) -> None:
    """NAME may be part of the demangled name or of the symbol itself (the MSVC-ABI form, e.g.
    `callback@PAU_KSPIN@@`, which also works where the demangler gives up). A function that
    ends in a tail jump to another (`jmp <function>`) returns through that one, so its `ret`s are
    checked too: a __stdcall function may only tail-jump to one that pops the same bytes."""
    listing = run(objdump, "-d", "-C", "--no-show-raw-insn", str(image))
    rets: dict[str, list[str]] = {}
    tail_jumps: dict[str, list[str]] = {}
    matching: list[str] = []
    function = ""
    for line in listing.splitlines():
        label = re.match(r"^([0-9a-fA-F]+) <(.*)>:\s*$", line)
        if label:
            function = label.group(2)
            rets.setdefault(function, [])
            tail_jumps.setdefault(function, [])
            if name in function or name in mangled.get(label.group(1), ""):
                matching.append(function)
            continue
        if not function:
            continue
        ret = re.search(r"\bret[lq]?\b\s*(\$?0x[0-9a-fA-F]+|\d+)?", line)
        if ret:
            operand = ret.group(1)
            rets[function].append(operand.lstrip("$") if operand else "0")
        jump = re.search(r"\tjmp[lq]?\s+(?:0x)?[0-9a-fA-F]+\s+<(.*?)(\+0x[0-9a-fA-F]+)?>\s*$",
                         line)
        if jump and not jump.group(2):
            tail_jumps[function].append(jump.group(1))
    seen: list[tuple[str, str]] = []
    visited: set[str] = set()
    pending = list(matching)
    while pending:
        current = pending.pop()
        if current in visited:
            continue
        visited.add(current)
        seen += [(current, operand) for operand in rets.get(current, [])]
        pending += [target for target in tail_jumps.get(current, []) if target in rets]
    if not seen:
        report.fail(f"no function named like '{name}' with a ret instruction was found "
                    f"(cannot check its calling convention)")
        return
    wrong = [(where, operand) for where, operand in seen if int(operand, 0) != pops]
    if wrong:
        where, operand = wrong[0]
        via = "" if where in matching else f" (reached by a tail jump from {matching[0]})"
        report.fail(f"{where}{via} returns with 'ret {operand}' but the platform calls it "
                    f"__stdcall and expects it to pop {pops} bytes: build x86 kernel code with "
                    f"/Gz, the WDK's default (GCC: -mrtd), or the stack is corrupted on every "
                    f"call")


CDECL_LIBCALL = re.compile(r"<_*(memcpy|memset|memmove|memcmp|(?:u?div|u?mod|udivmod|divmod)di3)>")


def check_rtd_libcalls(objdump: str, image: Path, report: Report) -> None:
    """GCC -mrtd calls the block moves it generates itself (a struct copy, a loop turned into
    memset) as if memcpy/memset popped their arguments, and re-reserves the stack with
    `sub $n,%esp` after the call; ntoskrnl's are cdecl, so the stack drifts by n bytes."""
    lines = run(objdump, "-d", "--no-show-raw-insn", str(image)).splitlines()
    bad: dict[str, int] = {}
    for i, line in enumerate(lines[:-1]):
        call = re.search(r"\tcall\s+[0-9a-fA-F]+\s+" + CDECL_LIBCALL.pattern, line)
        if call and re.search(r"\tsub\s+\$0x[0-9a-fA-F]+,%esp", lines[i + 1]):
            bad[call.group(1)] = bad.get(call.group(1), 0) + 1
    for name, count in sorted(bad.items()):
        report.fail(f"calls {name} {count} time(s) as if it popped its arguments (GCC -mrtd treats "
                    f"the {name} calls it generates as __stdcall; the kernel's is cdecl): build "
                    f"with -mstringop-strategy=rep_4byte so GCC inlines block moves")


def check_rtd_link_map(link_map: Path, report: Report) -> None:
    members = set()
    for line in link_map.read_text(errors="replace").splitlines():
        found = re.match(r"^\S*libgcc\.a\(([^)]+)\)", line.strip())
        if found:
            members.add(found.group(1))
    bad = sorted(m for m in members if not RTD_SAFE_LIBGCC_MEMBERS.match(m))
    if bad:
        report.fail(f"libgcc helper(s) {', '.join(bad)} linked into an x86 -mrtd image: GCC "
                    f"calls them as if they popped their arguments but libgcc's are cdecl, which "
                    f"corrupts the stack; avoid the operation (64-bit division, popcount ...) in "
                    f"x86 kernel code")


def object_sections(section_dump: str) -> list[tuple[str, int]]:
    """(name, size) of every section in `objdump -h` output (GNU and LLVM alike:
    "  5 .CRT$XCU      00000008 0000000000000000 DATA")."""
    found = []
    for line in section_dump.splitlines():
        entry = re.match(r"^\s*\d+\s+(\S+)\s+([0-9a-fA-F]+)\s", line)
        if entry:
            found.append((entry.group(1), int(entry.group(2), 16)))
    return found


def check_object(objdump: str, obj: Path, report: Report) -> set[str]:
    """The initialiser and TLS rules on an object file, where the MSVC ABI always shows them:
    link.exe writes no COFF symbol table and merges .CRT$XC* into .rdata. (lld-link keeps a .CRT
    section and, with /DEBUG:SYMTAB, the symbols, so the image rules catch its images too.)"""
    for name, size in object_sections(run(objdump, "-h", str(obj))):
        if size and re.match(r"^\.CRT\$X[CILPT]", name):
            kind = "TLS callback" if name.startswith(".CRT$XL") else "static-initialiser"
            report.fail(f"{obj.name} has a {name} section ({size} bytes): a {kind} table that "
                        f"nothing runs in a driver")
        elif size and any(name == s or name.startswith(s + ".") for s in INITIALISER_SECTIONS
                          if s != ".CRT"):
            report.fail(f"{obj.name} has a {name} section ({size} bytes): a static-initialiser "
                        f"table that nothing runs in a driver")
        elif name == ".tls" or name.startswith(".tls$") or name.startswith(".tls."):
            report.fail(f"{obj.name} has a {name} section: thread-local data, which drivers do "
                        f"not get; remove thread_local/__declspec(thread)")
    table = symbols(run(objdump, "-t", str(obj)))
    names = {name for _, _, name in table}
    initialisers = sorted(n for n in names if OBJECT_INITIALISER_SYMBOL.match(n))
    if initialisers:
        report.fail(f"{obj.name} has dynamic initialiser(s) {', '.join(initialisers)}: a "
                    f"namespace-scope object is not constant-initialised, and without a CRT its "
                    f"constructor never runs (make it constexpr/constinit)")
    guards = sorted(n for n in names if OBJECT_GUARD_SYMBOL.match(n))
    if guards:
        report.fail(f"{obj.name} has guard variable(s) {', '.join(guards)}: a function-local "
                    f"static with a dynamic initialiser")
    undefined = {name for section, _, name in table if section == 0}
    for symbol, meaning in OBJECT_RUNTIME_REFERENCE.items():
        if symbol in undefined or "_" + symbol in undefined:
            report.fail(f"{obj.name} refers to {symbol}: {meaning} needs a runtime a driver "
                        f"does not have")
    return undefined




def check(image: Path, objdump: str, required: list[str], callee_pops: list[str],
          link_map: Path | None, rtd: bool, machine: str | None = None,
          objects: list[Path] | None = None, allowed_exports: list[str] | None = None,
          signed: bool = False) -> int:
    report = Report(image)
    pe = PeFile(image.read_bytes())

    if machine is not None:
        want_machine, want_magic = MACHINES[machine]
        if pe.machine != want_machine:
            report.fail(f"machine type is 0x{pe.machine:04x}, not 0x{want_machine:04x} ({machine})")
        if pe.magic != want_magic:
            report.fail(f"optional header magic is 0x{pe.magic:x}, not 0x{want_magic:x} for "
                        f"{machine}")
    object_undefined: set[str] = set()
    for obj in objects or []:
        object_undefined |= check_object(objdump, obj, report)

    subsystem = pe.pe.OPTIONAL_HEADER.Subsystem
    if subsystem != 1:
        report.fail(f"subsystem is {subsystem}, not 1 (native): link with "
                    f"-Wl,--subsystem,native (lld-link: /SUBSYSTEM:NATIVE)")
    check_headers(pe, signed, report)
    check_exports(pe, allowed_exports or [], report)

    imports = pe.imports()
    for dll, names in sorted(imports.items()):
        if dll not in ALLOWED_DLLS:
            shown = ", ".join(sorted(names)[:6]) + (" ..." if len(names) > 6 else "")
            report.fail(f"imports from {dll} ({shown}): a driver may import only from "
                        f"{', '.join(ALLOWED_DLLS)}")
    for requirement in required:
        dll, _, name = requirement.partition("!")
        if name not in imports.get(dll.lower(), set()):
            report.fail(f"{name} is not imported from {dll}")
    check_delay_imports(pe, report)

    tls = pe.directory(DIR_TLS)
    if tls != (0, 0):
        report.fail(f"has a TLS directory (rva 0x{tls[0]:x}, size 0x{tls[1]:x}): drivers get "
                    f"no implicit thread-local storage; remove thread_local/__declspec(thread)")
    check_relocations(pe, report)
    check_exception_directory(pe, report)

    for section in pe.sections:
        name, size, characteristics = section.name, section.virtual_size, section.characteristics
        if name == ".tls" or name.startswith(".tls$"):
            report.fail(f"has a {name} section (thread-local data)")
        if any(name == s or name.startswith(s + "$") or name.startswith(s + ".")
               for s in INITIALISER_SECTIONS) and size:
            report.fail(f"has a {name} section ({size} bytes): a static-initialiser table that "
                        f"nothing runs in a driver")
        if characteristics & SCN_MEM_EXECUTE and characteristics & SCN_MEM_WRITE:
            report.fail(f"section {name} is both writable and executable: HVCI refuses to load it")
    check_sections(pe, report)

    if pe.symbol_count == 0:
        report.fail("has no COFF symbol table, so static initialisers cannot be ruled out: "
                    "check the image before stripping it")
        check_entry(pe, None, report)
    else:
        table = coff_symbols(pe)
        names = [name for _, _, name in table]
        initialisers = sorted({n for n in names if INITIALISER_SYMBOL.match(n)})
        if initialisers:
            report.fail(f"has dynamic initialiser(s) {', '.join(initialisers)}: a namespace-scope "
                        f"object is not constant-initialised, and without a CRT its constructor "
                        f"never runs (make it constexpr/constinit)")
        guards = sorted({n for n in names if GUARD_VARIABLE.match(n)})
        if guards:
            report.fail(f"has guard variable(s) {', '.join(guards)}: a function-local static with "
                        f"a dynamic initialiser (not thread-safe with -fno-threadsafe-statics)")
        helpers = sorted({n for n in names if DELAY_LOAD_SYMBOL.match(n)})
        if helpers and not pe.directory(DIR_DELAY_IMPORT)[1]:
            report.fail(f"has delay-load imports (symbols {', '.join(helpers[:3])}), with no "
                        f"delay-import directory to show them (GNU ld leaves it empty): the kernel "
                        f"resolves only the import directory; drop the delay-import library")
        entries = ctor_list_entries(pe, table)
        if entries:
            report.fail(f"__CTOR_LIST__ holds {entries} static constructor(s): nothing runs them "
                        f"in a driver")
        check_entry(pe, table, report)
        check_gs_entry(pe, table, object_undefined, report)

    if pe.checksum == 0:
        report.fail("PE checksum is 0: the loader verifies it for drivers (GNU ld sets it; "
                    "lld-link: /RELEASE; ld.lld: -Wl,-Xlink=-release)")
    elif pe.checksum != pe.computed_checksum():
        report.fail(f"PE checksum 0x{pe.checksum:08x} is wrong (computed "
                    f"0x{pe.computed_checksum():08x})")

    mangled = function_labels(objdump, image) if callee_pops else {}
    for spec in callee_pops:
        name, _, pops = spec.rpartition("=")
        check_callee_pops(objdump, image, name, int(pops, 0), report, mangled)
    if rtd:
        if link_map is None:
            report.fail("--rtd needs --link-map")
        else:
            check_rtd_link_map(link_map, report)
        check_rtd_libcalls(objdump, image, report)
    return report.finish()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("--objdump", help="objdump to use (default: llvm-objdump-19 or objdump)")
    parser.add_argument("--require-import", action="append", default=[], metavar="DLL!FUNC",
                        help=f"an import the image must also have (besides "
                             f"{' and '.join(DEFAULT_REQUIRED)})")
    parser.add_argument("--no-default-imports", action="store_true",
                        help=f"do not require {' and '.join(DEFAULT_REQUIRED)} (a driver that "
                             f"does not use kshake); the --require-import ones still apply")
    parser.add_argument("--allow-export", action="append", default=[], metavar="NAME",
                        help="a name the image may export (by default it may export nothing)")
    parser.add_argument("--signed", action="store_true",
                        help="the image is signed before it is loaded: FORCE_INTEGRITY is allowed")
    parser.add_argument("--callee-pops", action="append", default=[], metavar="NAME=BYTES")
    parser.add_argument("--link-map", type=Path)
    parser.add_argument("--rtd", action="store_true")
    parser.add_argument("--machine", choices=sorted(MACHINES))
    parser.add_argument("--object", action="append", default=[], type=Path,
                        help="an object file linked into the image (initialiser/TLS rules)")
    args = parser.parse_args()
    require_pefile(__file__)

    objdump = args.objdump or shutil.which("llvm-objdump-19") or shutil.which("objdump")
    if not objdump:
        print("check_image: no objdump found (pass --objdump)", file=sys.stderr)
        return 2
    if not args.image.is_file():
        print(f"check_image: {args.image}: no such file", file=sys.stderr)
        return 2
    try:
        defaults = [] if args.no_default_imports else list(DEFAULT_REQUIRED)
        return check(args.image, objdump, defaults + args.require_import,
                     args.callee_pops, args.link_map, args.rtd, args.machine, args.object,
                     args.allow_export, args.signed)
    except (RuntimeError, ValueError, struct.error, pefile.PEFormatError) as error:
        print(f"check_image: {args.image}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
