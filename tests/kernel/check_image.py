#!/usr/bin/env python3
"""Checks that a PE image is a loadable, runtime-free Windows kernel driver.

    check_image.py [--objdump TOOL] [--machine x86|x64|arm64] [--object OBJ]...
                   [--require-import DLL!FUNC]... [--callee-pops NAME=BYTES]...
                   [--link-map MAP --rtd] IMAGE.sys

Works on GNU-ABI images (mingw-w64, GNU ld or lld) and MSVC-ABI images (clang-cl + lld-link).

What it verifies, and why a driver needs it:
  * --machine: the image's machine type is that architecture's (x86 0x14c, x64 0x8664, ARM64
    0xAA64) with the matching optional header (PE32 for x86, PE32+ otherwise);
  * subsystem is native (1): the kernel loads nothing else as a driver;
  * every --require-import is imported from that DLL (by default KsPinHandshake and
    KsPinRegisterHandshakeCallback from ks.sys: the calls kshake exists for);
  * nothing is imported from any DLL but ks.sys, ntoskrnl.exe and hal.dll: a driver cannot
    load msvcrt, libstdc++ or kernel32; an import from one means a hosted runtime slipped in;
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
  * relocations not stripped: the kernel always relocates a driver;
  * a correct, non-zero PE checksum: the loader verifies it for every driver;
  * no section both writable and executable: HVCI (memory integrity) refuses such a driver;
  * --callee-pops NAME=BYTES (x86): every `ret` of the function whose name (demangled, or the
    symbol itself) contains NAME pops BYTES, i.e. it is __stdcall as the platform calls it;
  * --rtd --link-map MAP (x86 built with -mrtd): GCC 12 calls the helpers it generates calls
    to by itself as if they popped their arguments, which corrupts the stack when they are
    cdecl, as they are: so no libgcc helper other than the stack probe may be linked
    (___udivdi3 ...), and no call to memcpy/memset/memmove/memcmp may be followed by the
    `sub $n,%esp` that re-reserves the arguments GCC believes the callee popped.

Every failure is printed on its own line, starting with "FAIL:", naming what is wrong; the
exit status is 1 if anything failed, 2 for a usage or tool error, 0 when the image passes.
Needs only Python 3's standard library and one objdump (GNU <triplet>-objdump or llvm-objdump).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ALLOWED_DLLS = ("ks.sys", "ntoskrnl.exe", "hal.dll")
DEFAULT_REQUIRED = ("ks.sys!KsPinHandshake", "ks.sys!KsPinRegisterHandshakeCallback")

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
    done = subprocess.run([tool, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def parse_imports(private_headers: str) -> dict[str, set[str]]:
    """DLL name (lower case) -> imported names, from GNU or LLVM `objdump -p` output."""
    imports: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in private_headers.splitlines():
        dll = re.match(r"^\s*DLL Name:\s*(\S+)", line)
        if dll:
            current = imports.setdefault(dll.group(1).lower(), set())
            continue
        if current is None:
            continue
        if not line.strip():
            current = None
            continue
        # GNU:  "\t60f8\t    4  KsPinHandshake"   LLVM: "           4  KsPinHandshake"
        entry = re.match(r"^\s*(?:[0-9a-fA-F]+\s+)?\d+\s+(\S+)\s*$", line)
        if entry:
            current.add(entry.group(1))
        elif re.match(r"^\s*(?:[0-9a-fA-F]+\s+)?<none>\s+([0-9a-fA-F]+)", line):
            current.add("#ordinal")
    return imports


def data_directory(private_headers: str, index: int) -> tuple[int, int] | None:
    pattern = re.compile(rf"^\s*Entry {index:x}\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s")
    for line in private_headers.splitlines():
        found = pattern.match(line)
        if found:
            return int(found.group(1), 16), int(found.group(2), 16)
    return None


@dataclass
class Section:
    name: str
    virtual_size: int
    raw_size: int
    raw_pointer: int
    characteristics: int


class PeFile:
    """The few raw PE facts objdump does not print uniformly (both flavours)."""

    def __init__(self, data: bytes) -> None:
        if data[:2] != b"MZ":
            raise ValueError("not an MZ/PE file")
        self.data = data
        self.pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[self.pe:self.pe + 4] != b"PE\0\0":
            raise ValueError("no PE signature")
        coff = self.pe + 4
        self.machine, self.section_count = struct.unpack_from("<HH", data, coff)
        self.symbol_table, self.symbol_count = struct.unpack_from("<II", data, coff + 8)
        optional_size, self.characteristics = struct.unpack_from("<HH", data, coff + 16)
        self.optional = coff + 20
        self.magic = struct.unpack_from("<H", data, self.optional)[0]
        self.checksum_offset = self.optional + 64
        self.checksum = struct.unpack_from("<I", data, self.checksum_offset)[0]
        self.sections = []
        table = self.optional + optional_size
        for i in range(self.section_count):
            at = table + 40 * i
            raw_name = data[at:at + 8].rstrip(b"\0")
            name = raw_name.decode("ascii", "replace")
            if name.startswith("/") and name[1:].isdigit() and self.symbol_table:
                # Long names live in the COFF string table after the symbols.
                strings = self.symbol_table + 18 * self.symbol_count
                start = strings + int(name[1:])
                name = data[start:data.index(b"\0", start)].decode("ascii", "replace")
            virtual_size, _, raw_size, raw_pointer = struct.unpack_from("<IIII", data, at + 8)
            characteristics = struct.unpack_from("<I", data, at + 36)[0]
            self.sections.append(Section(name, virtual_size, raw_size, raw_pointer, characteristics))

    def computed_checksum(self) -> int:
        data = self.data + (b"\0" if len(self.data) % 2 else b"")
        total = 0
        for (word,) in struct.iter_unpack("<H", data):
            total += word
        # The stored checksum's two words do not take part.
        stored_low, stored_high = struct.unpack_from("<HH", self.data, self.checksum_offset)
        total -= stored_low + stored_high
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        return total + len(self.data)


def symbols(symbol_dump: str) -> list[tuple[int, int, str]]:
    """(section number, value, name) of every COFF symbol in `objdump -t` output (GNU and LLVM
    print the same layout: "[ 5](sec  1)(fl 0x00)(ty 20)(scl 2) (nx 0) 0x00d0 name")."""
    found = []
    for line in symbol_dump.splitlines():
        entry = re.match(r"^\[\s*\d+\]\(sec\s+(-?\d+)\).*\s0x([0-9a-fA-F]+)\s+(\S+)\s*$", line)
        if entry:
            found.append((int(entry.group(1)), int(entry.group(2), 16), entry.group(3)))
    return found


def ctor_list_entries(pe: PeFile, symbol_dump: str) -> int | None:
    """Entries in GNU ld's __CTOR_LIST__ (-1, entries..., 0), or None when there is none.

    objdump -t prints a PE symbol's value relative to its section, so the list is read from
    the file at that section's raw data plus the value.
    """
    width = 8 if pe.magic == 0x20B else 4
    for section_no, value, name in symbols(symbol_dump):
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
    `callback@PAU_KSPIN@@`, which also works where the demangler gives up)."""
    listing = run(objdump, "-d", "-C", "--no-show-raw-insn", str(image))
    in_function = False
    function = ""
    seen: list[str] = []
    for line in listing.splitlines():
        label = re.match(r"^([0-9a-fA-F]+) <(.*)>:\s*$", line)
        if label:
            in_function = name in label.group(2) or name in mangled.get(label.group(1), "")
            if in_function:
                function = label.group(2)
            continue
        if in_function:
            ret = re.search(r"\bret[lq]?\b\s*(\$?0x[0-9a-fA-F]+|\d+)?", line)
            if ret:
                operand = ret.group(1)
                seen.append(operand.lstrip("$") if operand else "0")
    if not seen:
        report.fail(f"no function named like '{name}' with a ret instruction was found "
                    f"(cannot check its calling convention)")
        return
    wrong = [operand for operand in seen if int(operand, 0) != pops]
    if wrong:
        report.fail(f"{function} returns with 'ret {wrong[0]}' but the platform calls it "
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


def check_object(objdump: str, obj: Path, report: Report) -> None:
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


def check(image: Path, objdump: str, required: list[str], callee_pops: list[str],
          link_map: Path | None, rtd: bool, machine: str | None = None,
          objects: list[Path] | None = None) -> int:
    report = Report(image)
    pe = PeFile(image.read_bytes())
    headers = run(objdump, "-p", str(image))

    if machine is not None:
        want_machine, want_magic = MACHINES[machine]
        if pe.machine != want_machine:
            report.fail(f"machine type is 0x{pe.machine:04x}, not 0x{want_machine:04x} ({machine})")
        if pe.magic != want_magic:
            report.fail(f"optional header magic is 0x{pe.magic:x}, not 0x{want_magic:x} for "
                        f"{machine}")
    for obj in objects or []:
        check_object(objdump, obj, report)

    subsystem = re.search(r"^\s*Subsystem\s+([0-9a-fA-F]+)", headers, re.MULTILINE)
    if not subsystem:
        report.fail("objdump printed no Subsystem line (not a PE image?)")
    elif int(subsystem.group(1), 16) != 1:
        report.fail(f"subsystem is {int(subsystem.group(1), 16)}, not 1 (native): link with "
                    f"-Wl,--subsystem,native")

    imports = parse_imports(headers)
    for dll, names in sorted(imports.items()):
        if dll not in ALLOWED_DLLS:
            shown = ", ".join(sorted(names)[:6]) + (" ..." if len(names) > 6 else "")
            report.fail(f"imports from {dll} ({shown}): a driver may import only from "
                        f"{', '.join(ALLOWED_DLLS)}")
    for requirement in required:
        dll, _, name = requirement.partition("!")
        if name not in imports.get(dll.lower(), set()):
            report.fail(f"{name} is not imported from {dll}")

    tls = data_directory(headers, 9)
    if tls is None:
        report.fail("objdump printed no data directory entry 9 (TLS)")
    elif tls != (0, 0):
        report.fail(f"has a TLS directory (rva 0x{tls[0]:x}, size 0x{tls[1]:x}): drivers get "
                    f"no implicit thread-local storage; remove thread_local/__declspec(thread)")
    if pe.characteristics & 0x0001:
        report.fail("relocations are stripped (IMAGE_FILE_RELOCS_STRIPPED): the kernel relocates "
                    "every driver (link with --dynamicbase, do not strip .reloc)")

    for section in pe.sections:
        name, size, characteristics = section.name, section.virtual_size, section.characteristics
        if name == ".tls" or name.startswith(".tls$"):
            report.fail(f"has a {name} section (thread-local data)")
        if any(name == s or name.startswith(s + "$") or name.startswith(s + ".")
               for s in INITIALISER_SECTIONS) and size:
            report.fail(f"has a {name} section ({size} bytes): a static-initialiser table that "
                        f"nothing runs in a driver")
        if characteristics & 0x20000000 and characteristics & 0x80000000:
            report.fail(f"section {name} is both writable and executable: HVCI refuses to load it")

    if pe.symbol_count == 0:
        report.fail("has no COFF symbol table, so static initialisers cannot be ruled out: "
                    "check the image before stripping it")
    else:
        symbol_dump = run(objdump, "-t", str(image))
        names = [name for _, _, name in symbols(symbol_dump)]
        initialisers = sorted({n for n in names if INITIALISER_SYMBOL.match(n)})
        if initialisers:
            report.fail(f"has dynamic initialiser(s) {', '.join(initialisers)}: a namespace-scope "
                        f"object is not constant-initialised, and without a CRT its constructor "
                        f"never runs (make it constexpr/constinit)")
        guards = sorted({n for n in names if GUARD_VARIABLE.match(n)})
        if guards:
            report.fail(f"has guard variable(s) {', '.join(guards)}: a function-local static with "
                        f"a dynamic initialiser (not thread-safe with -fno-threadsafe-statics)")
        entries = ctor_list_entries(pe, symbol_dump)
        if entries:
            report.fail(f"__CTOR_LIST__ holds {entries} static constructor(s): nothing runs them "
                        f"in a driver")

    if pe.checksum == 0:
        report.fail("PE checksum is 0: the loader verifies it for drivers (GNU ld sets it; "
                    "lld needs -Wl,-Xlink=-release)")
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
    parser.add_argument("--require-import", action="append", metavar="DLL!FUNC",
                        help=f"default: {' '.join(DEFAULT_REQUIRED)}")
    parser.add_argument("--callee-pops", action="append", default=[], metavar="NAME=BYTES")
    parser.add_argument("--link-map", type=Path)
    parser.add_argument("--rtd", action="store_true")
    parser.add_argument("--machine", choices=sorted(MACHINES))
    parser.add_argument("--object", action="append", default=[], type=Path,
                        help="an object file linked into the image (initialiser/TLS rules)")
    args = parser.parse_args()

    objdump = args.objdump or shutil.which("llvm-objdump-19") or shutil.which("objdump")
    if not objdump:
        print("check_image: no objdump found (pass --objdump)", file=sys.stderr)
        return 2
    if not args.image.is_file():
        print(f"check_image: {args.image}: no such file", file=sys.stderr)
        return 2
    try:
        return check(args.image, objdump, args.require_import or list(DEFAULT_REQUIRED),
                     args.callee_pops, args.link_map, args.rtd, args.machine, args.object)
    except (RuntimeError, ValueError, struct.error) as error:
        print(f"check_image: {args.image}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
