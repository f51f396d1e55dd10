#!/usr/bin/env python3
"""Proves that check_image.py refuses an image with each flaw Windows or the driver rules refuse.

    image_flaws.py --toolchain TOOLCHAIN --out DIR --ks-def ks.def -I include [--require-tools]

TOOLCHAIN is a build_driver.py toolchain whose link this script knows: clang-cl-x64, clang-cl-x86,
clang-cl-arm64 (lld-link), gcc-x86_64, gcc-i686 (GNU ld), clang-x86_64 (ld.lld, mingw).

Builds cases/image_flaws.cpp (minimal_ok's driver plus a table of function pointers, so the
image holds absolute addresses on every architecture; MSVC ABI: DriverEntry in INIT) once with
build_driver.py, then relinks its object with the link command build_driver.py printed:

  * unchanged but for what every relink here pins (lld-link: /ENTRY:DriverEntry and
    /SECTION:INIT,ERD), which check_image.py must accept; with each flaw below, one at a time,
    which it must refuse with the expected message and nothing else. A flaw may bring a second
    failure only where the flag itself does two things (named in ALSO);
  * the twins of the two options that allow something: /INTEGRITYCHECK with --signed and an
    exported function with --allow-export, which it must accept.

What a linker flag cannot produce is patched into a copy of the accepted relink with pefile (the
checksum recomputed unless it is the flaw, so the copy differs by the one flaw): no exception
directory (no linker drops .pdata), no base relocation table with the "relocations stripped" flag
still clear (the case neither /FIXED nor --disable-reloc-section makes, since both also set the
flag), a wrong checksum; for GNU ld and ld.lld (which have no flag for it) an INIT section that is
not discardable and the section holding the entry point neither executable nor readable (what
lld-link's /SECTION:INIT,D does); for GNU ld a writable .text and a zero checksum; for ARM64,
where lld-link refuses /DYNAMICBASE:NO and /FIXED, what those two flags do. The accepted image checked with another
--machine must be refused too. For lld-link, the /GS rule (gs_twins). And .pdata (64-bit) and
.reloc are removed from copies with objcopy -R, which can leave the data directory pointing at
nothing (mingw-w64's GNU objcopy for GNU ld's images; llvm-objcopy-19, which also zeroes the
checksum, for the others).

Exit status: 0 when every image got the verdict it must; 1 otherwise; 77 (Meson's "skipped") when
a tool is missing, unless --require-tools.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_image  # noqa: E402  (next to this script)

SKIP = 77
CASE = HERE / "cases" / "image_flaws.cpp"
DELAY_HELPER = HERE / "cases" / "delay_load_helper.c"
GS_CASE = HERE / "cases" / "kernel_api.cpp"


@dataclass
class Flaw:
    name: str
    msvc: list[str] | None  # lld-link flags; None: not for this family
    gnu: list[str] | None  # g++ driver flags (-Wl,...)
    expect: list[str]  # every one must be reported, and nothing else
    wide_only: bool = False  # 64-bit images only
    lld: list[str] | None = None  # clang++ -fuse-ld=lld flags, where they differ from GNU ld's
    drop: tuple[str, ...] = ()  # link arguments (by prefix) the flaw takes out

    def flags(self, family: str) -> list[str] | None:
        if family == "lld" and self.lld is not None:
            return self.lld
        return self.msvc if family == "msvc" else self.gnu


# Each relinked image's expected FAIL text (part of check_image.py's message).
NX = "is not NX compatible"
DYNAMIC = "has no dynamic base"
ENTROPY = "is a 64-bit image without high-entropy VA"
INTEGRITY = "asks for a signature check"
ALIGNMENT = "section alignment is 0x200"
DLL = "is a DLL"
EXPORTS = "exports "
ENTRY = "the entry point (rva"
INIT = "section INIT is not discardable"
NO_ACCESS = "but is not both executable and readable"
GS_ENTRY = "but not entered at GsDriverEntry"
STRIPPED = "relocations are stripped"
UNRELOCATED = "has no base relocation table but holds"
PDATA = "has code but no exception directory"
DELAY = "has delay-load imports"
SUBSYSTEM = "subsystem is 3, not 1"
WX = "is both writable and executable"
NO_SYMTAB = "has no COFF symbol table"
ENTRY_UNKNOWN = "cannot be shown to be DriverEntry"
CHECKSUM_ZERO = "PE checksum is 0"
CHECKSUM_WRONG = "is wrong (computed"
MACHINE = ["machine type is", "optional header magic is"]

FLAWS = [
    Flaw("nx_off", ["/NXCOMPAT:NO"], ["-Wl,--disable-nxcompat"], [NX]),
    Flaw("dynamic_base_off", ["/DYNAMICBASE:NO"], ["-Wl,--disable-dynamicbase"], [DYNAMIC]),
    Flaw("high_entropy_va_off", ["/HIGHENTROPYVA:NO"], ["-Wl,--disable-high-entropy-va"],
         [ENTROPY], wide_only=True),
    # ld.lld has no --forceinteg; -Xlink passes lld-link's flag through.
    Flaw("force_integrity", ["/INTEGRITYCHECK"], ["-Wl,--forceinteg"], [INTEGRITY],
         lld=["-Wl,-Xlink=/integritycheck"]),
    Flaw("section_alignment_0x200", ["/ALIGN:512"], ["-Wl,--section-alignment,0x200"],
         [ALIGNMENT]),
    Flaw("dll", ["/DLL"], ["-shared"], [DLL]),
    Flaw("export", ["/EXPORT:DriverEntry"], ["-Wl,--export-all-symbols"], [EXPORTS]),
    # NotDriverEntry (cases/image_flaws.cpp); on x86 GNU ld wants the symbol's own name, which
    # GCC under -mrtd leaves undecorated (_NotDriverEntry).
    Flaw("entry_not_driverentry", ["/ENTRY:NotDriverEntry"], ["-Wl,--entry,{c}NotDriverEntry"],
         [ENTRY]),
    # lld-link: the INIT section as lld-link 19 leaves it without /SECTION:INIT,ERD.
    Flaw("init_not_discardable", [], None, [INIT], drop=("/SECTION:INIT",)),
    # lld-link sets exactly the flags given: a discardable INIT with no access, where DriverEntry
    # faults at its first instruction (under Wine too).
    Flaw("init_discardable_only", ["/SECTION:INIT,D"], None, [NO_ACCESS], drop=("/SECTION:INIT",)),
    # Both drop the table and set IMAGE_FILE_RELOCS_STRIPPED.
    Flaw("fixed", ["/FIXED"], ["-Wl,--disable-reloc-section"], [STRIPPED, UNRELOCATED]),
    # GNU ld: ks.sys's import library made by dlltool -y (a delay-import library) instead of -l.
    Flaw("delay_load", ["/DELAYLOAD:ks.sys"], [], [DELAY], lld=["-Wl,-Xlink=/delayload:ks.sys"]),
    Flaw("subsystem_console", ["/SUBSYSTEM:CONSOLE"], ["-Wl,--subsystem,console"], [SUBSYSTEM],
         drop=("/SUBSYSTEM:", "-Wl,--subsystem,")),
    # GNU ld has no flag for a section's attributes: patched (PATCHED).
    Flaw("writable_code", ["/SECTION:.text,ERW"], None, [WX],
         lld=["-Xlinker", "-Xlink=/section:.text,ERW"]),  # -Wl, would split at the comma
    # lld writes the checksum only with /RELEASE; GNU ld always writes it: patched.
    Flaw("no_checksum", [], None, [CHECKSUM_ZERO], lld=[],
         drop=("/RELEASE", "-Wl,-Xlink=-release")),
    # The entry point cannot be named either without the table.
    Flaw("no_symbol_table", [], ["-s"], [NO_SYMTAB, ENTRY_UNKNOWN], drop=("/DEBUG:SYMTAB",)),
]
# Patched with pefile (see the docstring), for every family.
PATCHED = {
    "no_relocation_table": [UNRELOCATED],
    "no_exception_directory": [PDATA],
    "init_not_discardable": [INIT],
    "writable_code": [WX],
    "no_checksum": [CHECKSUM_ZERO],
    "wrong_checksum": [CHECKSUM_WRONG],
    "entry_not_executable": [NO_ACCESS],
}
# A section removed after the link (objcopy -R), which leaves its data directory behind
# (llvm-objcopy, and GNU objcopy for .pdata) or clears it (GNU objcopy for .reloc):
# (section, expected, 64-bit only).
REMOVED = {
    "pdata_removed": (".pdata", [PDATA], True),
    "reloc_removed": (".reloc", [UNRELOCATED], False),
}
# Co-failures a flag brings by itself, per linker (the flag does two things, not the checker).
ALSO = {
    ("msvc", "fixed"): [DYNAMIC],
    # GNU ld drops HIGH_ENTROPY_VA with DYNAMIC_BASE (only 64-bit images are checked for it).
    ("gnu", "dynamic_base_off"): [ENTROPY],
    # --disable-reloc-section also clears DYNAMIC_BASE (and with it HIGH_ENTROPY_VA).
    ("gnu", "fixed"): [DYNAMIC, ENTROPY],
    # ld.lld's --disable-reloc-section is lld-link's /FIXED, which clears DYNAMIC_BASE too.
    ("lld", "fixed"): [DYNAMIC],
    # The handshake calls become delay-load imports, so the import directory lacks them.
    ("msvc", "delay_load"): ["is not imported from ks.sys"],
    ("gnu", "delay_load"): ["is not imported from ks.sys"],
    ("lld", "delay_load"): ["is not imported from ks.sys"],
    # GNU ld and ld.lld export every global symbol of a DLL that marks none for export.
    ("gnu", "dll"): [EXPORTS],
    ("lld", "dll"): [EXPORTS],
}
ENTRY_FLAGS = ("/ENTRY:", "-Wl,--entry,")
# The linker each toolchain's build_driver.py link runs: lld-link, GNU ld, or ld.lld (mingw).
TRIPLETS = {"gcc-x86_64": "x86_64-w64-mingw32", "gcc-i686": "i686-w64-mingw32"}
BINUTILS = {"gcc-x86_64": "binutils-mingw-w64-x86-64", "gcc-i686": "binutils-mingw-w64-i686"}
FAMILIES = {"clang-cl-x64": "msvc", "clang-cl-x86": "msvc", "clang-cl-arm64": "msvc",
            "gcc-x86_64": "gnu", "gcc-i686": "gnu", "clang-x86_64": "lld"}


class Skip(Exception):
    pass


def run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    print("+", shlex.join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stdout.write(done.stdout + done.stderr)
        raise RuntimeError(f"{what} failed (exit {done.returncode})")
    return done


def printed_commands(output: str, image: Path) -> tuple[list[str], list[str]]:
    """(link command, check_image.py command) from build_driver.py's "+ ..." echo lines."""
    link = check = None
    for line in output.splitlines():
        if not line.startswith("+ "):
            continue
        words = shlex.split(line[2:])
        if any(w.endswith("check_image.py") for w in words[:2]):
            check = words
        elif f"/OUT:{image}" in words or str(image) in words:
            link = words
    if link is None or check is None:
        raise RuntimeError("build_driver.py printed no link or no check_image.py command")
    return link, check


class Relinker:
    def __init__(self, family: str, link: list[str], check: list[str], image: Path,
                 out: Path) -> None:
        self.family, self.link, self.check, self.image, self.out = family, link, check, image, out
        self.link_map = next((Path(w[len("-Wl,-Map,"):]) for w in link
                              if w.startswith("-Wl,-Map,")), None)
        if family == "msvc":
            # What every relink pins, whatever build_driver.py links with.
            self.link = [w for w in link if not w.upper().startswith(("/ENTRY:", "/SECTION:INIT"))]
            self.link[1:1] = ["/ENTRY:DriverEntry", "/SECTION:INIT,ERD"]

    def relink(self, name: str, flags: list[str], drop: tuple[str, ...] = (),
               extra_objects: list[str] | None = None,
               replace: dict[str, str] | None = None) -> Path:
        image = self.out / f"{name}.sys"
        words = []
        for word in self.link:
            if replace and word in replace:
                word = replace[word]
            if any(word.upper().startswith(d.upper()) for d in drop):
                continue
            if any(word.startswith(e) for e in ENTRY_FLAGS) and any(
                    f.startswith(e) for f in flags for e in ENTRY_FLAGS):
                continue
            word = word.replace(f"/OUT:{self.image}", f"/OUT:{image}")
            if word == str(self.image):
                word = str(image)
            if word.startswith(("/MAP:", "-Wl,-Map,")):
                word = word.split(":", 1)[0] + ":" if word.startswith("/MAP:") else "-Wl,-Map,"
                word += str(image.with_suffix(".map"))
            words.append(word)
        image.unlink(missing_ok=True)
        run([*words[:1], *flags, *words[1:], *(extra_objects or [])], f"link {name}")
        return image

    def verdict(self, image: Path, options: list[str] | None = None) -> tuple[int, list[str]]:
        command = []
        for word in self.check:
            if word == str(self.image):
                word = str(image)
            elif self.link_map is not None and word == str(self.link_map):
                word = str(image.with_suffix(".map"))
            command.append(word)
        command += options or []
        print("+", shlex.join(command), flush=True)
        done = subprocess.run(command, capture_output=True, text=True)
        sys.stdout.write(done.stdout + done.stderr)
        failures = [line.split(": ", 2)[2] for line in done.stdout.splitlines()
                    if line.startswith("FAIL: ")]
        return done.returncode, failures


def judge(name: str, status: int, failures: list[str], expect: list[str]) -> bool:
    """True when the checker's verdict is the one `expect` asks for (empty: accepted)."""
    if not expect:
        if status == 0:
            print(f"image_flaws: {name}: accepted, as it must be")
            return True
        print(f"image_flaws: {name}: REFUSED, but it has no flaw (exit {status})")
        return False
    missing = [e for e in expect if not any(e in f for f in failures)]
    stray = [f for f in failures if not any(e in f for e in expect)]
    if status == 1 and not missing and not stray:
        print(f"image_flaws: {name}: refused, as it must be ({'; '.join(expect)})")
        return True
    if status != 1:
        print(f"image_flaws: {name}: the checker exited {status}, not 1")
    for text in missing:
        print(f"image_flaws: {name}: the checker did not report {text!r}")
    for text in stray:
        print(f"image_flaws: {name}: the checker also reported {text!r}, which this flaw "
              f"should not cause")
    return False


def patch(source: Path, target: Path, change) -> Path:
    """A copy of `source` changed by `change(pe)`, its checksum recomputed unless `change` sets
    one itself (returns True)."""
    pe = check_image.pefile.PE(str(source))
    if not change(pe):
        pe.OPTIONAL_HEADER.CheckSum = pe.generate_checksum()
    pe.write(str(target))
    return target


def set_text_writable(pe) -> None:
    for section in pe.sections:
        if section.Name.rstrip(b"\0") == b".text":
            section.Characteristics |= check_image.SCN_MEM_WRITE
            return
    raise RuntimeError("no .text section")


def zero_checksum(pe) -> bool:
    pe.OPTIONAL_HEADER.CheckSum = 0
    return True


def wrong_checksum(pe) -> bool:
    pe.OPTIONAL_HEADER.CheckSum = (pe.generate_checksum() + 1) & 0xFFFFFFFF
    return True


def clear_directory(index: int):
    def change(pe) -> None:
        pe.OPTIONAL_HEADER.DATA_DIRECTORY[index].VirtualAddress = 0
        pe.OPTIONAL_HEADER.DATA_DIRECTORY[index].Size = 0
    return change


def clear_dynamic_base(pe) -> None:
    pe.OPTIONAL_HEADER.DllCharacteristics &= ~check_image.DLLCHAR_DYNAMIC_BASE


def strip_relocations(pe) -> None:
    """What /FIXED does to the table and the flag."""
    clear_directory(check_image.DIR_BASERELOC)(pe)
    pe.FILE_HEADER.Characteristics |= check_image.FILE_RELOCS_STRIPPED


# lld-link refuses /DYNAMICBASE:NO and /FIXED for ARM64 ("not compatible with arm64"): there the
# same flaws are patched into a copy.
ARM64_PATCHES = {
    "dynamic_base_off": (clear_dynamic_base, [DYNAMIC]),
    "fixed": (strip_relocations, [STRIPPED, UNRELOCATED]),
}


def entry_not_executable(pe) -> None:
    """What lld-link's /SECTION:<name>,D does to the section holding the entry point, for the
    linkers that have no such flag."""
    entry = pe.OPTIONAL_HEADER.AddressOfEntryPoint
    for section in pe.sections:
        if section.VirtualAddress <= entry < section.VirtualAddress + section.Misc_VirtualSize:
            section.Characteristics &= ~(check_image.SCN_MEM_EXECUTE | check_image.SCN_MEM_READ)
            return
    raise RuntimeError("no section holds the entry point")


def add_init_section(pe) -> None:
    """GNU ld keeps no INIT here: name the code section INIT instead (characteristics kept:
    code, execute, read; not discardable), which is what a non-discardable INIT looks like."""
    for section in pe.sections:
        if section.Name.rstrip(b"\0") == b".text":
            section.Name = b"INIT\0\0\0\0"
            return
    raise RuntimeError("no .text section to rename")


def delay_helper(toolchain: str, out: Path) -> str:
    """The stand-in __delayLoadHelper2, compiled for the image's target (cases/
    delay_load_helper.c: on x86 __stdcall, as the delay-load thunks call it)."""
    if toolchain.startswith("clang-cl"):
        obj = out / "delay_load_helper.obj"
        target = {"clang-cl-x64": "x86_64-pc-windows-msvc", "clang-cl-x86": "i686-pc-windows-msvc",
                  "clang-cl-arm64": "aarch64-pc-windows-msvc"}[toolchain]
        run([tool("clang-cl-19", "clang-tools-19"), f"--target={target}", "/c", "/O2", "/GS-",
             "/Zl", "/W4", "/WX", f"/Fo{obj}", "--", str(DELAY_HELPER)],
            "compile delay_load_helper.c")
        return str(obj)
    if toolchain == "clang-x86_64":
        obj = out / "delay_load_helper.o"
        run([tool("clang-19", "clang-19"), "--target=x86_64-w64-mingw32", "-c", "-O2", "-Wall",
             "-Wextra", "-Werror", str(DELAY_HELPER), "-o", str(obj)],
            "compile delay_load_helper.c")
        return str(obj)
    triplet = "i686-w64-mingw32" if toolchain == "gcc-i686" else "x86_64-w64-mingw32"
    obj = out / "delay_load_helper.o"
    run([tool(f"{triplet}-gcc", f"gcc-mingw-w64-{'i686' if 'i686' in triplet else 'x86-64'}-win32"),
         "-c", "-O2", "-Wall", "-Wextra", "-Werror", str(DELAY_HELPER), "-o", str(obj)],
        "compile delay_load_helper.c")
    return str(obj)


def delay_library(build_output: str, out: Path) -> dict[str, str]:
    """{ks.sys import library: a delay-import library of the same .def}, by the dlltool command
    build_driver.py printed for ks.sys, run again with -y (--output-delaylib) instead of -l."""
    for line in build_output.splitlines():
        words = shlex.split(line[2:]) if line.startswith("+ ") else []
        if words and words[0].endswith("dlltool") and "-l" in words and \
                Path(words[words.index("-l") + 1]).name == "libks.a":
            library = words[words.index("-l") + 1]
            delayed = out / "libks-delay.a"
            command = [w for w in words if w != "-k"]
            command[command.index("-l"):command.index("-l") + 2] = ["-y", str(delayed)]
            if "-k" in words:
                command[1:1] = ["-k"]
            run(command, "dlltool -y ks.sys")
            return {library: str(delayed)}
    raise RuntimeError("build_driver.py printed no dlltool command for libks.a")


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        raise Skip(f"{package} not installed (no {name})")
    return path


def gs_twins(build: list[str], relinker: Relinker, good: Path, out: Path) -> bool:
    """The /GS rule: the API case (which has functions /GS protects; this script's case has
    none) built with build_driver.py --gs (its object calls the cookie check, gs_support.obj
    defines the cookie) and relinked as every relink here is, at /ENTRY:DriverEntry, must be
    refused; at /ENTRY:GsDriverEntry accepted. The accepted image without /GS, checked with the
    /GS object given as --object, must be refused too: the object alone shows it."""
    gs_out = out / "gs"
    swap = {str(out / "base"): str(gs_out), str(CASE): str(GS_CASE)}
    command = [swap.get(w, w) for w in build] + ["--gs"]
    print("+", shlex.join(command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    sys.stdout.write(done.stdout + done.stderr)
    image = gs_out / f"{GS_CASE.stem}.sys"
    if done.returncode != 0 or not image.exists():
        print(f"image_flaws: build_driver.py --gs failed (exit {done.returncode})")
        return False
    link, check = printed_commands(done.stdout, image)
    gs = Relinker("msvc", link, check, image, out / "flaws")
    ok = True
    flawed = gs.relink("gs_entry_driverentry", [])
    status, failures = gs.verdict(flawed)
    ok &= judge("gs_entry_driverentry", status, failures, [GS_ENTRY])
    twin = gs.relink("gs_entry_gsdriverentry", ["/ENTRY:GsDriverEntry"])
    status, failures = gs.verdict(twin)
    ok &= judge("gs_entry_gsdriverentry", status, failures, [])
    status, failures = relinker.verdict(good, ["--object", str(gs_out / f"{GS_CASE.stem}.obj")])
    ok &= judge("good checked with the /GS object", status, failures, [GS_ENTRY])
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toolchain", required=True,
                        choices=sorted(FAMILIES))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--ks-def", required=True, type=Path)
    parser.add_argument("-I", dest="includes", action="append", default=[], type=Path)
    parser.add_argument("--require-tools", action="store_true")
    args = parser.parse_args()
    # A missing pefile is a missing tool: skipped, or with --require-tools a failure.
    check_image.require_pefile(__file__, 1 if args.require_tools else SKIP)

    family = FAMILIES[args.toolchain]
    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out / "flaws", ignore_errors=True)
    (out / "flaws").mkdir(parents=True, exist_ok=True)
    base = out / "base"
    build = [sys.executable, str(HERE / "build_driver.py"), "--toolchain", args.toolchain,
             "--source", str(CASE), "--out", str(base), "--ks-def", str(args.ks_def),
             "--no-include-graph",
             *[a for p in args.includes for a in ("-I", str(p))],
             *(["--require-tools"] if args.require_tools else [])]
    print("+", shlex.join(build), flush=True)
    done = subprocess.run(build, capture_output=True, text=True)
    sys.stdout.write(done.stdout + done.stderr)
    if done.returncode == SKIP:
        return SKIP
    image = base / f"{CASE.stem}.sys"
    # build_driver.py's own verdict is its flags' business; this test needs its object and its
    # link command, and checks its own relinks.
    if not image.exists():
        print("image_flaws: build_driver.py built no image")
        return 1
    try:
        link, check = printed_commands(done.stdout, image)
        relinker = Relinker(family, link, check, image, out / "flaws")
        ok = True

        good = relinker.relink("good", [])
        status, failures = relinker.verdict(good)
        ok &= judge("good (no flaw)", status, failures, [])
        pe = check_image.PeFile(good.read_bytes())
        wide = pe.width == 8

        for flaw in FLAWS:
            flags = flaw.flags(family)
            if flags is None or (flaw.wide_only and not wide):
                continue
            if args.toolchain == "clang-cl-arm64" and flaw.name in ARM64_PATCHES:
                change, expect = ARM64_PATCHES[flaw.name]
                flawed = patch(good, out / "flaws" / f"{flaw.name}.sys", change)
                status, failures = relinker.verdict(flawed)
                ok &= judge(f"{flaw.name} (patched)", status, failures, expect)
                continue
            extra, replace = [], {}
            if flaw.name == "delay_load":
                extra = [delay_helper(args.toolchain, out / "flaws")]
                if family == "gnu":
                    replace = delay_library(done.stdout, out / "flaws")
            prefix = "_" if pe.machine == 0x014C else ""
            flawed = relinker.relink(flaw.name, [f.format(c=prefix) for f in flags],
                                     drop=flaw.drop,
                                     extra_objects=extra, replace=replace)
            status, failures = relinker.verdict(flawed)
            also = [a for a in ALSO.get((family, flaw.name), []) if a != ENTROPY or wide]
            ok &= judge(flaw.name, status, failures, flaw.expect + also)
            if flaw.name == "delay_load":
                # --require-import adds to the default imports, and --no-default-imports drops
                # them: the image lacks the handshake imports, and ks.sys has no KsNoSuchFunction.
                status, failures = relinker.verdict(
                    flawed, ["--require-import", "ks.sys!KsNoSuchFunction"])
                ok &= judge("delay_load --require-import ks.sys!KsNoSuchFunction", status,
                            failures, [DELAY, "KsPinHandshake is not imported from ks.sys",
                                       "KsPinRegisterHandshakeCallback is not imported from",
                                       "KsNoSuchFunction is not imported from ks.sys"])
                status, failures = relinker.verdict(flawed, ["--no-default-imports"])
                ok &= judge("delay_load --no-default-imports", status, failures, [DELAY])
            if flaw.name == "force_integrity":
                status, failures = relinker.verdict(flawed, ["--signed"])
                ok &= judge("force_integrity --signed", status, failures, [])
            if flaw.name == "export":
                exported = check_image.PeFile(flawed.read_bytes()).pe
                names = [s.name.decode() for s in exported.DIRECTORY_ENTRY_EXPORT.symbols
                         if s.name]
                allow = [a for n in names for a in ("--allow-export", n)]
                status, failures = relinker.verdict(flawed, allow)
                ok &= judge(f"export --allow-export {' '.join(names)}", status, failures, [])

        patched = {"no_relocation_table": clear_directory(check_image.DIR_BASERELOC)}
        if wide:
            patched["no_exception_directory"] = clear_directory(check_image.DIR_EXCEPTION)
        if family != "msvc":
            patched["init_not_discardable"] = add_init_section
            patched["entry_not_executable"] = entry_not_executable
        if family == "gnu":
            patched["writable_code"] = set_text_writable
            patched["no_checksum"] = zero_checksum
        patched["wrong_checksum"] = wrong_checksum
        for name, change in patched.items():
            flawed = patch(good, out / "flaws" / f"{name}.sys", change)
            if relinker.link_map is not None:
                shutil.copyfile(good.with_suffix(".map"), flawed.with_suffix(".map"))
            status, failures = relinker.verdict(flawed)
            ok &= judge(f"{name} (patched)", status, failures, PATCHED[name])
        if family == "msvc":
            ok &= gs_twins(build, relinker, good, out)
        # The machine rule: the accepted image checked as another architecture's.
        other = "x64" if pe.machine == 0x014C else "x86"
        status, failures = relinker.verdict(good, ["--machine", other])
        ok &= judge(f"good checked with --machine {other}", status, failures, MACHINE)
        objcopy = (tool(f"{TRIPLETS[args.toolchain]}-objcopy", BINUTILS[args.toolchain])
                   if family == "gnu" else tool("llvm-objcopy-19", "llvm-19"))
        for name, (section, expect, wide_only) in REMOVED.items():
            if wide_only and not wide:
                continue
            flawed = out / "flaws" / f"{name}.sys"
            run([objcopy, "-R", section, str(good), str(flawed)], f"objcopy -R {section}")
            if relinker.link_map is not None:
                shutil.copyfile(good.with_suffix(".map"), flawed.with_suffix(".map"))
            status, failures = relinker.verdict(flawed)
            ok &= judge(f"{name} (objcopy -R {section})", status, failures,
                        expect + ([] if family == "gnu" else [CHECKSUM_ZERO]))
    except Skip as skip:
        if args.require_tools:
            print(f"FAILED: {skip} (kernel tests are required: -Dkernel_tests=enabled)")
            return 1
        print(f"skipped: {skip}")
        return SKIP
    except (RuntimeError, OSError, ValueError, subprocess.CalledProcessError) as error:
        print(f"image_flaws: {args.toolchain}: {error}")
        return 1
    print(f"image_flaws: {args.toolchain}: {'every verdict as it must be' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
