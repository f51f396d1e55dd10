#!/usr/bin/env python3
"""Cross-builds one kernel-mode C++20 translation unit into a .sys and checks the image.

    build_driver.py --toolchain {gcc-x86_64,gcc-i686,clang-x86_64} --source FILE.cpp
                    --out DIR --ks-def ks.def -I include [options]

Meson's one native C++ compiler cannot build a Windows driver, so `meson test` runs this
script once per toolchain. It compiles with warnings as errors, links with no CRT and no C++
runtime, then runs check_image.py on the result.

Exit status: 0 pass; 1 fail (compile, link or image check; or, with --expect-failure, an
image the checker accepted or rejected for another reason); 77 (Meson's "skipped") when a
tool or header is missing, printing "skipped: <package> not installed". With --require-tools a
missing tool is a failure instead (meson -Dkernel_tests=enabled).

The flags are documented in docs/driver.md; keep the two in step.
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
SKIP = 77

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
        # -Xlink=-release makes lld write the PE checksum the kernel loader verifies.
        "ldflags": ["--target=x86_64-w64-mingw32", "-fuse-ld=lld-19", "-Wl,-Xlink=-release",
                    "-Wl,--entry,DriverEntry"],
        "machine": "i386:x86-64",
    },
}

LINK_FLAGS = ["-nostdlib", "-Wl,--subsystem,native"]


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


def run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    sys.stdout.write(done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode})")
    # Warnings are errors for compiling; a linker warning (e.g. a stdcall fixup) is one too.
    if done.stderr.strip() and what.startswith("link"):
        raise RuntimeError(f"{what} printed warnings")
    return done


def ks_exports(def_file: Path) -> list[str]:
    names = []
    for line in def_file.read_text().splitlines():
        line = line.split(";")[0].strip()
        if line and not line.upper().startswith(("LIBRARY", "EXPORTS")):
            names.append(line)
    return names


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


def undefined_symbols(nm: str, obj: Path) -> set[str]:
    listing = subprocess.run([nm, "-u", str(obj)], capture_output=True, text=True, check=True).stdout
    found = set()
    for line in listing.splitlines():
        parts = line.split()
        if parts:
            symbol = parts[-1]
            found.add(symbol[len("__imp_"):] if symbol.startswith("__imp_") else symbol)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toolchain", required=True, choices=sorted(TOOLCHAINS))
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--ks-def", required=True, type=Path,
                        help="ks.sys exports, x86-decorated (Name@bytes)")
    parser.add_argument("-I", dest="includes", action="append", default=[], type=Path)
    parser.add_argument("--gsl", type=Path, default=Path("/usr/include/gsl"),
                        help="the GSL header folder (default: /usr/include/gsl)")
    parser.add_argument("--no-rtd", action="store_true",
                        help="x86: build with mingw's cdecl default (to prove the check catches it)")
    parser.add_argument("--drop-flag", action="append", default=[],
                        help="leave out one of the toolchain's flags (negative tests)")
    parser.add_argument("--extra-flag", action="append", default=[],
                        help="add a compiler flag (e.g. -fstack-usage, docs/driver.md)")
    parser.add_argument("--link-first", action="append", default=[],
                        help="a library to link before the kernel's (negative tests)")
    parser.add_argument("--callee-pops", action="append", default=[], metavar="NAME=BYTES",
                        help="x86: a function the platform calls __stdcall")
    parser.add_argument("--expect-failure", metavar="TEXT",
                        help="the image must be rejected, with TEXT in the checker's output")
    parser.add_argument("--require-tools", action="store_true",
                        help="a missing tool fails instead of skipping")
    args = parser.parse_args()

    chain = TOOLCHAINS[args.toolchain]
    triplet = chain["triplet"]
    x86 = chain["machine"] == "i386"
    rtd = x86 and not args.no_rtd
    try:
        cxx = need_tool(chain["cxx"])
        dlltool = need_tool(chain["dlltool"])
        objdump = need_tool(chain["objdump"])
        if "lld" in chain:
            need_tool(chain["lld"])
        if args.toolchain.startswith("clang"):
            # clang uses the mingw g++'s libstdc++ headers and libgcc.
            need_tool(("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64-win32"))
        ddk = need_file(Path(f"/usr/{triplet}/include/ddk/ntddk.h"), chain["dev"]).parent
        libdir = need_file(Path(f"/usr/{triplet}/lib/libntoskrnl.a"), chain["dev"]).parent
        need_file(args.gsl / "assert", "libmsgsl-dev")
        nm = need_tool(chain["nm"]) if rtd else None
    except Skip as skip:
        if args.require_tools:
            print(f"FAILED: {skip} (kernel tests are required: -Dkernel_tests=enabled)")
            return 1
        print(f"skipped: {skip}")
        return SKIP

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    name = args.source.stem
    try:
        # Only the gsl folder: -isystem /usr/include would drag glibc's headers into the TU.
        gsl_root = out / "include"
        gsl_root.mkdir(exist_ok=True)
        link = gsl_root / "gsl"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(args.gsl.resolve(), target_is_directory=True)

        # ks.sys import library (mingw-w64 10's libks.a lacks KsPinHandshake).
        exports = ks_exports(args.ks_def)
        libs = []
        if x86 and not rtd:
            ks_def = write_def(out / "ks-stdcall.def", "ks.sys", exports)
            run([dlltool, "-k", "-m", chain["machine"], "-d", str(ks_def),
                 "-l", str(out / "libks.a")], "dlltool ks.sys")
            libs += [str(out / "libks.a"), "-lntoskrnl", "-lhal"]
        else:
            undecorated = [re.sub(r"@\d+$", "", e) for e in exports]
            ks_def = write_def(out / "ks.def", "ks.sys", undecorated)
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
        obj = out / f"{name}.o"
        run([cxx, *cxxflags, "-isystem", str(ddk), "-isystem", str(gsl_root), *includes,
             "-c", str(args.source.resolve()), "-o", str(obj)], "compile")

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
        if not args.toolchain.startswith("clang"):
            ldflags.append(f"-Wl,-Map,{link_map}")
        run([cxx, *ldflags, "-o", str(image), str(obj), *args.link_first, *libs, "-lgcc"], "link")
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        print(f"build_driver: {args.toolchain}: {name}: {error}")
        return 1

    check = [sys.executable, str(HERE / "check_image.py"), "--objdump", objdump, str(image)]
    for spec in args.callee_pops:
        check += ["--callee-pops", spec]
    if rtd:
        check += ["--rtd", "--link-map", str(link_map)]
    print("+", " ".join(check), flush=True)
    done = subprocess.run(check, capture_output=True, text=True)
    output = done.stdout + done.stderr
    sys.stdout.write(output)
    if args.expect_failure is None:
        return 0 if done.returncode == 0 else 1
    if done.returncode == 1 and args.expect_failure in output:
        print(f"build_driver: rejected as expected ({args.expect_failure!r})")
        return 0
    if done.returncode == 0:
        print(f"build_driver: the checker ACCEPTED {image.name}, which has a defect it must "
              f"reject ({args.expect_failure!r})")
    else:
        print(f"build_driver: the checker did not report {args.expect_failure!r}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
