#!/usr/bin/env python3
"""Cross-builds one kernel-mode C++20 translation unit into a .sys and checks the image.

    build_driver.py --toolchain TOOLCHAIN --source FILE.cpp --out DIR --ks-def ks.def
                    -I include [--opt O2|Od] [options]

TOOLCHAIN is one of
  gcc-x86_64, gcc-i686, clang-x86_64   mingw-w64 (GNU ABI), against Debian's mingw-w64 DDK headers;
  clang-cl-x64, clang-cl-x86, clang-cl-arm64
                                       MSVC ABI: clang-cl-19 /kernel with no standard include
                                       path (/X), against the test-only WDK stand-ins in
                                       tests/kernel/wdk/, linked by lld-link-19 /DRIVER;
  clang-cl-x64-ddk, clang-cl-x86-ddk   the same MSVC ABI against Debian's mingw-w64 DDK headers
                                       (/external:I) and mingw-w64's ntoskrnl.exe/hal.dll
                                       export lists: headers nobody in this project wrote.

With --gs (MSVC ABI) the translation unit is built with /GS, as a default WDK project builds it,
and linked with tests/kernel/wdk/gs_support.c (a test-only stand-in for the WDK's GS support
library) and the entry point GsDriverEntry, which sets the cookie and then calls DriverEntry.

Meson's one native C++ compiler cannot build a Windows driver, so `meson test` runs this
script once per toolchain. It compiles with warnings as errors, checks which files the
preprocessor opened (the include-graph check, include_graph.py: only kshake's headers,
<gsl/assert>, the platform headers and compiler intrinsics), links with no CRT and no C++
runtime, then runs check_image.py on the result. With --stack-budget BYTES it also compiles
with -fstack-usage (clang-cl: /clang:-fstack-usage) and checks with stack_usage.py that the
frames of the translation unit sum to at most BYTES.

Exit status: 0 pass; 1 fail (compile, include graph, link, image or stack check; or, with
--expect-failure, a build the checks accepted or rejected for another reason); 77 (Meson's
"skipped") when a tool or header is missing, printing "skipped: <package> not installed". With
--require-tools a missing tool is a failure instead (meson -Dkernel_tests=enabled).

The flags are documented in docs/toolchains.md; keep the two in step.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent / "tools"))
import include_graph  # noqa: E402  (next to this script)
from make_import_libs import read_def, undecorated  # noqa: E402  (kshake's installed tool)

SKIP = 77
# The test-only stand-ins for the WDK's km\crt, km and shared folders (tests/kernel/wdk/README.md)
# and the .def files of the ntoskrnl.exe and hal.dll exports the MSVC-ABI images may import.
WDK = HERE / "wdk"

COMMON_CXXFLAGS = [
    "-std=c++20", "-O2",
    "-fno-exceptions", "-fno-rtti", "-fno-threadsafe-statics",
    "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wsign-conversion", "-Wshadow", "-Werror",
    # What the WDK's /kernel defines; kshake's config.hpp turns it into KSHAKE_KERNEL_MODE=1.
    "-D_KERNEL_MODE=1",
    # mingw-w64 10's wdm.h and its intrin.h both define these two in C++.
    "-D__INTRINSIC_DEFINED_InterlockedBitTestAndSet",
    "-D__INTRINSIC_DEFINED_InterlockedBitTestAndReset",
]

TOOLCHAINS = {
    "gcc-x86_64": {
        "triplet": "x86_64-w64-mingw32",
        "cxx": ("x86_64-w64-mingw32-g++", "g++-mingw-w64-x86-64-win32"),
        "dlltool": ("x86_64-w64-mingw32-dlltool", "binutils-mingw-w64-x86-64"),
        "objdump": ("x86_64-w64-mingw32-objdump", "binutils-mingw-w64-x86-64"),
        "dev": "mingw-w64-x86-64-dev",
        "cxxflags": [],
        "ldflags": ["-Wl,--entry,DriverEntry"],
        "machine": "i386:x86-64",
    },
    "gcc-i686": {
        "triplet": "i686-w64-mingw32",
        "cxx": ("i686-w64-mingw32-g++", "g++-mingw-w64-i686-win32"),
        "dlltool": ("i686-w64-mingw32-dlltool", "binutils-mingw-w64-i686"),
        "objdump": ("i686-w64-mingw32-objdump", "binutils-mingw-w64-i686"),
        "nm": ("i686-w64-mingw32-nm", "binutils-mingw-w64-i686"),
        "dev": "mingw-w64-i686-dev",
        # -mrtd: __stdcall by default, as the WDK's /Gz, so every ks.h callback type without an
        # explicit convention (PFNKSPINHANDSHAKE, KSPIN_DISPATCH's members) is __stdcall, as
        # ks.sys calls it. -mgeneral-regs-only: x86 kernel code may not touch x87/MMX/SSE state
        # without KeSaveExtendedProcessorState. -mstringop-strategy=rep_4byte: under -mrtd GCC
        # calls the memcpy/memset it generates (struct copies, loops it recognises) as if they
        # were __stdcall; inlining every block move avoids those calls. No DWARF unwind tables:
        # nothing reads them in a driver.
        "cxxflags": ["-mrtd", "-mgeneral-regs-only", "-mstringop-strategy=rep_4byte",
                     "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"],
        # Under -mrtd GCC emits stdcall names undecorated (_DriverEntry, not _DriverEntry@8).
        "ldflags": ["-Wl,--entry,_DriverEntry"],
        "machine": "i386",
    },
    "clang-x86_64": {
        "triplet": "x86_64-w64-mingw32",
        "cxx": ("clang++-19", "clang-19"),
        "dlltool": ("llvm-dlltool-19", "llvm-19"),
        "objdump": ("llvm-objdump-19", "llvm-19"),
        "lld": ("ld.lld-19", "lld-19"),
        "dev": "mingw-w64-x86-64-dev",
        # clang's own intrin.h also defines __cpuidex; _CLANG_DISABLE_CRT_DEPRECATION_WARNINGS
        # silences the #warning of <mm3dnow.h>, which mingw's intrin.h includes.
        "cxxflags": ["--target=x86_64-w64-mingw32",
                     "-D__INTRINSIC_DEFINED___cpuidex", "-D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS"],
        # clang's -fstack-usage leaves out the return address (stack_usage.py --return-address).
        "return_address": 8,
        # -Xlink=-release makes lld write the PE checksum the kernel loader verifies.
        "ldflags": ["--target=x86_64-w64-mingw32", "-fuse-ld=lld-19", "-Wl,-Xlink=-release",
                    "-Wl,--entry,DriverEntry"],
        "machine": "i386:x86-64",
    },
    # MSVC ABI. /kernel defines _KERNEL_MODE (kshake's config.hpp: KSHAKE_KERNEL_MODE=1) and turns
    # off exceptions and RTTI; /X drops every standard include path, as a WDK kernel project has
    # only km\crt, km and shared on its path (here: tests/kernel/wdk). x86 adds /Gz, the WDK's
    # x86 default (__stdcall), which ks.h's callback typedefs rely on.
    "clang-cl-x64": {
        "kind": "msvc",
        "target": "x86_64-pc-windows-msvc",
        "cxxflags": [],
        "return_address": 8,
        "link_machine": "X64",
        "machine": "i386:x86-64",  # llvm-dlltool -m
        "image_machine": "x64",  # check_image.py --machine
    },
    "clang-cl-x86": {
        "kind": "msvc",
        "target": "i686-pc-windows-msvc",
        "cxxflags": ["/Gz"],
        "return_address": 4,
        "link_machine": "X86",
        "machine": "i386",
        "image_machine": "x86",
    },
    "clang-cl-arm64": {
        "kind": "msvc",
        "target": "aarch64-pc-windows-msvc",
        "cxxflags": [],
        "link_machine": "ARM64",
        "machine": "arm64",
        "image_machine": "arm64",
    },
    # MSVC ABI on mingw-w64's DDK headers (MSVC_DDK_CXXFLAGS). ARM64 has no such toolchain:
    # mingw-w64 10's wdm.h has no ARM64 section ("#error Unknown Architecture", wdm.h:8376).
    "clang-cl-x64-ddk": {
        "kind": "msvc",
        "ddk": "x86_64-w64-mingw32",
        "dev": "mingw-w64-x86-64-dev",
        "target": "x86_64-pc-windows-msvc",
        "cxxflags": [],
        "return_address": 8,
        "link_machine": "X64",
        "machine": "i386:x86-64",
        "image_machine": "x64",
    },
    "clang-cl-x86-ddk": {
        "kind": "msvc",
        "ddk": "i686-w64-mingw32",
        "dev": "mingw-w64-i686-dev",
        "target": "i686-pc-windows-msvc",
        # _X86_: mingw-w64's headers test it for x86 and clang-cl does not define it (without
        # it: malloc.h's _ALLOCA_S_MARKER_SIZE is undeclared, wdm.h's fastcall declarations
        # conflict); x64 is known by _M_AMD64, which clang-cl defines.
        "cxxflags": ["/Gz", "-D_X86_=1"],
        "return_address": 4,
        "link_machine": "X86",
        "machine": "i386",
        "image_machine": "x86",
    },
}

LINK_FLAGS = ["-nostdlib", "-Wl,--subsystem,native"]

# clang-cl-19: the compile flags of every MSVC-ABI build, before the toolchain's own and the
# optimisation level. /GS-: the /GS security cookie needs the WDK's GS support library and its
# GsDriverEntry entry point; --gs builds with /GS and links the test-only stand-in for them
# (wdk/gs_support.c), as a WDK build keeps /GS on.
MSVC_CXXFLAGS = ["/kernel", "/std:c++20", "/W4", "/WX", "/X", "/GS-"]
# clang-cl-19 on mingw-w64 10's DDK headers (toolchains clang-cl-*-ddk), which are written for
# GCC. Each flag, and what dropping it does to the sample (checked with clang-cl-19):
#   __GNUC__=4            mingw's intrinsic declarations then match clang's <mmintrin.h>
#                         (without it: "cannot initialize a parameter of type ... __v2si");
#   __GNUC_MINOR__=2      mingw's version tests need both (stdlib.h: "expected ';'");
#   __INTRINSIC_DEFINED_* wdm.h and mingw's intrin.h both define the two bit-test intrinsics;
#   CDECL=                ks.h uses CDECL, which only the user-mode windef.h defines;
#   _CLANG_DISABLE_CRT_DEPRECATION_WARNINGS  clang's <mm3dnow.h>, which mingw's intrin.h
#                         includes, #warns (an error under /WX);
# and on x86 _X86_=1 (the toolchain's cxxflags), by which mingw's headers know x86. The header
# folders are passed with /external:I, after kshake's and GSL's -I: -imsvc puts them after
# clang's own headers, and clang's <intrin.h> declaration of _setjmp then conflicts.
MSVC_DDK_CXXFLAGS = ["-D__GNUC__=4", "-D__GNUC_MINOR__=2",
                     "-D__INTRINSIC_DEFINED_InterlockedBitTestAndSet",
                     "-D__INTRINSIC_DEFINED_InterlockedBitTestAndReset",
                     "-DCDECL=", "-D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS"]
# lld-link-19. /RELEASE writes the PE checksum the loader verifies for drivers. /DEBUG:SYMTAB
# keeps a COFF symbol table in the image (nothing else of /DEBUG), which check_image.py needs to
# name functions (x86 callee-pops); /DEBUG would also turn off /OPT:REF,ICF, so they are
# restated to link what a release build links.
# /SECTION:INIT,ERD: code put in INIT (#pragma alloc_text(INIT, DriverEntry)) runs once, and the
# kernel frees a discardable section after DriverEntry returns; lld-link leaves INIT as plain
# code (0x60000020). A WDK project's link line carries /SECTION:"INIT,d", but lld-link-19 reads
# /SECTION's letters as the whole set of permissions (link.exe keeps E and R unless told), so
# "INIT,d" would leave INIT neither executable nor readable: E, R and D are all spelled out.
# An image without an INIT section is not affected.
MSVC_LDFLAGS = ["/DRIVER", "/SUBSYSTEM:NATIVE", "/NODEFAULTLIB", "/RELEASE",
                "/OPT:REF", "/OPT:ICF", "/DEBUG:SYMTAB", "/SECTION:INIT,ERD"]
MSVC_TOOLS = {
    "cxx": ("clang-cl-19", "clang-tools-19"),
    "link": ("lld-link-19", "lld-19"),
    "dlltool": ("llvm-dlltool-19", "llvm-19"),
    "objdump": ("llvm-objdump-19", "llvm-19"),
    "nm": ("llvm-nm-19", "llvm-19"),
}


class Skip(Exception):
    pass


def need_tool(spec: tuple[str, str]) -> str:
    tool, package = spec
    path = shutil.which(tool)
    if not path:
        raise Skip(f"{package} not installed (no {tool})")
    return path


def need_file(path: Path, package: str) -> Path:
    if not path.exists():
        raise Skip(f"{package} not installed (no {path})")
    return path


def run(command: list[str], what: str, quiet=None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Runs a tool and echoes its output; lines for which quiet(line) is true (the include
    listing) are kept out of the echo. A failure raises RuntimeError."""
    print("+", " ".join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    for text in (done.stdout, done.stderr):
        shown = [line for line in text.splitlines() if not (quiet and quiet(line))]
        if shown:
            sys.stdout.write("\n".join(shown) + "\n")
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode})")
    # Warnings are errors for compiling; a linker warning (e.g. a stdcall fixup) is one too.
    if done.stderr.strip() and what.startswith("link"):
        raise RuntimeError(f"{what} printed warnings")
    return done


class IncludeGraphFailure(Exception):
    pass


def check_include_graph(kind: str, source: Path, listing: str, probe: list[str],
                        roots: include_graph.Roots, out: Path, cwd: Path) -> None:
    """The include-graph check (include_graph.py) of one compile: `listing` is what -H or
    /showIncludes printed; `probe` compiles an empty file with the same flags and -v, for the
    compiler's include search list. Raises IncludeGraphFailure naming each forbidden header."""
    entries = (include_graph.parse_msvc if kind == "msvc" else include_graph.parse_gnu)(listing)
    (out / f"{source.stem}.includes").write_text(
        "".join(f"{'.' * depth} {path}\n" for depth, path in entries))
    empty = out / "include_graph_probe.cpp"
    empty.write_text("")
    done = subprocess.run([*probe, str(empty)], capture_output=True, text=True, cwd=cwd)
    roots.search = include_graph.search_directories(done.stdout + done.stderr)
    if not roots.search:
        raise RuntimeError(f"no include search list from {' '.join(probe)} -v:\n{done.stderr}")
    failures = include_graph.check(source, entries, roots, cwd)
    if failures:
        raise IncludeGraphFailure("\n".join(failures))
    print(f"include-graph: {source.name}: OK ({len(entries)} files opened, listed in "
          f"{out / (source.stem + '.includes')})")


def write_def(path: Path, dll: str, names: list[str]) -> Path:
    path.write_text(f"LIBRARY {dll}\nEXPORTS\n" + "".join(f"{n}\n" for n in names))
    return path


def kernel_exports(nm: str, dlltool: str, library: Path) -> tuple[str, dict[str, str]]:
    """(DLL name, {symbol an -mrtd object references, without __imp_ -> .def line}) for a mingw
    import library such as libntoskrnl.a.

    Under -mrtd GCC references a stdcall import undecorated (__imp__KeBugCheckEx, not
    __imp__KeBugCheckEx@20), and ld's stdcall fixup does not reach __imp_ symbols, so mingw's
    decorated libntoskrnl.a cannot satisfy it. fastcall (@Name@N) keeps its decoration: GCC
    still emits it under -mrtd. dlltool -k then asks the DLL for the plain name in every case.
    """
    listing = subprocess.run([nm, str(library)], capture_output=True, text=True, check=True).stdout
    thunks: set[str] = set()
    imports: set[str] = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "T":
            thunks.add(parts[2])
        elif len(parts) == 3 and parts[1] == "I" and parts[2].startswith("__imp_"):
            imports.add(parts[2][len("__imp_"):])
    listed = subprocess.run([dlltool, "-I", str(library)], capture_output=True, text=True)
    if listed.returncode != 0 or not listed.stdout.strip():
        raise RuntimeError(f"cannot tell which DLL {library} imports from")
    exports = {}
    for symbol in imports:
        data = "" if symbol in thunks else " DATA"
        if symbol.startswith("@"):
            exports[symbol] = symbol + data
        else:
            plain = re.sub(r"@\d+$", "", symbol)
            exports[plain] = plain[1:] + data
    return listed.stdout.strip().splitlines()[0], exports


def cached_kernel_exports(nm: str, dlltool: str, library: Path,
                          cache_dir: Path) -> tuple[str, dict[str, str]]:
    """kernel_exports, remembered across the tests of one build directory (nm over
    libntoskrnl.a's 2000 members takes seconds). Written atomically: tests run in parallel."""
    stat = library.stat()
    cache = cache_dir / f"exports-{library.parent.parent.name}-{library.stem}.json"
    key = [str(library), stat.st_mtime_ns, stat.st_size]
    try:
        saved = json.loads(cache.read_text())
        if saved["key"] == key:
            return saved["dll"], saved["exports"]
    except (OSError, ValueError, KeyError):
        pass
    dll, exports = kernel_exports(nm, dlltool, library)
    temporary = cache.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"key": key, "dll": dll, "exports": exports}))
    os.replace(temporary, cache)
    return dll, exports


def mingw_import_names(nm: str, library: Path) -> tuple[set[str], set[str]]:
    """(every import of a mingw-w64 import library such as libntoskrnl.a, undecorated; the subset
    that has a code thunk, i.e. is a function rather than DATA)."""
    listing = subprocess.run([nm, str(library)], capture_output=True, text=True, check=True).stdout
    imports: set[str] = set()
    thunks: set[str] = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "I" and parts[2].startswith("__imp_"):
            imports.add(plain_name(parts[2][len("__imp_"):]))
        elif len(parts) == 3 and parts[1] == "T":
            thunks.add(plain_name(parts[2]))
    return imports, thunks & imports


def plain_name(symbol: str) -> str:
    """An x86 symbol's name as a DLL exports it: _Name@12, _Name and @Name@4 -> Name."""
    if symbol.startswith("@"):
        return re.sub(r"@\d+$", "", symbol[1:])
    return re.sub(r"@\d+$", "", symbol[1:] if symbol.startswith("_") else symbol)


def undefined_symbols(nm: str, obj: Path) -> set[str]:
    listing = subprocess.run([nm, "-u", str(obj)], capture_output=True, text=True, check=True).stdout
    found = set()
    for line in listing.splitlines():
        parts = line.split()
        if parts:
            symbol = parts[-1]
            found.add(symbol[len("__imp_"):] if symbol.startswith("__imp_") else symbol)
    return found


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toolchain", required=True, choices=sorted(TOOLCHAINS))
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--ks-def", required=True, type=Path,
                        help="ks.sys exports, x86-decorated (Name@bytes)")
    parser.add_argument("-I", dest="includes", action="append", default=[], type=Path,
                        help="kshake's include folder (repeatable); the include-graph check "
                             "treats every folder given here as kshake's")
    parser.add_argument("--gsl", type=Path, default=Path("/usr/include/gsl"),
                        help="the GSL header folder (default: /usr/include/gsl)")
    parser.add_argument("--opt", choices=("O2", "Od"), default="O2",
                        help="clang-cl toolchains: /O2 (default) or /Od; the mingw toolchains "
                             "always build at -O2")
    parser.add_argument("--no-rtd", action="store_true",
                        help="x86: build with the compiler's cdecl default, without -mrtd or /Gz "
                             "(to prove the check catches it)")
    parser.add_argument("--drop-flag", action="append", default=[],
                        help="leave out one of the toolchain's flags (negative tests)")
    parser.add_argument("--extra-flag", action="append", default=[],
                        help="add a compiler flag (e.g. -DKSHAKE_MAX_PAYLOAD_SIZE=512)")
    parser.add_argument("--link-first", action="append", default=[],
                        help="mingw: a library to link before the kernel's (negative tests)")
    parser.add_argument("--import", dest="imports", action="append", default=[],
                        metavar="DLL=NAME",
                        help="clang-cl: also link an import library of DLL exporting NAME, "
                             "before the kernel's (negative tests)")
    parser.add_argument("--gs", action="store_true",
                        help="clang-cl toolchains: build with /GS, link tests/kernel/wdk/"
                             "gs_support.c and enter at GsDriverEntry, as a default WDK project")
    parser.add_argument("--entry", metavar="SYMBOL",
                        help="clang-cl toolchains: link with /ENTRY:SYMBOL instead of DriverEntry "
                             "(GsDriverEntry with --gs); for negative tests")
    parser.add_argument("--callee-pops", action="append", default=[], metavar="NAME=BYTES",
                        help="x86: a function the platform calls __stdcall")
    parser.add_argument("--require-import", action="append", default=[], metavar="DLL!FUNC",
                        help="an import the image must have, on top of check_image.py's default "
                             "two (ks.sys!KsPinHandshake, ks.sys!KsPinRegisterHandshakeCallback)")
    parser.add_argument("--no-include-graph", action="store_true",
                        help="skip the include-graph check (for experiments; the suite keeps it)")
    parser.add_argument("--stack-budget", type=int, metavar="BYTES",
                        help="compile with -fstack-usage and fail unless the translation unit's "
                             "stack frames sum to at most BYTES (stack_usage.py)")
    parser.add_argument("--expect-failure", metavar="TEXT",
                        help="the build must be rejected, by the include-graph check, the image "
                             "checker or the stack check, with TEXT in its output")
    parser.add_argument("--require-tools", action="store_true",
                        help="a missing tool fails instead of skipping")
    args = parser.parse_args()
    msvc = TOOLCHAINS[args.toolchain].get("kind") == "msvc"
    if args.opt != "O2" and not msvc:
        parser.error("--opt is for the clang-cl toolchains")
    if (args.gs or args.entry) and not msvc:
        parser.error("--gs and --entry are for the clang-cl toolchains")
    if args.imports and not msvc:
        parser.error("--import is for the clang-cl toolchains (mingw: --link-first)")
    if args.link_first and msvc:
        parser.error("--link-first is for the mingw toolchains (clang-cl: --import)")
    return args


def link_gsl(out: Path, gsl: Path) -> Path:
    """A folder holding only a `gsl` symlink: -isystem /usr/include would drag glibc's headers
    into the translation unit."""
    gsl_root = out / "include"
    gsl_root.mkdir(exist_ok=True)
    link = gsl_root / "gsl"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(gsl.resolve(), target_is_directory=True)
    return gsl_root


def import_library(dlltool: str, machine: str, out: Path, stem: str, dll: str,
                   exports: list[str], x86: bool) -> Path:
    """An import library for `dll`. x86: the names keep their stdcall decoration (@bytes) and
    dlltool -k asks the DLL for the plain name; elsewhere the decoration is stripped (x64 and
    ARM64 have one calling convention and no decoration)."""
    names = exports if x86 else undecorated(exports)
    def_file = write_def(out / f"{stem}.def", dll, names)
    library = out / f"{stem}.lib"
    run([dlltool, *(["-k"] if x86 else []), "-m", machine, "-d", str(def_file),
         "-l", str(library)], f"dlltool {dll}")
    return library


def msvc_ddk_kernel_libraries(chain: dict, tools: dict[str, str], out: Path,
                              objects: list[Path], x86: bool) -> list[str]:
    """The ntoskrnl.exe and hal.dll import libraries of a clang-cl-*-ddk build: mingw-w64's own.

    x64: libntoskrnl.a and libhal.a as they are (lld-link reads mingw import libraries). x86:
    lld-link refuses mingw's i686 import members under /SAFESEH (the default for x86 images:
    "is not compatible with SEH"), so an import library is made with llvm-dlltool -k from a .def
    of the functions the objects import, each checked against mingw-w64's export list and
    written with the object's decoration (Name@12 for __stdcall, Name for __cdecl, @Name@4 for
    __fastcall), as the x86 image must bind them."""
    libdir = Path(tools["libdir"])
    kernels = {"ntoskrnl": "ntoskrnl.exe", "hal": "hal.dll"}
    if not x86:
        return [str(libdir / f"lib{k}.a") for k in kernels]
    wanted: set[str] = set()
    for obj in objects:
        wanted |= undefined_symbols(tools["nm"], obj)
    libs = []
    for kernel, dll in kernels.items():
        exported, functions = mingw_import_names(tools["nm"], libdir / f"lib{kernel}.a")
        lines = sorted((symbol if symbol.startswith("@") else symbol[1:]) +
                       ("" if plain_name(symbol) in functions else " DATA")
                       for symbol in wanted if plain_name(symbol) in exported)
        if not lines:
            continue
        def_file = write_def(out / f"{kernel}-ddk.def", dll, lines)
        library = out / f"{kernel}.lib"
        run([tools["dlltool"], "-k", "-m", chain["machine"], "-d", str(def_file),
             "-l", str(library)], f"dlltool {dll}")
        libs.append(str(library))
    return libs


def build_msvc(args: argparse.Namespace, chain: dict, out: Path, name: str,
               tools: dict[str, str]) -> tuple[Path, Path, list[str]]:
    """clang-cl-19 + lld-link-19: returns (image, object, check_image.py options)."""
    x86 = chain["link_machine"] == "X86"
    gsl_root = link_gsl(out, args.gsl)
    cxxflags = MSVC_CXXFLAGS + [f"/{args.opt}"] + chain["cxxflags"]
    if args.no_rtd:
        if not x86:
            raise RuntimeError("--no-rtd is for x86")
        cxxflags.remove("/Gz")
    unknown = set(args.drop_flag) - set(cxxflags)
    if unknown:
        raise RuntimeError(f"--drop-flag {' '.join(sorted(unknown))}: not a flag of {args.toolchain}")
    if args.gs:
        cxxflags = ["/GS" if f == "/GS-" else f for f in cxxflags]
    cxxflags = [f for f in cxxflags if f not in set(args.drop_flag)] + args.extra_flag
    # In a WDK project the Additional Include Directories (kshake, GSL) come first and the WDK's
    # own folders last, as here.
    includes = [f"-I{p.resolve()}" for p in args.includes] + [f"-I{gsl_root}"]
    if "ddk" in chain:
        root = Path(tools["ddk"]).parent
        cxxflags += MSVC_DDK_CXXFLAGS
        includes += [f"/external:I{tools['ddk']}", f"/external:I{root}"]
        # Debian links most of /usr/<triplet>/include/*.h to /usr/share/mingw-w64/include.
        platform = [tools["ddk"], str(root), "/usr/share/mingw-w64/include"]
    else:
        includes.append(f"-I{WDK}")
        platform = [str(WDK)]
    compile_flags = [f"--target={chain['target']}", *cxxflags, *includes]
    obj = out / f"{name}.obj"
    # -fshow-skipped-includes also lists a header skipped because its guard is already defined.
    listed = [] if args.no_include_graph else \
        ["/showIncludes", "-Xclang", "-fshow-skipped-includes"]
    # "--": clang-cl would read a path such as /work/x.cpp as an option (/w...).
    stack = ["/clang:-fstack-usage"] if args.stack_budget is not None else []
    obj.with_suffix(".su").unlink(missing_ok=True)
    done = run([tools["cxx"], *compile_flags, *stack, *listed, "/c", f"/Fo{obj}", "--",
                str(args.source.resolve())], "compile", quiet=include_graph.is_include_line, cwd=out)
    if not args.no_include_graph:
        resource = subprocess.run([tools["cxx"], "-print-resource-dir"], capture_output=True,
                                  text=True, check=True).stdout.strip()
        roots = include_graph.Roots(
            kshake=[str(p.resolve()) for p in args.includes], gsl=[str(gsl_root / "gsl")],
            platform=platform, compiler=[os.path.join(resource, "include")], search=[])
        check_include_graph("msvc", args.source.resolve(), done.stdout,
                            [tools["cxx"], *compile_flags, "-v", "/Zs", "--"], roots, out, out)
    objects = [obj]
    if args.gs:
        # The cookie's code itself is built without /GS: GsDriverEntry runs before the cookie
        # has its value. Only the target and the x86 convention are the driver's.
        gs_obj = out / "gs_support.obj"
        run([tools["cxx"], f"--target={chain['target']}", "/kernel", "/W4", "/WX", "/X", "/GS-",
             "/O2", *(["/Gz"] if "/Gz" in cxxflags else []), "/c", f"/Fo{gs_obj}", "--",
             str(WDK / "gs_support.c")], "compile gs_support.c", cwd=out)
        objects.append(gs_obj)

    libs = [str(import_library(tools["dlltool"], chain["machine"], out, f"import-{i}",
                               spec.partition("=")[0], [spec.partition("=")[2]], x86))
            for i, spec in enumerate(args.imports)]
    libs.append(str(import_library(tools["dlltool"], chain["machine"], out, "ks", "ks.sys",
                                   read_def(args.ks_def)[1], x86)))
    if "ddk" in chain:
        libs += msvc_ddk_kernel_libraries(chain, tools, out, objects, x86)
    else:
        for def_file in sorted(WDK.glob("*.def")):  # ntoskrnl.def (hal.def when one is needed)
            dll, exports = read_def(def_file)
            libs.append(str(import_library(tools["dlltool"], chain["machine"], out,
                                           def_file.stem, dll, exports, x86)))
    image = out / f"{name}.sys"
    link_map = out / f"{name}.map"
    entry = args.entry or ("GsDriverEntry" if args.gs else "DriverEntry")
    run([tools["link"], *MSVC_LDFLAGS, f"/ENTRY:{entry}", f"/MACHINE:{chain['link_machine']}",
         f"/MAP:{link_map}", f"/OUT:{image}", *map(str, objects), *libs], "link")
    options = ["--machine", chain["image_machine"]]
    for linked in objects:
        options += ["--object", str(linked)]
    return image, obj, options


def build_gnu(args: argparse.Namespace, chain: dict, out: Path, name: str,
              tools: dict[str, str]) -> tuple[Path, Path, list[str]]:
    """mingw-w64 g++ or clang++: returns (image, object, check_image.py options)."""
    cxx, dlltool = tools["cxx"], tools["dlltool"]
    triplet = chain["triplet"]
    x86 = chain["machine"] == "i386"
    rtd = x86 and not args.no_rtd
    ddk, libdir, nm = Path(tools["ddk"]), Path(tools["libdir"]), tools.get("nm")
    gsl_root = link_gsl(out, args.gsl)

    # ks.sys import library (mingw-w64 10's libks.a lacks KsPinHandshake).
    exports = read_def(args.ks_def)[1]
    libs = []
    if x86 and not rtd:
        ks_def = write_def(out / "ks-stdcall.def", "ks.sys", exports)
        run([dlltool, "-k", "-m", chain["machine"], "-d", str(ks_def),
             "-l", str(out / "libks.a")], "dlltool ks.sys")
        libs += [str(out / "libks.a"), "-lntoskrnl", "-lhal"]
    else:
        ks_def = write_def(out / "ks.def", "ks.sys", undecorated(exports))
        run([dlltool, "-m", chain["machine"], "-d", str(ks_def),
             "-l", str(out / "libks.a")], "dlltool ks.sys")
        libs.append(str(out / "libks.a"))
        if not rtd:
            libs += ["-lntoskrnl", "-lhal"]

    cxxflags = COMMON_CXXFLAGS + chain["cxxflags"]
    dropped = set(args.drop_flag) | ({"-mrtd"} if x86 and not rtd else set())
    unknown = dropped - set(cxxflags)
    if unknown:
        raise RuntimeError(f"--drop-flag {' '.join(sorted(unknown))}: not a flag of {args.toolchain}")
    cxxflags = [f for f in cxxflags if f not in dropped] + args.extra_flag
    includes = [f"-I{p.resolve()}" for p in args.includes]
    compile_flags = [*cxxflags, "-isystem", str(ddk), "-isystem", str(gsl_root), *includes]
    clang = args.toolchain.startswith("clang")
    listed = [] if args.no_include_graph else \
        ["-H", *(["-Xclang", "-fshow-skipped-includes"] if clang else [])]
    obj = out / f"{name}.o"
    stack = ["-fstack-usage"] if args.stack_budget is not None else []
    obj.with_suffix(".su").unlink(missing_ok=True)
    done = run([cxx, *compile_flags, *stack, *listed, "-c", str(args.source.resolve()),
                "-o", str(obj)], "compile", quiet=include_graph.is_include_line, cwd=out)
    if not args.no_include_graph:
        if clang:
            resource = subprocess.run([cxx, "-print-resource-dir"], capture_output=True,
                                      text=True, check=True).stdout.strip()
            compiler = [os.path.join(resource, "include")]
        else:
            compiler = [subprocess.run([cxx, f"-print-file-name={d}"], capture_output=True,
                                       text=True, check=True).stdout.strip()
                        for d in ("include", "include-fixed")]
        roots = include_graph.Roots(
            kshake=[str(p.resolve()) for p in args.includes], gsl=[str(gsl_root / "gsl")],
            # Debian links most of /usr/<triplet>/include/*.h to /usr/share/mingw-w64/include.
            platform=[str(ddk), f"/usr/{triplet}/include", "/usr/share/mingw-w64/include"],
            compiler=[os.path.normpath(c) for c in compiler], search=[])
        check_include_graph("gnu", args.source.resolve(), done.stderr,
                            [cxx, *compile_flags, "-v", "-fsyntax-only", "-x", "c++"],
                            roots, out, out)

    if rtd:
        # Undecorated import libraries holding just what the object imports (see
        # kernel_exports); the whole of ntoskrnl would take dlltool half a minute.
        wanted = undefined_symbols(nm, obj)
        for kernel in ("ntoskrnl", "hal"):
            dll, table = cached_kernel_exports(nm, dlltool, libdir / f"lib{kernel}.a",
                                               out.parent)
            lines = sorted(table[s] for s in wanted if s in table)
            if not lines:
                continue
            kdef = write_def(out / f"{kernel}-rtd.def", dll, lines)
            run([dlltool, "-k", "-m", chain["machine"], "-d", str(kdef),
                 "-l", str(out / f"lib{kernel}-rtd.a")], f"dlltool {kernel}")
            libs.append(str(out / f"lib{kernel}-rtd.a"))

    image = out / f"{name}.sys"
    link_map = out / f"{name}.map"
    ldflags = LINK_FLAGS + chain["ldflags"]
    if x86 and not rtd:
        ldflags = [f.replace("_DriverEntry", "_DriverEntry@8") for f in ldflags]
    if not clang:
        ldflags.append(f"-Wl,-Map,{link_map}")
    run([cxx, *ldflags, "-o", str(image), str(obj), *args.link_first, *libs, "-lgcc"], "link")
    options = ["--machine", "x86" if x86 else "x64"]
    if rtd:
        options += ["--rtd", "--link-map", str(link_map)]
    return image, obj, options


def find_tools(args: argparse.Namespace, chain: dict) -> dict[str, str]:
    """Every tool and folder the build needs, or Skip naming the Debian package that has it."""
    if chain.get("kind") == "msvc":
        tools = {key: need_tool(spec) for key, spec in MSVC_TOOLS.items()}
        need_file(args.gsl / "assert", "libmsgsl-dev")
        if "ddk" in chain:
            triplet = chain["ddk"]
            tools["ddk"] = str(need_file(Path(f"/usr/{triplet}/include/ddk/ntddk.h"),
                                         chain["dev"]).parent)
            tools["libdir"] = str(need_file(Path(f"/usr/{triplet}/lib/libntoskrnl.a"),
                                            chain["dev"]).parent)
        return tools
    triplet = chain["triplet"]
    x86 = chain["machine"] == "i386"
    tools = {"cxx": need_tool(chain["cxx"]), "dlltool": need_tool(chain["dlltool"]),
             "objdump": need_tool(chain["objdump"])}
    if "lld" in chain:
        need_tool(chain["lld"])
    if args.toolchain.startswith("clang"):
        # clang uses the mingw g++'s libstdc++ headers and libgcc.
        need_tool(("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64-win32"))
    tools["ddk"] = str(need_file(Path(f"/usr/{triplet}/include/ddk/ntddk.h"), chain["dev"]).parent)
    tools["libdir"] = str(need_file(Path(f"/usr/{triplet}/lib/libntoskrnl.a"), chain["dev"]).parent)
    need_file(args.gsl / "assert", "libmsgsl-dev")
    if x86 and not args.no_rtd:
        tools["nm"] = need_tool(chain["nm"])
    return tools


def check_gs(image: Path, obj: Path, nm: str, x86: bool) -> list[str]:
    """What --gs promises of an image, as FAIL lines: the translation unit was compiled with /GS
    (its object calls the cookie check), the check and the cookie come from gs_support.c, and the
    image is entered at GsDriverEntry, so the cookie is set before any protected function runs."""
    check, cookie = (("@__security_check_cookie@4", "___security_cookie") if x86 else
                     ("__security_check_cookie", "__security_cookie"))
    entry_symbol = "_GsDriverEntry@8" if x86 else "GsDriverEntry"
    failures = []
    if check not in undefined_symbols(nm, obj):
        failures.append(f"FAIL: {obj.name} was not built with /GS: no function of it calls {check}")
    listing = subprocess.run([nm, str(image)], capture_output=True, text=True, check=True).stdout
    defined = {parts[2]: int(parts[0], 16) for parts in map(str.split, listing.splitlines())
               if len(parts) == 3 and parts[1] in "TtDdBb"}
    for symbol in (check, cookie):
        if symbol not in defined:
            failures.append(f"FAIL: {image.name} does not define {symbol} (gs_support.c)")
    data = image.read_bytes()
    header = int.from_bytes(data[0x3C:0x40], "little") + 24  # the optional header
    entry_rva = int.from_bytes(data[header + 16:header + 20], "little")
    image_base = (int.from_bytes(data[header + 28:header + 32], "little") if x86 else
                  int.from_bytes(data[header + 24:header + 32], "little"))
    if defined.get(entry_symbol) != image_base + entry_rva:
        failures.append(f"FAIL: {image.name} is not entered at GsDriverEntry (entry RVA "
                        f"{entry_rva:#x}{'' if entry_symbol in defined else '; no GsDriverEntry linked'}),"
                        " so nothing sets the cookie before the protected functions run")
    return failures


def expected(args: argparse.Namespace, rejected: bool, output: str, what: str) -> int:
    """The exit status for a build `what` (the include-graph check, the image checker, the
    stack check) accepted or rejected, given --expect-failure."""
    if args.expect_failure is None:
        return 1 if rejected else 0
    if rejected and args.expect_failure in output:
        print(f"build_driver: rejected as expected ({args.expect_failure!r})")
        return 0
    if not rejected:
        print(f"build_driver: the {what} ACCEPTED {args.source.name}, which has a defect it "
              f"must reject ({args.expect_failure!r})")
    else:
        print(f"build_driver: the {what} did not report {args.expect_failure!r}")
    return 1


def main() -> int:
    args = parse_args()
    chain = TOOLCHAINS[args.toolchain]
    try:
        tools = find_tools(args, chain)
    except Skip as skip:
        if args.require_tools:
            print(f"FAILED: {skip} (kernel tests are required: -Dkernel_tests=enabled)")
            return 1
        print(f"skipped: {skip}")
        return SKIP

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    name = args.source.stem
    build = build_msvc if chain.get("kind") == "msvc" else build_gnu
    try:
        image, obj, options = build(args, chain, out, name, tools)
    except IncludeGraphFailure as failure:
        message = str(failure)
        print(message)
        print(f"build_driver: {args.toolchain}: {name}: the include-graph check failed")
        if args.expect_failure is not None and not args.expect_failure.startswith("include-graph"):
            print("build_driver: (the case expects the image checker to reject it, so the "
                  "include graph must pass)")
            return 1
        return expected(args, True, message, "include-graph check")
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        print(f"build_driver: {args.toolchain}: {name}: {error}")
        return 1

    check = [sys.executable, str(HERE / "check_image.py"), "--objdump", tools["objdump"],
             *options, str(image)]
    for spec in args.callee_pops:
        check += ["--callee-pops", spec]
    for requirement in args.require_import:  # in addition to check_image.py's defaults
        check += ["--require-import", requirement]
    print("+", " ".join(check), flush=True)
    done = subprocess.run(check, capture_output=True, text=True)
    output = done.stdout + done.stderr
    sys.stdout.write(output)
    if done.returncode == 2 and "needs pefile" in output:
        # A missing Python package is a missing tool, as a missing cross compiler is.
        if args.require_tools:
            print("FAILED: python3-pefile not installed (kernel tests are required: "
                  "-Dkernel_tests=enabled)")
            return 1
        print("skipped: python3-pefile not installed")
        return SKIP
    if done.returncode not in (0, 1):
        return 1
    rejected, what = done.returncode == 1, "checker"
    if args.gs:
        failures = check_gs(image, obj, tools["nm"], chain["link_machine"] == "X86")
        print("\n".join(failures) if failures else f"gs: {image.name}: OK (built with /GS, "
              "entered at GsDriverEntry, cookie and check from gs_support.c)")
        output += "\n".join(failures)
        rejected, what = rejected or bool(failures), "checker and the /GS check"
    if args.stack_budget is not None:
        stack = [sys.executable, str(HERE / "stack_usage.py"), "--budget", str(args.stack_budget),
                 "--return-address", str(chain.get("return_address", 0)),
                 str(obj.with_suffix(".su"))]
        print("+", " ".join(stack), flush=True)
        done = subprocess.run(stack, capture_output=True, text=True)
        sys.stdout.write(done.stdout + done.stderr)
        if done.returncode not in (0, 1):
            return 1
        output += done.stdout
        rejected, what = rejected or done.returncode == 1, "checker and the stack check"
    if args.expect_failure is not None and args.expect_failure.startswith("include-graph"):
        print(f"build_driver: the include-graph check ACCEPTED {args.source.name}, which has a "
              f"defect it must reject ({args.expect_failure!r})")
        return 1
    return expected(args, rejected, output, what)


if __name__ == "__main__":
    sys.exit(main())
