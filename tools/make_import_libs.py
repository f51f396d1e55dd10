#!/usr/bin/env python3
"""Makes a Windows import library (ks.sys, ntoskrnl.exe ...) for the linker that will use it.

    make_import_libs.py --arch x86|x86-rtd|x64|arm64 --linker gnu-ld|lld|lld-link
                        [--def FILE.def | --from-library LIB.a --imports-of OBJ...]
                        [--dlltool TOOL] -o OUT
    make_import_libs.py --write-def x64|arm64 [--def FILE.def] -o OUT.def

--linker names what links the driver, because the two dlltools write different import libraries
and not every linker reads both correctly (measured with Debian 12's tools: GNU ld 2.40,
ld.lld-19, lld-link-19; docs/toolchains.md):

  gnu-ld    x86_64-w64-mingw32-g++ / i686-w64-mingw32-g++ (GNU ld). Runs the mingw-w64 GNU
            dlltool of the architecture. llvm-dlltool's library is REFUSED: GNU ld 2.40 links
            it without a word and the image imports nothing from the DLL (its import directory
            names ks.sys with no function, while the code calls through a slot the loader never
            fills). No GNU ld links ARM64 images here.
  lld       clang++ --target=*-w64-mingw32 -fuse-ld=lld (ld.lld). Runs llvm-dlltool; a GNU
            dlltool's library works too.
  lld-link  clang-cl + lld-link (MSVC ABI). Runs llvm-dlltool, whose library has the format
            Microsoft's own tools write. A GNU dlltool's library works on x64 and is refused on
            x86, where lld-link rejects its members under /SAFESEH.

With the WDK and link.exe, link the WDK's ks.lib, ntoskrnl.lib and hal.lib instead.

After dlltool has run, the library's format is checked against --linker (whatever --dlltool
named), and a mismatch is refused with the reason, the library deleted.

Where the names come from:

  --def FILE.def  a .def whose names carry the x86 __stdcall decoration (Name@bytes), as kshake's
                  examples/avstream_driver/ks.def does. Default: ks-x86.def next to this script
                  (installed as <prefix>/share/kshake/ks-x86.def), or the sample's in kshake's
                  source tree.
  --from-library LIB.a --imports-of OBJ (repeatable)
                  the functions the object files import that a mingw-w64 import library
                  exports, from the DLL it names: e.g. --from-library
                  /usr/i686-w64-mingw32/lib/libntoskrnl.a --imports-of driver.o. For the builds
                  that cannot use mingw-w64's own libntoskrnl.a/libhal.a as they are: -mrtd
                  objects (below) and clang-cl x86 objects linked by lld-link (lld-link refuses
                  GNU dlltool's members under /SAFESEH).

What each --arch does with the names:

  x86      MSVC ABI (WDK /Gz, clang-cl /Gz) and mingw-w64 without -mrtd: the decorated names
           with dlltool -k (--kill-at), so the DLL is asked for the plain name:
               llvm-dlltool-19 -m i386 -k -d ks-x86.def -l ks.lib
  x86-rtd  mingw-w64 g++ with -mrtd (docs/toolchains.md): GCC references stdcall imports
           undecorated, so those names are stripped of @n (fastcall names, @Name@n, keep
           theirs, as GCC does); -k as for x86:
               i686-w64-mingw32-dlltool -m i386 -k -d ks-undecorated.def -l libks.a
           mingw-w64's libntoskrnl.a and libhal.a are decorated and cannot serve an -mrtd
           object: make their libraries with --from-library and --imports-of.
  x64      names stripped of @n (x64 has one calling convention and no decoration):
               x86_64-w64-mingw32-dlltool -m i386:x86-64 -d ks-x64.def -l libks.a
  arm64    the same names as x64 (lld and lld-link only):
               llvm-dlltool-19 -m arm64 -d ks-arm64.def -l ks.lib

The output is named as the linker's convention has it (libks.a for gnu-ld and lld, ks.lib for
lld-link), but any name works. --dlltool overrides the tool; the command run is printed.
--write-def only writes the undecorated .def (kshake's Meson and CMake installs make
ks-x64.def and ks-arm64.def with it; both make the same bytes).

Needs only Python 3's standard library and a dlltool. Exit status 0 on success, 1 when dlltool
fails, 2 for a usage error, a missing tool or a library the linker would mislink.
"""

from __future__ import annotations

import argparse
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Installed: share/kshake/ks-x86.def next to this script. In kshake's source tree: the sample's.
DEFAULT_DEFS = (HERE / "ks-x86.def", HERE.parent / "examples" / "avstream_driver" / "ks.def")
MACHINES = {"x86": "i386", "x86-rtd": "i386", "x64": "i386:x86-64", "arm64": "arm64"}
MINGW_DLLTOOL = {"x86": "i686-w64-mingw32-dlltool", "x86-rtd": "i686-w64-mingw32-dlltool",
                 "x64": "x86_64-w64-mingw32-dlltool"}
LLVM_DLLTOOL = ("llvm-dlltool-19", "llvm-dlltool")
LINKERS = ("gnu-ld", "lld", "lld-link")
# The import-library format each linker reads correctly: "gnu" (one COFF object per function,
# as GNU dlltool writes) or "short" (short import objects, as llvm-dlltool and lib.exe write).
ACCEPTED_FORMATS = {"gnu-ld": {"gnu", "empty"}, "lld": {"gnu", "short", "empty"},
                    "lld-link": {"short", "empty"}}
REFUSAL = {
    ("gnu-ld", "short"): "GNU ld (2.40, Debian 12) links a library of short import objects "
                         "(llvm-dlltool's) without an error, and the image then imports nothing "
                         "from the DLL. Use the mingw-w64 GNU dlltool (--dlltool {gnu}, Debian: "
                         "binutils-mingw-w64), or link with lld (--linker lld)",
    ("lld-link", "gnu"): "lld-link-19 rejects an x86 GNU dlltool library's members under "
                         "/SAFESEH, the default for x86 images (\"is not compatible with SEH\"; "
                         "on x64 it links them). Use llvm-dlltool-19 (Debian: llvm-19), whose "
                         "library has the format of Microsoft's tools (short import objects)",
}
SHORT_IMPORT = b"\x00\x00\xff\xff"


class Refused(Exception):
    pass


def read_def(path: Path) -> tuple[str, list[str]]:
    """(DLL name from the LIBRARY line, export lines) of a .def file; comments dropped."""
    dll, names = "", []
    for line in path.read_text().splitlines():
        line = line.split(";")[0].strip()
        if not line or line.upper() == "EXPORTS":
            continue
        if line.upper().startswith("LIBRARY"):
            dll = line.split(None, 1)[1].strip() if len(line.split(None, 1)) > 1 else ""
            continue
        names.append(line)
    if not dll:
        raise ValueError(f"{path}: no LIBRARY line")
    return dll, names


def undecorated(names: list[str]) -> list[str]:
    """Name@12 -> Name. fastcall names (@Name@4) keep their decoration, as compilers keep it."""
    return [n if n.startswith("@") else re.sub(r"@\d+(?=$|\s)", "", n) for n in names]


def def_text(dll: str, names: list[str], arch: str) -> str:
    # Kept byte-identical to what kshake's CMakeLists.txt writes (tests/consumers compares them).
    return (f"; {dll} exports for {arch}: ks-x86.def's names without the x86 @n decoration\n"
            f"LIBRARY {dll}\nEXPORTS\n" + "".join(f"{n}\n" for n in names))


# --- archives and COFF objects (the little of each this script reads) -----------------------

def archive_members(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of each member of a System V/GNU ar archive, the "/" symbol index as "/"."""
    data = path.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise ValueError(f"{path}: not an ar archive")
    members, offset, long_names = [], 8, b""
    while offset + 60 <= len(data):
        header = data[offset:offset + 60]
        name = header[:16].decode("ascii", "replace").rstrip()
        size = int(header[48:58].decode("ascii").strip() or 0)
        body = data[offset + 60:offset + 60 + size]
        if name == "//":
            long_names = body
        elif name.startswith("/") and name[1:].isdigit():
            start = int(name[1:])
            name = long_names[start:long_names.index(b"\n", start)].decode().rstrip("/")
        else:
            name = name if name == "/" else name.rstrip("/")
        members.append((name, body))
        offset += 60 + size + (size & 1)
    return members


def archive_format(path: Path) -> str:
    """"short" if the import library holds short import objects (llvm-dlltool, lib.exe), "gnu"
    if it holds a COFF object per function (GNU dlltool), "empty" if it imports nothing (then
    no linker pulls a member of it, whoever wrote it)."""
    members = archive_members(path)
    if any(body.startswith(SHORT_IMPORT) and body[4:6] == b"\x00\x00"
           for name, body in members if name not in ("/", "//")):
        return "short"
    index = next((body for name, body in members if name == "/"), b"")
    return "gnu" if b"__imp_" in index else "empty"


def coff_sections(obj: bytes) -> list[tuple[str, bytes]]:
    """(name, raw data) of each section of a COFF object (plain or /bigobj)."""
    if obj.startswith(SHORT_IMPORT) and struct.unpack_from("<H", obj, 4)[0] >= 2:
        count, = struct.unpack_from("<I", obj, 44)
        table, optional = 56, 0
    else:
        count, = struct.unpack_from("<H", obj, 2)
        optional, = struct.unpack_from("<H", obj, 16)
        table = 20 + optional
    sections = []
    for index in range(count):
        at = table + 40 * index
        name = obj[at:at + 8].rstrip(b"\0").decode("ascii", "replace")
        size, pointer = struct.unpack_from("<II", obj, at + 16)
        sections.append((name, obj[pointer:pointer + size] if pointer else b""))
    return sections


def coff_undefined(obj: bytes, path: Path) -> set[str]:
    """External symbols an object file references and does not define."""
    if obj.startswith(SHORT_IMPORT) and struct.unpack_from("<H", obj, 4)[0] >= 2:
        symbols_at, count = struct.unpack_from("<II", obj, 48)
        record, section_format = 20, "<i"
    elif struct.unpack_from("<H", obj, 0)[0] in (0x14C, 0x8664, 0xAA64, 0x1C4):
        symbols_at, count = struct.unpack_from("<II", obj, 8)
        record, section_format = 18, "<h"
    else:
        raise ValueError(f"{path}: not a COFF object file (x86, x64 or ARM64)")
    strings = symbols_at + record * count
    found, index = set(), 0
    while index < count:
        at = symbols_at + record * index
        raw = obj[at:at + 8]
        if raw[:4] == b"\0\0\0\0":
            start = strings + struct.unpack_from("<I", raw, 4)[0]
            name = obj[start:obj.index(b"\0", start)].decode("ascii", "replace")
        else:
            name = raw.rstrip(b"\0").decode("ascii", "replace")
        value, = struct.unpack_from("<I", obj, at + 8)
        section, = struct.unpack_from(section_format, obj, at + 12)
        storage, aux = obj[at + record - 2], obj[at + record - 1]
        if section == 0 and storage == 2 and value == 0:  # IMAGE_SYM_CLASS_EXTERNAL, not common
            found.add(name)
        index += 1 + aux
    return found


def library_exports(path: Path) -> tuple[str, dict[str, bool]]:
    """(DLL name, {exported symbol as an object references it, without __imp_: is a function})
    of an import library, from its symbol index: a function has a thunk (X) beside its import
    slot (__imp_X), a data export only the slot."""
    members = archive_members(path)
    index = next((body for name, body in members if name == "/"), None)
    if index is None:
        raise ValueError(f"{path}: no symbol index (run ranlib on it)")
    count, = struct.unpack_from(">I", index, 0)
    names = index[4 + 4 * count:].split(b"\0")[:count]
    symbols = {n.decode("ascii", "replace") for n in names}
    exports = {s[len("__imp_"):]: s[len("__imp_"):] in symbols
               for s in symbols if s.startswith("__imp_")}
    dll = ""
    for name, body in members:
        if body.startswith(SHORT_IMPORT) and body[4:6] == b"\x00\x00":
            dll = body[20:].split(b"\0")[1].decode("ascii", "replace")  # symbol\0dll\0
            break
        if name not in ("/", "//") and body[:2] in (b"\x4c\x01", b"\x64\x86", b"\x64\xaa"):
            text = dict(coff_sections(body)).get(".idata$7", b"").split(b"\0")[0]
            if text.endswith((b".dll", b".exe", b".sys", b".DLL", b".EXE", b".SYS")):
                dll = text.decode("ascii", "replace")
                break
    if not exports or not dll:
        raise ValueError(f"{path}: not an import library (no __imp_ symbols or no DLL name)")
    return dll, exports


def imported_names(library: Path, objects: list[Path], arch: str) -> tuple[str, list[str]]:
    """(DLL, .def export lines) for what the objects import from the library's DLL, in the
    x86-decorated form read_def gives (Name@n, @Name@n, Name), DATA where it is data."""
    dll, exports = library_exports(library)
    wanted = set()
    for obj in objects:
        for symbol in coff_undefined(obj.read_bytes(), obj):
            wanted.add(symbol[len("__imp_"):] if symbol.startswith("__imp_") else symbol)
    x86 = arch.startswith("x86")
    lines = []
    for symbol, is_function in sorted(exports.items()):
        # -mrtd objects name a stdcall import without @n; fastcall (@Name@n) keeps it.
        as_referenced = (re.sub(r"@\d+$", "", symbol)
                         if arch == "x86-rtd" and not symbol.startswith("@") else symbol)
        if as_referenced not in wanted:
            continue
        # x86 C symbols carry a leading underscore that the .def name does not.
        name = symbol[1:] if x86 and symbol.startswith("_") else symbol
        lines.append(name + ("" if is_function else " DATA"))
    return dll, lines


# --- the tool ---------------------------------------------------------------------------------

def find_dlltool(arch: str, linker: str, given: str | None) -> str:
    if given:
        candidates = [given]
    elif linker == "gnu-ld":
        if arch not in MINGW_DLLTOOL:
            raise Refused(f"no GNU ld links {arch} images here (Debian 12 has no aarch64 "
                          "mingw-w64 binutils): link with lld (--linker lld or lld-link)")
        candidates = [MINGW_DLLTOOL[arch]]
    else:
        candidates = list(LLVM_DLLTOOL) + ([MINGW_DLLTOOL[arch]] if linker == "lld"
                                           and arch in MINGW_DLLTOOL else [])
    for tool in candidates:
        if shutil.which(tool):
            return shutil.which(tool) or tool
    raise FileNotFoundError(f"no dlltool found for --linker {linker} (tried "
                            f"{', '.join(candidates)}; Debian: "
                            f"{'binutils-mingw-w64' if linker == 'gnu-ld' else 'llvm-19'})")


def check_format(library: Path, arch: str, linker: str) -> None:
    kind = archive_format(library)
    # lld-link links GNU dlltool's members except on x86, where /SAFESEH refuses them.
    accepted = ACCEPTED_FORMATS[linker] | (
        {"gnu"} if linker == "lld-link" and not arch.startswith("x86") else set())
    if kind not in accepted:
        library.unlink(missing_ok=True)
        reason = REFUSAL[(linker, kind)].format(gnu=MINGW_DLLTOOL.get(arch, "<triplet>-dlltool"))
        raise Refused(f"{library} was not kept: {reason}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--arch", choices=sorted(MACHINES), help="make an import library")
    mode.add_argument("--write-def", choices=("x64", "arm64"), help="only write the .def")
    parser.add_argument("--linker", choices=LINKERS,
                        help="what links the driver (required with --arch): gnu-ld (mingw-w64 "
                             "g++), lld (ld.lld, clang -fuse-ld=lld), lld-link (clang-cl)")
    parser.add_argument("--def", dest="def_file", type=Path,
                        help="the x86-decorated .def (default: ks-x86.def next to this script)")
    parser.add_argument("--from-library", type=Path, metavar="LIB.a",
                        help="take the names from this mingw-w64 import library, keeping those "
                             "the --imports-of objects import")
    parser.add_argument("--imports-of", action="append", default=[], type=Path, metavar="OBJ",
                        help="an object file whose imports --from-library selects (repeatable)")
    parser.add_argument("--dlltool", help="the dlltool to run (default: the one --linker reads)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.arch and not args.linker:
        parser.error("--arch needs --linker gnu-ld|lld|lld-link: the two dlltools' libraries "
                     "are not read alike by every linker (GNU ld mislinks llvm-dlltool's)")
    if bool(args.from_library) != bool(args.imports_of):
        parser.error("--from-library and --imports-of go together")
    if args.from_library and (args.def_file or args.write_def):
        parser.error("--from-library replaces --def and does not go with --write-def")

    try:
        if args.from_library:
            dll, names = imported_names(args.from_library, args.imports_of, args.arch)
        else:
            def_file = args.def_file or next((d for d in DEFAULT_DEFS if d.exists()), None)
            if def_file is None or not def_file.exists():
                print(f"make_import_libs: no .def file ({def_file or DEFAULT_DEFS[0]}); pass --def",
                      file=sys.stderr)
                return 2
            dll, names = read_def(def_file)
    except (OSError, ValueError, struct.error) as error:
        print(f"make_import_libs: {error}", file=sys.stderr)
        return 2

    if args.write_def:
        args.output.write_text(def_text(dll, undecorated(names), args.write_def))
        return 0

    try:
        dlltool = find_dlltool(args.arch, args.linker, args.dlltool)
    except (FileNotFoundError, Refused) as error:
        print(f"make_import_libs: {error}", file=sys.stderr)
        return 2
    command = [dlltool, "-m", MACHINES[args.arch]]
    with tempfile.TemporaryDirectory() as tmp:
        if args.arch.startswith("x86"):
            command.append("-k")
        source = Path(tmp) / f"{Path(dll).stem}-{args.arch}.def"
        kept = names if args.arch == "x86" else undecorated(names)
        source.write_text(def_text(dll, kept, args.arch))
        command += ["-d", str(source), "-l", str(args.output)]
        print("+", " ".join(command), flush=True)
        done = subprocess.run(command)
    if done.returncode != 0:
        print(f"make_import_libs: dlltool failed (exit {done.returncode})", file=sys.stderr)
        return 1
    try:
        check_format(args.output, args.arch, args.linker)
    except Refused as error:
        print(f"make_import_libs: {error}", file=sys.stderr)
        return 2
    what = ", ".join(undecorated(names)) if args.from_library else f"{len(names)} exports"
    print(f"make_import_libs: {args.output}: import library for {dll} ({args.arch}, "
          f"{args.linker}; {what or 'nothing: the objects import nothing from it'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
