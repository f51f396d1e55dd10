#!/usr/bin/env python3
"""Makes a Windows import library (ks.sys, ntoskrnl.exe ...) from a kshake .def file.

    make_import_libs.py --arch x86|x86-rtd|x64|arm64 [--def FILE.def] [--dlltool TOOL] -o OUT
    make_import_libs.py --write-def x64|arm64 [--def FILE.def] -o OUT.def

The .def files kshake ships list each export with its x86 __stdcall decoration (Name@bytes), as
examples/avstream_driver/ks.def does (installed as <prefix>/share/kshake/ks-x86.def, next to
this script, which uses it when no --def is given). What each target needs from it:

  --arch x86      MSVC ABI (WDK /Gz, clang-cl /Gz) and mingw-w64 without -mrtd: the decorated
                  names with dlltool -k (--kill-at), so the DLL is asked for the plain name:
                      llvm-dlltool-19 -m i386 -k -d ks.def -l ks.lib
  --arch x86-rtd  mingw-w64 g++ with -mrtd (docs/toolchains.md): GCC references stdcall imports
                  undecorated, so those names are stripped of @n (fastcall names, @Name@n, keep
                  theirs, as GCC does) and dlltool -k asks the DLL for the plain name:
                      llvm-dlltool-19 -m i386 -k -d ks-undecorated.def -l libks.a
                  For ntoskrnl.exe and hal.dll, give --def a .def of the functions the driver
                  imports, x86-decorated (mingw's libntoskrnl.a cannot serve an -mrtd object).
  --arch x64      names stripped of @n (x64 has one calling convention and no decoration):
                      llvm-dlltool-19 -m i386:x86-64 -d ks-x64.def -l ks.lib
  --arch arm64    the same names as x64:
                      llvm-dlltool-19 -m arm64 -d ks-arm64.def -l ks.lib

The output is an import library usable by lld-link (ks.lib), GNU ld and ld.lld (libks.a): the
format is the same, only the name differs by convention. --dlltool defaults to llvm-dlltool-19
(Debian: llvm-19), llvm-dlltool, or the mingw-w64 dlltool for the architecture. The command
run is printed. --write-def only writes the undecorated .def (used by kshake's Meson and CMake
installs to make ks-x64.def and ks-arm64.def; both make the same bytes).

Needs only Python 3's standard library. Exit status 0 on success, 1 when dlltool fails, 2 for a
usage error or a missing tool.
"""

from __future__ import annotations

import argparse
import re
import shutil
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


def find_dlltool(arch: str, given: str | None) -> str:
    candidates = [given] if given else ["llvm-dlltool-19", "llvm-dlltool",
                                        MINGW_DLLTOOL.get(arch, "")]
    for tool in candidates:
        if tool and shutil.which(tool):
            return shutil.which(tool) or tool
    raise FileNotFoundError(f"no dlltool found (tried {', '.join(c for c in candidates if c)}; "
                            "Debian: llvm-19 or binutils-mingw-w64)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--arch", choices=sorted(MACHINES), help="make an import library")
    mode.add_argument("--write-def", choices=("x64", "arm64"), help="only write the .def")
    parser.add_argument("--def", dest="def_file", type=Path,
                        help="the x86-decorated .def (default: ks-x86.def next to this script)")
    parser.add_argument("--dlltool", help="the dlltool to run (default: llvm-dlltool-19, ...)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    def_file = args.def_file or next((d for d in DEFAULT_DEFS if d.exists()), None)
    if def_file is None or not def_file.exists():
        print(f"make_import_libs: no .def file ({def_file or DEFAULT_DEFS[0]}); pass --def",
              file=sys.stderr)
        return 2
    try:
        dll, names = read_def(def_file)
    except (OSError, ValueError) as error:
        print(f"make_import_libs: {error}", file=sys.stderr)
        return 2

    if args.write_def:
        args.output.write_text(def_text(dll, undecorated(names), args.write_def))
        return 0

    try:
        dlltool = find_dlltool(args.arch, args.dlltool)
    except FileNotFoundError as error:
        print(f"make_import_libs: {error}", file=sys.stderr)
        return 2
    command = [dlltool, "-m", MACHINES[args.arch]]
    with tempfile.TemporaryDirectory() as tmp:
        if args.arch.startswith("x86"):
            command.append("-k")
        if args.arch == "x86":
            source = def_file
        else:
            source = Path(tmp) / f"{Path(dll).stem}-{args.arch}.def"
            source.write_text(def_text(dll, undecorated(names), args.arch))
        command += ["-d", str(source), "-l", str(args.output)]
        print("+", " ".join(command), flush=True)
        done = subprocess.run(command)
    if done.returncode != 0:
        print(f"make_import_libs: dlltool failed (exit {done.returncode})", file=sys.stderr)
        return 1
    print(f"make_import_libs: {args.output}: import library for {dll} ({args.arch}, "
          f"{len(names)} exports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
