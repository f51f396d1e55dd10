#!/usr/bin/env python3
"""Runs the kernel images the suite builds under Wine, with a test-only ks.sys stand-in and Wine's
own ntoskrnl.exe, and checks what each negotiation agreed.

    run_images.py [--out DIR] [--jobs N] [--timeout SECONDS] [--allow-skip] [--only TEXT] [--list]

For every row of IMAGES it builds the image with tests/kernel/build_driver.py (which also checks
it with check_image.py), then runs it with harness.exe (harness.c) under `wine`: the harness
loads the image with Wine's PE loader, applies any relocation the loader skipped, calls the
entry point (DriverEntry, or GsDriverEntry with /GS), drives the pins (Create, SetDeviceState)
and prints what happened; the stand-in ks.sys (ks_standin.c) routes KsPinHandshake and
IOCTL_KS_HANDSHAKE to the connected pin's registered callback and, on x86, checks that every
routine the platform calls pops its arguments. This script compares the printed statuses and
agreed values with what the drivers document (docs/driver.md "The sample driver",
examples/avstream_driver/sample_pins.hpp, the comments of tests/kernel/cases/kernel_api.cpp); for
the timing case (tests/kernel/cases/time_negotiations.cpp) it checks the counts, statuses and
arithmetic of what the image recorded and printed through DbgPrintEx (Wine's `debugstr` channel,
on for those rows; the lines are shown), never a time. A row marked `fails` is a negative case:
it must FAIL, with each of its texts in the report; its twin is the row it names.

Builds the stand-in and the harness for x64 and x86 with mingw-w64 gcc, makes one Wine prefix
under DIR (reused by later runs) and one persistent wineserver, and runs every image in a process
of its own (a fraction of a second each). No window: WINEDEBUG=-all (the timing rows add
warn+debugstr), no DISPLAY, mono/gecko/menubuilder off; every wine call has a timeout. Prints
one line an image with its time; exits 1 when any row does not behave as the table says, 77 when
Wine or a cross tool is missing and --allow-skip was given, 2 when --only matches no row.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL = HERE.parent
ROOT = KERNEL.parent.parent
BUILD_DRIVER = KERNEL / "build_driver.py"
SAMPLE = ROOT / "examples" / "avstream_driver" / "avstream_driver.cpp"
KS_DEF = ROOT / "examples" / "avstream_driver" / "ks.def"
KERNEL_API = KERNEL / "cases" / "kernel_api.cpp"
DEFECTS = HERE / "cases" / "handshake_defects.cpp"
TIMING = KERNEL / "cases" / "time_negotiations.cpp"
KS_MISSING_DEF = HERE / "ks_missing.def"
SKIP = 77

# x86: the routines the platform calls __stdcall, checked in the image by check_image.py as the
# kernel suite does (tests/kernel/meson.build); here they are also measured when they run.
STDCALL_SAMPLE = ["--callee-pops", "SourcePinCreate=8", "--callee-pops", "SourcePinSetDeviceState=12",
                  "--callee-pops", "SinkPinCreate=8", "--callee-pops", "::callback<_KSPIN*=12",
                  "--callee-pops", "DriverEntry=8"]
STDCALL_SAMPLE_MSVC = ["--callee-pops", "SourcePinCreate=8", "--callee-pops",
                       "SourcePinSetDeviceState=12", "--callee-pops", "SinkPinCreate=8",
                       "--callee-pops", "callback@PAU_KSPIN@@UKSHANDSHAKE@@J@=12",
                       "--callee-pops", "DriverEntry=8"]
STDCALL_API = {
    "gcc-i686": ["--callee-pops", "::callback<_KSPIN*=12", "--callee-pops", "DriverEntry=8"],
    "clang-cl-x86": ["--callee-pops", "callback@PAU_KSPIN@@UKSHANDSHAKE@@J@=12",
                     "--callee-pops", "DriverEntry=8"],
}
ARCH = {"gcc-x86_64": "x64", "clang-x86_64": "x64", "clang-cl-x64": "x64", "clang-cl-x64-ddk": "x64",
        "gcc-i686": "x86", "clang-cl-x86": "x86", "clang-cl-x86-ddk": "x86"}
# /GS images enter at GsDriverEntry, which pops DriverEntry's 8 bytes on x86 too.
GS = ["--gs"]
GS_X86 = ["--gs", "--callee-pops", "GsDriverEntry=8"]
# The timing case imports the performance counter from hal.dll (the WDK's hal.lib; for the
# stand-ins build_driver.py links wdk/hal.def's import library) and DbgPrintEx.
TIMING_IMPORTS = ["--require-import", "hal.dll!KeQueryPerformanceCounter",
                  "--require-import", "ntoskrnl.exe!DbgPrintEx"]
TIMING_N = 10_000  # negotiations a case, given to the image by the harness
# Wine's DbgPrintEx (ntdll's vDbgPrintExWithPrefix) writes each line to the debug channel
# `debugstr` at the warn level; every other channel stays off.
DBGPRINT_SEEN = "-all,warn+debugstr"


@dataclass
class Image:
    """One image to build and run. `check` names the expectation (EXPECT below); `fails`: the
    texts a negative case's report must contain (it must fail); `fails_somehow`: a negative
    case whose failure has no one form (undefined behaviour); `prints`: texts a passing run
    must print; `twin`: the row a negative case differs from by its one defect; `image_of`: the
    row whose image this one runs (with other harness options); `winedebug`: Wine's debug
    channels for the run."""
    name: str
    toolchain: str
    source: Path
    check: str
    opt: str = "O2"
    build: list[str] = field(default_factory=list)
    harness: list[str] = field(default_factory=list)
    fails: list[str] = field(default_factory=list)
    fails_somehow: bool = False
    prints: list[str] = field(default_factory=list)
    twin: str = ""
    ks_def: Path = KS_DEF
    image_of: str = ""  # run the image another row built, not a build of its own
    winedebug: str = "-all"  # WINEDEBUG for the run

    @property
    def arch(self) -> str:
        return ARCH[self.toolchain]


def sample(toolchain: str, opt: str = "O2", name: str = "", build: list[str] | None = None,
           extra: list[str] | None = None, **kw) -> Image:
    """The sample driver: DriverEntry -> KsInitializeDriver, pins from its descriptors."""
    msvc = toolchain.startswith("clang-cl")
    x86 = ARCH[toolchain] == "x86"
    stdcall = (STDCALL_SAMPLE_MSVC if msvc else STDCALL_SAMPLE) if x86 else []
    return Image(name or f"sample-{toolchain}" + (f"-{opt}" if msvc else ""), toolchain, SAMPLE,
                 "sample", opt=opt,
                 build=(build if build is not None else stdcall) + (extra or []), **kw)


def kernel_api(toolchain: str, opt: str = "O2", name: str = "", extra: list[str] | None = None,
               **kw) -> Image:
    """tests/kernel/cases/kernel_api.cpp: pins handed in through kshake_test_run."""
    msvc = toolchain.startswith("clang-cl")
    stdcall = STDCALL_API["clang-cl-x86" if toolchain.startswith("clang-cl-x86") else toolchain] \
        if ARCH[toolchain] == "x86" else []
    return Image(name or f"kernel_api-{toolchain}" + (f"-{opt}" if msvc else ""), toolchain,
                 KERNEL_API, "kernel_api", opt=opt, build=stdcall + (extra or []), **kw)


def timing(toolchain: str, name: str = "", harness: list[str] | None = None, **kw) -> Image:
    """tests/kernel/cases/time_negotiations.cpp (clang-cl at /O2): TIMING_N negotiations a case,
    its DbgPrintEx lines shown."""
    msvc = toolchain.startswith("clang-cl")
    stdcall = STDCALL_API["clang-cl-x86" if toolchain.startswith("clang-cl-x86") else toolchain] \
        if ARCH[toolchain] == "x86" else []
    kw.setdefault("winedebug", DBGPRINT_SEEN)
    return Image(name or f"time_negotiations-{toolchain}" + ("-O2" if msvc else ""), toolchain,
                 TIMING, "timing", build=stdcall + TIMING_IMPORTS,
                 harness=["--negotiations", str(TIMING_N)] + (harness or []), **kw)


def defects(defect: int, **kw) -> Image:
    """cases/handshake_defects.cpp, KSHAKE_TEST_DEFECT=defect (0: the twin)."""
    names = {0: "handshake_ok", 1: "writes_out_on_refusal", 2: "wrong_response_size",
             3: "unresolved_import"}
    return Image(f"{names[defect]}-gcc-x86_64", "gcc-x86_64", DEFECTS, "defects",
                 build=[f"--extra-flag=-DKSHAKE_TEST_DEFECT={defect}"],
                 ks_def=KS_MISSING_DEF if defect == 3 else KS_DEF, **kw)


# Every image the step runs, one line each.
IMAGES = [
    # The sample driver (docs/driver.md "The sample driver") with each mingw-style toolchain.
    sample("gcc-x86_64"),
    sample("gcc-i686"),
    sample("clang-x86_64"),
    # Every kernel-facing API (tests/kernel/cases/kernel_api.cpp), each x64 and x86 toolchain.
    kernel_api("gcc-x86_64"),
    kernel_api("gcc-i686"),
    kernel_api("clang-x86_64"),
    kernel_api("clang-cl-x64", "O2"),
    kernel_api("clang-cl-x64", "Od"),
    kernel_api("clang-cl-x86", "O2"),
    kernel_api("clang-cl-x86", "Od"),
    # The MSVC ABI on mingw-w64's DDK headers (build_driver.py clang-cl-*-ddk).
    sample("clang-cl-x64-ddk", "O2"),
    sample("clang-cl-x64-ddk", "Od"),
    sample("clang-cl-x86-ddk", "O2"),
    sample("clang-cl-x86-ddk", "Od"),
    kernel_api("clang-cl-x64-ddk", "O2"),
    kernel_api("clang-cl-x64-ddk", "Od"),
    kernel_api("clang-cl-x86-ddk", "O2"),
    kernel_api("clang-cl-x86-ddk", "Od"),
    # /GS, as a default WDK project builds (entered at GsDriverEntry, which sets the cookie), as
    # the kernel suite builds it: on the DDK headers at /O2 and /Od, the API case on the WDK
    # stand-ins at /O2.
    sample("clang-cl-x64-ddk", "O2", name="sample-gs-clang-cl-x64-ddk-O2", extra=GS),
    sample("clang-cl-x64-ddk", "Od", name="sample-gs-clang-cl-x64-ddk-Od", extra=GS),
    sample("clang-cl-x86-ddk", "O2", name="sample-gs-clang-cl-x86-ddk-O2", extra=GS_X86),
    sample("clang-cl-x86-ddk", "Od", name="sample-gs-clang-cl-x86-ddk-Od", extra=GS_X86),
    kernel_api("clang-cl-x64-ddk", "O2", name="kernel_api-gs-clang-cl-x64-ddk-O2", extra=GS),
    kernel_api("clang-cl-x64-ddk", "Od", name="kernel_api-gs-clang-cl-x64-ddk-Od", extra=GS),
    kernel_api("clang-cl-x86-ddk", "O2", name="kernel_api-gs-clang-cl-x86-ddk-O2", extra=GS_X86),
    kernel_api("clang-cl-x86-ddk", "Od", name="kernel_api-gs-clang-cl-x86-ddk-Od", extra=GS_X86),
    kernel_api("clang-cl-x64", "O2", name="kernel_api-gs-clang-cl-x64-O2", extra=GS),
    kernel_api("clang-cl-x86", "O2", name="kernel_api-gs-clang-cl-x86-O2", extra=GS_X86),
    # A driver's self-test timing negotiations (docs/driver.md "Timing negotiations in a driver").
    timing("gcc-x86_64"),
    timing("gcc-i686"),
    timing("clang-x86_64"),
    timing("clang-cl-x64"),
    timing("clang-cl-x86"),
    # Relocations: with the loader's relocations put back (as Wine 8 leaves some images), the
    # harness must find and apply them; left so, the same image must not run right (it jumps
    # through unrelocated pointers: an access violation, or code of the harness's own).
    kernel_api("clang-cl-x64", "O2", name="relocations_repaired-clang-cl-x64-O2",
               image_of="kernel_api-clang-cl-x64-O2", harness=["--undo-relocations"],
               prints=["the loader skipped its"]),
    kernel_api("clang-cl-x64", "O2", name="relocations_left-clang-cl-x64-O2",
               image_of="kernel_api-clang-cl-x64-O2",
               harness=["--undo-relocations", "--keep-unrelocated"],
               fails_somehow=True, twin="relocations_repaired-clang-cl-x64-O2"),
    # The negative cases, each with its twin.
    sample("gcc-i686", name="cdecl_callback-gcc-i686", build=["--no-rtd"], twin="sample-gcc-i686",
           fails=["handshake callback popped 0 bytes; ks.sys calls PFNKSPINHANDSHAKE __stdcall "
                  "and expects it to pop 12"]),
    defects(0),
    defects(1, twin="handshake_ok-gcc-x86_64",
            fails=["handshake callback refused (0xC0000059) but wrote Out"]),
    defects(2, twin="handshake_ok-gcc-x86_64",
            fails=["status 0xC0000186 (STATUS_DEVICE_PROTOCOL_ERROR), expected 0x00000000"]),
    defects(3, twin="handshake_ok-gcc-x86_64",
            fails=["imports ks.sys!KsPinAcquireProcessingMutex, which the ks.sys stand-in does "
                   "not export", "crash: the image called ks.sys!KsPinAcquireProcessingMutex"]),
    # The timing image's records and lines are read, not assumed: the stand-in refuses one hit
    # over KsPinHandshake (the image's handshake TIMING_N // 2), and the same image run without
    # Wine's debugstr channel prints nothing the check can find.
    timing("gcc-x86_64", name="timing_one_refused-gcc-x86_64",
           image_of="time_negotiations-gcc-x86_64",
           harness=["--fail-handshake", str(TIMING_N // 2)], twin="time_negotiations-gcc-x86_64",
           fails=[f"hit over connected_pin: {TIMING_N - 1} of {TIMING_N} negotiations as "
                  "expected (0x00000000), the first other ended with 0xC000009D"]),
    timing("gcc-x86_64", name="timing_dbgprint_unseen-gcc-x86_64",
           image_of="time_negotiations-gcc-x86_64", winedebug="-all",
           twin="time_negotiations-gcc-x86_64",
           fails=["no DbgPrintEx line for hit over direct_pin"]),
]

# ---- What each driver documents ----

STATUS = {0x00000000: "STATUS_SUCCESS", 0xC0000059: "STATUS_REVISION_MISMATCH",
          0xC0000184: "STATUS_INVALID_DEVICE_STATE", 0xC0000186: "STATUS_DEVICE_PROTOCOL_ERROR",
          0xC0000010: "STATUS_INVALID_DEVICE_REQUEST", 0xC000009D: "STATUS_DEVICE_NOT_CONNECTED",
          0xC0000005: "STATUS_ACCESS_VIOLATION"}
SUCCESS, REVISION_MISMATCH, INVALID_DEVICE_STATE = 0, 0xC0000059, 0xC0000184
KSHANDSHAKE_SIZE = {"x64": 32, "x86": 24}  # GUID + two pointers (docs/wire.md section 1)

# examples/contoso_protocols.hpp
FRAME_POOL = "8E4C7A52-1F0B-4D6E-9A37-5B2C1D0E6F81"
SHARED_CLOCK = "8E4C7A52-1F0B-4D6E-9A37-5B2C1D0E6F82"
# The sample: the source offers frame-pool v3, v2, v1 and then the clock; the sink serves
# frame-pool v1..v2 and the clock (sample_pins.hpp), so v3 is refused and v2 and the clock agreed.
SAMPLE_HANDSHAKES = [("KsPinHandshake", FRAME_POOL, 3, REVISION_MISMATCH),
                     ("KsPinHandshake", FRAME_POOL, 2, SUCCESS),
                     ("KsPinHandshake", SHARED_CLOCK, 1, SUCCESS)]
# sample::source_agreement (sample_pins.hpp), 32-bit words: the source pin's context.
AGREEMENT = ["pool_status", "pool_version", "pool.frames", "pool.alignment", "pool.address.low",
             "pool.address.high", "clock_status", "(padding)", "clock.frequency_hz.low",
             "clock.frequency_hz.high", "clock.resolution_100ns", "clock.shared"]
SAMPLE_ACQUIRED = {
    "pool_status": SUCCESS, "pool_version": 2,
    "pool.frames": 8,            # the sink's pool_frames (avstream_driver.cpp SinkPinCreate)
    "pool.alignment": 4096,      # grant_frame_pool: version >= 2
    "pool.address.low": 0, "pool.address.high": 0,  # the sink's pool_address
    "clock_status": SUCCESS,
    "clock.frequency_hz.low": 10_000_000, "clock.frequency_hz.high": 0,  # the sink's clock
    "clock.resolution_100ns": 10,  # wanted_clock_resolution_100ns, echoed by describe_clock
    "clock.shared": 1,
}
# Back at KSSTATE_STOP the agreement is forgotten: a default source_agreement.
SAMPLE_STOPPED = {"pool_status": INVALID_DEVICE_STATE, "pool_version": 0,
                  "clock_status": INVALID_DEVICE_STATE}

# tests/kernel/cases/kernel_api.cpp: six protocols; the source offers frame-pool v3 then v2 and
# asks the other five, over the connection and then over the peer's file object.
API_IDS = {n: f"3F1D2C4B-5A69-4E7D-8C9B-0A1B2C3D4E5{i}" for i, n in enumerate(
    ["frame_pool", "shared_clock", "format_query", "power_state", "statistics", "ping"])}
API_OFFERS = [("frame_pool", 3, REVISION_MISMATCH), ("frame_pool", 2, SUCCESS),
              ("shared_clock", 1, SUCCESS), ("format_query", 1, SUCCESS),
              ("power_state", 1, SUCCESS), ("statistics", 1, SUCCESS), ("ping", 1, SUCCESS)]
API_VALUES = ["status", "pool_version", "pool.frames", "pool.alignment", "pool.address",
              "clock.frequency_hz", "format.stride", "format.frame_bytes", "power.previous_state",
              "stats.delivered", "stats.dropped", "echo.cookie"]


def api_expected(previous_power: int) -> dict[str, int]:
    return {"status": SUCCESS, "pool_version": 2,
            "pool.frames": 8, "pool.alignment": 4096,  # sink_context; version >= 2
            "pool.address": 0x10000000,                # sink_context.pool_address
            "clock.frequency_hz": 10_000_000 // 10,     # describe_clock at resolution 10
            "format.stride": 1920 * 2, "format.frame_bytes": 1920 * 2 * 1080,  # answer_format
            "power.previous_state": previous_power,    # set_power: 0, then 1 from the first run
            "stats.delivered": 0, "stats.dropped": 0,
            "echo.cookie": ~0x1234 & 0xFFFFFFFF}       # answer_ping


# cases/handshake_defects.cpp: echo v3 refused, v2 agreed, the cookie inverted, served once.
ECHO = "6B0E51C2-97A4-4F3D-8E21-3C5D7A9B0F11"
DEFECT_VALUES = ["status", "version", "reply.cookie", "reply.served"]
DEFECT_EXPECTED = {"status": SUCCESS, "version": 2, "reply.cookie": ~0x1234 & 0xFFFFFFFF,
                   "reply.served": 1}


def status_text(value: int) -> str:
    name = STATUS.get(value)
    return f"0x{value:08X}" + (f" ({name})" if name else "")


@dataclass
class Run:
    """What the harness printed, parsed."""
    code: int
    output: str
    calls: dict[str, tuple[int, int]] = field(default_factory=dict)
    handshakes: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    words: dict[str, list[int]] = field(default_factory=dict)
    pins: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    handshake_total: int = -1  # the stand-in's count, every handshake (only 64 are listed)
    timings: list[dict[str, str]] = field(default_factory=list)
    dbgprint: list[str] = field(default_factory=list)  # DbgPrintEx lines, Wine's prefix removed


def parse(code: int, output: str) -> Run:
    run = Run(code, output)
    for line in output.splitlines():
        key, _, rest = line.partition(": ")
        if key == "call":
            m = re.match(r"(.*) status=0x([0-9A-F]+) popped=(-?\d+)$", rest)
            if m:
                run.calls[m[1]] = (int(m[2], 16), int(m[3]))
        elif key == "handshake":
            f = dict(item.split("=", 1) for item in rest.split())
            run.handshakes.append((f["via"], f["id"], int(f["version"]), int(f["status"], 16),
                                   int(f["bytes_returned"])))
        elif key in ("context-acquire", "context-stop", "value"):
            run.words[key] = [int(w, 16) for w in rest.split()]
        elif key == "pin":
            run.pins.append(rest)
        elif key == "handshakes":
            run.handshake_total = int(rest.partition("total=")[2] or -1)
        elif key == "timing":
            run.timings.append(dict(item.split("=", 1) for item in rest.split()))
        elif "kshake timing: " in line:  # "0024:warn:debugstr:vDbgPrintExWithPrefix 00000051:..."
            run.dbgprint.append(line[line.index("kshake timing: "):])
        elif key in ("violation", "crash"):
            run.problems.append(line)
    if not any(line.startswith("harness: ran") for line in output.splitlines()):
        run.problems.append(f"the harness did not finish (exit code {code})")
    elif code != 0:
        run.problems.append(f"harness exit code {code}")
    return run


def compare(what: str, names: list[str], words: list[int], expected: dict[str, int]) -> list[str]:
    got = dict(zip(names, words))
    out = []
    for key, want in expected.items():
        if key not in got:
            out.append(f"{what}: no {key}")
        elif got[key] != want:
            out.append(f"{what}: {key} {status_text(got[key]) if 'status' in key else got[key]}, "
                       f"expected {status_text(want) if 'status' in key else want}")
    return out


def compare_handshakes(got, want) -> list[str]:
    if [h[:4] for h in got] == want:
        return []
    show = lambda hs: "; ".join(f"{v} {i[:8]} v{n} {status_text(s)}" for v, i, n, s, *_ in hs)
    return [f"handshakes: {show(got) or 'none'}; expected {show(want)}"]


def check_sample(image: Image, run: Run) -> tuple[list[str], str]:
    problems = []
    for call in ("entry point", "sink Create", "source Create",
                 "source SetDeviceState STOP->ACQUIRE", "source SetDeviceState ACQUIRE->STOP"):
        if call not in run.calls:
            problems.append(f"{call} was not called")
        elif run.calls[call][0] != SUCCESS:
            problems.append(f"{call}: status {status_text(run.calls[call][0])}, expected "
                            f"{status_text(SUCCESS)}")
    for pin in run.pins:
        if "context=set in_bag=yes" not in pin:
            problems.append(f"pin {pin}: its context must be set and in the pin's object bag")
    if len(run.pins) != 2:
        problems.append(f"{len(run.pins)} pins created, expected 2")
    problems += compare_handshakes(run.handshakes, SAMPLE_HANDSHAKES)
    problems += compare("source context at ACQUIRE", AGREEMENT, run.words.get("context-acquire", []),
                        SAMPLE_ACQUIRED)
    problems += compare("source context back at STOP", AGREEMENT,
                        run.words.get("context-stop", []), SAMPLE_STOPPED)
    return problems, "frame-pool v2 (v3 refused: STATUS_REVISION_MISMATCH), shared-clock agreed"


def check_kernel_api(image: Image, run: Run) -> tuple[list[str], str]:
    problems = []
    if run.calls.get("entry point", (None,))[0] != SUCCESS:
        problems.append("the entry point (DriverEntry) did not return STATUS_SUCCESS")
    want = [("KsPinHandshake", API_IDS[p], v, s) for p, v, s in API_OFFERS] + \
           [("IOCTL_KS_HANDSHAKE", API_IDS[p], v, s) for p, v, s in API_OFFERS]
    problems += compare_handshakes(run.handshakes, want)
    for via, _, version, status, returned in run.handshakes:
        if via == "IOCTL_KS_HANDSHAKE":
            size = KSHANDSHAKE_SIZE[image.arch] if status == SUCCESS else 0
            if returned != size:
                problems.append(f"IOCTL_KS_HANDSHAKE v{version}: {returned} bytes returned, "
                                f"expected {size}")
    values = run.words.get("value", [])
    n = len(API_VALUES)
    problems += compare("over the connection", API_VALUES, values[:n], api_expected(0))
    problems += compare("over the file object", API_VALUES, values[n:2 * n], api_expected(1))
    return problems, "7 negotiations over KsPinHandshake and 7 over IOCTL_KS_HANDSHAKE agreed"


def check_defects(image: Image, run: Run) -> tuple[list[str], str]:
    problems = []
    problems += compare_handshakes(run.handshakes, [("KsPinHandshake", ECHO, 3, REVISION_MISMATCH),
                                                    ("KsPinHandshake", ECHO, 2, SUCCESS)])
    problems += compare("the echo negotiation", DEFECT_VALUES, run.words.get("value", []),
                        DEFECT_EXPECTED)
    return problems, "echo v2 agreed (v3 refused)"


# tests/kernel/cases/time_negotiations.cpp: the sample's protocols, three negotiations over two
# transports, in this order; each is timed over TIMING_N runs and must end with its status.
INVALID_DEVICE_REQUEST = 0xC0000010
TIMINGS = [(what, via) for via in ("direct_pin", "connected_pin")
           for what in ("hit", "unknown_id", "fall_through")]
TIMING_STATUS = {"hit": SUCCESS, "unknown_id": INVALID_DEVICE_REQUEST, "fall_through": SUCCESS}
# Handshakes a negotiation sends: a hit and an unknown id one, the fall-through two (v3, then v2).
TIMING_HANDSHAKES = {"hit": 1, "unknown_id": 1, "fall_through": 2}
DBGPRINT_LINE = re.compile(
    r"kshake timing: (?P<label>.+?): (?P<negotiations>\d+) negotiations, (?P<as_expected>\d+) as "
    r"expected \(0x(?P<expected>[0-9A-F]{8})\)(?:, first other status 0x(?P<other>[0-9A-F]{8}))?, "
    r"(?P<ticks>\d+) ticks at (?P<frequency>\d+) Hz = (?P<ns>\d+)\.(?P<tenth>\d) ns each$")


def timing_label(what: str, via: str) -> str:
    return f"{what.replace('_id', ' id').replace('_', '-')} over {via}"


def check_timing(image: Image, run: Run) -> tuple[list[str], str]:
    """The figures are not judged (no time is too long or too short); what each record and line
    says is: TIMING_N negotiations, every one with its status, some ticks at some frequency, the
    nanoseconds computed from them as Python computes them, the same figures in the DbgPrintEx
    line, and the handshakes that reached the stand-in (direct_pin bypasses it)."""
    problems = []
    if run.calls.get("entry point", (None,))[0] != SUCCESS:
        problems.append("the entry point (DriverEntry) did not return STATUS_SUCCESS")
    got = [(t.get("what"), t.get("via")) for t in run.timings]
    if got != TIMINGS:
        problems.append(f"timings recorded: {got}; expected {TIMINGS}")
    lines = {}
    for line in run.dbgprint:
        m = DBGPRINT_LINE.match(line)
        if m:
            lines[m["label"]] = m
        else:
            problems.append(f"a DbgPrintEx line of another form: {line!r}")
    summary = {}
    for t in run.timings:
        what, via = t.get("what", "?"), t.get("via", "?")
        label = timing_label(what, via)
        n, ok = int(t["negotiations"]), int(t["as_expected"])
        expected, other = int(t["expected"], 16), int(t["unexpected"], 16)
        ticks, frequency = int(t["ticks"]), int(t["frequency"])
        want = TIMING_STATUS.get(what)
        if n != TIMING_N:
            problems.append(f"{label}: {n} negotiations, expected {TIMING_N}")
        if expected != want:
            problems.append(f"{label}: expects {status_text(expected)}, not {status_text(want)}")
        if ok != n or other != expected:
            problems.append(f"{label}: {ok} of {n} negotiations as expected (0x{expected:08X}), "
                            f"the first other ended with 0x{other:08X}")
        if ticks <= 0 or frequency <= 0:
            problems.append(f"{label}: {ticks} ticks at {frequency} Hz: the counter did not run")
            continue
        ns_total = ticks * 10**9 // frequency
        ps_each = ticks * 10**12 // frequency // n if n else 0
        if int(t["ns_total"]) != ns_total or int(t["ps_each"]) != ps_each:
            problems.append(f"{label}: {t['ns_total']} ns in all and {t['ps_each']} ps each from "
                            f"{ticks} ticks at {frequency} Hz; expected {ns_total} and {ps_each}")
        m = lines.get(label)
        if m is None:
            problems.append(f"no DbgPrintEx line for {label} (Wine's debugstr channel)")
            continue
        printed = (int(m["negotiations"]), int(m["as_expected"]), int(m["expected"], 16),
                   int(m["other"] or m["expected"], 16), int(m["ticks"]), int(m["frequency"]),
                   int(m["ns"]), int(m["tenth"]))
        recorded = (n, ok, expected, other, ticks, frequency, ps_each // 1000,
                    ps_each % 1000 // 100)
        if printed != recorded:
            problems.append(f"{label}: DbgPrintEx printed {m.group(0)!r}, the record says "
                            f"{recorded}")
        summary[(what, via)] = f"{ps_each // 1000}.{ps_each % 1000 // 100}"  # as printed
    # Over connected_pin every handshake goes through the stand-in's KsPinHandshake; over
    # direct_pin none does.
    through = sum(TIMING_HANDSHAKES[w] * TIMING_N for w, v in TIMINGS if v == "connected_pin")
    if run.handshake_total != through:
        problems.append(f"the stand-in served {run.handshake_total} handshakes, expected "
                        f"{through} (those over connected_pin)")
    # The stand-in lists the first 64: the hit's, contoso.shared-clock v1 agreed.
    listed = [h[:4] for h in run.handshakes]
    if len(listed) != min(64, through) or \
            any(h != ("KsPinHandshake", SHARED_CLOCK, 1, SUCCESS) for h in listed):
        problems.append(f"the first handshakes the stand-in served are not {min(64, through)} "
                        "of the hit's over connected_pin (contoso.shared-clock v1 agreed)")
    shown = "; ".join(via + ": " + ", ".join(f"{timing_label(w, via).partition(' over')[0]} "
                                             f"{summary.get((w, via), '?')}" for w in TIMING_STATUS)
                      for via in ("direct_pin", "connected_pin"))
    return problems, f"{len(run.timings)} x {TIMING_N} negotiations as expected; ns each: {shown}"


EXPECT = {"sample": check_sample, "kernel_api": check_kernel_api, "defects": check_defects,
          "timing": check_timing}

assert all(i.twin in {j.name for j in IMAGES} for i in IMAGES if i.twin), "a twin is missing"
assert all(i.image_of in {j.name for j in IMAGES if not j.image_of} for i in IMAGES if i.image_of)
assert len({i.name for i in IMAGES}) == len(IMAGES), "two rows share a name"

# ---- Building ----


def run_tool(command: list[str], log: Path, timeout: int = 600) -> bool:
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    log.write_text(" ".join(command) + "\n" + done.stdout)
    return done.returncode == 0


def build_image(image: Image, out: Path) -> tuple[Image, Path | None, float]:
    start = time.monotonic()
    folder = out / "images" / image.name
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(BUILD_DRIVER), "--toolchain", image.toolchain,
               "--source", str(image.source), "--out", str(folder), "--ks-def", str(image.ks_def),
               "-I", str(ROOT / "include"), "--require-tools", *image.build]
    if image.toolchain.startswith("clang-cl"):
        command += ["--opt", image.opt]
    ok = run_tool(command, folder / "build.log")
    sys_file = folder / f"{image.source.stem}.sys"
    return image, (sys_file if ok and sys_file.exists() else None), time.monotonic() - start


TRIPLET = {"x64": "x86_64-w64-mingw32", "x86": "i686-w64-mingw32"}
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]


def build_harness(arch: str, out: Path) -> Path:
    """ks.sys (the stand-in) and harness.exe for one architecture, side by side, so that Wine
    finds the stand-in in the program's folder."""
    folder = out / "harness" / arch
    folder.mkdir(parents=True, exist_ok=True)
    gcc, dlltool = f"{TRIPLET[arch]}-gcc", f"{TRIPLET[arch]}-dlltool"
    ddk = f"/usr/{TRIPLET[arch]}/include/ddk"
    # --kill-at: the x86 exports undecorated (KsPinHandshake, not KsPinHandshake@12), the names
    # an image's import table asks ks.sys for.
    standin = [gcc, *CFLAGS, "-isystem", ddk, "-shared", "-o", str(folder / "ks.sys"),
               str(HERE / "ks_standin.c"), "-Wl,--kill-at", "-lntoskrnl"]
    # The harness calls the stand-in's Ks* functions too, as NTAPI (decorated on x86), and its
    # standin_* functions: an import library with both, each asking ks.sys for the plain name.
    ks_names = [line.strip() for line in KS_DEF.read_text().splitlines()
                if line.strip() and not line.startswith((";", "LIBRARY", "EXPORTS"))]
    if arch == "x64":
        ks_names = [re.sub(r"@\d+$", "", n) for n in ks_names]
    own = re.findall(r"STANDIN_API [^;(]*?\b(standin_\w+)\(", (HERE / "standin.h").read_text())
    (folder / "ks_standin.def").write_text("LIBRARY ks.sys\nEXPORTS\n" +
                                          "".join(f"{n}\n" for n in ks_names + own))
    implib = [dlltool, "-k", "-d", str(folder / "ks_standin.def"), "-l",
              str(folder / "libks_standin.a")]
    harness = [gcc, *CFLAGS, "-isystem", ddk, "-I", str(HERE), "-o", str(folder / "harness.exe"),
               str(HERE / "harness.c"), str(folder / "libks_standin.a")]
    for command, log in ((standin, "ks_standin.log"), (implib, "implib.log"),
                         (harness, "harness.log")):
        if not run_tool(command, folder / log):
            raise RuntimeError(f"building {log[:-4]} for {arch} failed:\n"
                               + (folder / log).read_text())
    return folder


# ---- Wine ----


def wine_env(prefix: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEARCH="win64",
               # No mono or gecko install prompt, no desktop menu entries.
               WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d")
    return env


def start_bounded(command: list[str], env: dict[str, str], log: Path,
                  cwd: Path | None = None) -> subprocess.Popen:
    """Starts a wine command in a process group of its own, its output to `log`: a file, not a
    pipe, because the Wine system processes a first wine call starts (services.exe, winedevice)
    inherit it and outlive the call."""
    with open(log, "w") as sink:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=sink,
                                stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                start_new_session=True)


def finish_bounded(process: subprocess.Popen, log: Path, timeout: float) -> tuple[int, str]:
    """Waits for a command of start_bounded; on timeout kills its process group."""
    try:
        code = process.wait(timeout=timeout)
        return code, log.read_text(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return -1, log.read_text(errors="replace") + f"\n(timed out after {timeout:.0f} s)"


def run_bounded(command: list[str], env: dict[str, str], timeout: float, log: Path,
                cwd: Path | None = None) -> tuple[int, str]:
    return finish_bounded(start_bounded(command, env, log, cwd), log, timeout)


def windows_path(path: Path) -> str:
    return "Z:" + str(path.resolve()).replace("/", "\\")


def judge(image: Image, run: Run) -> tuple[bool, str]:
    problems, summary = EXPECT[image.check](image, run)
    problems = run.problems + problems
    report = "\n".join(problems)
    if image.fails or image.fails_somehow:
        missing = [text for text in image.fails if text not in report]
        if not problems:
            return False, f"ran clean, but must fail ({'; '.join(image.fails) or 'somehow'})"
        if missing:
            return False, "failed, but not as it must: no " + "; ".join(
                repr(t) for t in missing) + "\n" + report
        return True, f"failed as it must (twin: {image.twin}): " + "; ".join(
            image.fails or problems[:1])
    missing = [text for text in image.prints if text not in run.output]
    if problems or missing:
        return False, report + "".join(f"\ndid not print {t!r}" for t in missing)
    return True, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "wine",
                        help="builds, logs and the Wine prefix (default: build/wine)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="images built at once")
    parser.add_argument("--only", default="", help="only rows whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument("--timeout", type=float, default=60, help="seconds for one image's run")
    parser.add_argument("--allow-skip", action="store_true",
                        help="exit 77 instead of 1 when Wine or a cross tool is missing")
    args = parser.parse_args()
    images = [i for i in IMAGES if args.only in i.name]
    if not images:
        # A mistyped --only would otherwise pass with "0 of 0".
        print(f"run_images: no row matches --only {args.only!r} (--list shows the rows)",
              file=sys.stderr)
        return 2
    # A row that runs another row's image needs that row built.
    builds = [i for i in IMAGES if not i.image_of and
              (i in images or any(j.image_of == i.name for j in images))]
    if args.list:
        for i in images:
            print(f"{i.name:42} {i.toolchain:14} {i.source.name:24} "
                  + ("must fail" if i.fails or i.fails_somehow else "must pass"))
        return 0
    needed = ["wine", "wineserver"] + [f"{TRIPLET[a]}-gcc" for a in sorted({i.arch for i in images})]
    absent = [tool for tool in needed if shutil.which(tool) is None]
    if absent:
        print(f"run_images: not installed: {' '.join(absent)} (tools/setup.sh wine kernel)")
        return SKIP if args.allow_skip else 1
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    # The Wine prefix is made (once; later runs reuse it) while the images build.
    prefix = out / "prefix"
    env = wine_env(prefix)
    prefix.mkdir(exist_ok=True)
    # One persistent server for every wine call below, so that each run starts in a fraction of
    # a second. It forks into the background and exits 30 s after its last client; its output
    # goes nowhere, or a pipe to it would stay open as long as it lives.
    try:
        server = subprocess.run(["wineserver", "-p30"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    except (subprocess.SubprocessError, OSError) as error:
        print(f"run_images: wineserver -p30 failed: {error}")
        return 1
    if server.returncode != 0:  # 2: one is running for this prefix already; the runs use it
        print(f"run_images: wineserver -p30 exited {server.returncode} (a server is already "
              "running for this prefix?); going on with it")
    ready = prefix / ".kshake-prefix-ready"  # written once wineboot has finished
    boot_log = out / "wineboot.log"
    boot = None if ready.exists() else \
        start_bounded(["wine", "wineboot", "--init"], env, boot_log)

    try:
        try:
            harness = {arch: build_harness(arch, out) for arch in sorted({i.arch for i in images})}
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            print(f"run_images: {error}")
            return 1
        built: dict[str, Path | None] = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for image, sys_file, _ in pool.map(lambda i: build_image(i, out), builds):
                built[image.name] = sys_file
        build_time = time.monotonic() - started
        if boot is not None:
            code, output = finish_bounded(boot, boot_log, 300)
            if code != 0:
                print(f"run_images: making the Wine prefix failed (exit {code}):\n{output}")
                return 1
            ready.write_text("wineboot --init done\n")
        prefix_time = time.monotonic() - started
        failed = 0
        for image in images:
            sys_file = built[image.image_of or image.name]
            if sys_file is None:
                log = out / "images" / (image.image_of or image.name) / "build.log"
                print(f"FAIL  {image.name}: the build failed ({log}):")
                print("\n".join(log.read_text().splitlines()[-15:]))
                failed += 1
                continue
            begin = time.monotonic()
            mode = {"sample": "avstream", "timing": "time"}.get(image.check, "run")
            folder = out / "images" / image.name
            folder.mkdir(parents=True, exist_ok=True)
            code, output = run_bounded(["wine", str(harness[image.arch] / "harness.exe"), mode,
                                        windows_path(sys_file), *image.harness],
                                       {**env, "WINEDEBUG": image.winedebug}, args.timeout,
                                       folder / "run.log", cwd=harness[image.arch])
            seconds = time.monotonic() - begin
            run = parse(code, output)
            ok, text = judge(image, run)
            first = text.splitlines()[0] if text else ""
            print(f"{'ok  ' if ok else 'FAIL'}  {image.name:40} {seconds:5.2f} s  {first}")
            if ok and not image.fails:  # what the image printed through DbgPrintEx
                for line in run.dbgprint:
                    print("      | " + line)
            if not ok:
                failed += 1
                print("\n".join("      " + line for line in text.splitlines()[1:]))
                print("      harness output:")
                print("\n".join("      | " + line for line in output.splitlines()))
    finally:
        run_bounded(["wineserver", "-k"], env, 30, out / "wineserver-k.log")
    total = time.monotonic() - started
    print(f"run_images: {len(images) - failed} of {len(images)} images behaved as expected "
          f"({total:.1f} s: builds {build_time:.1f} s, the Wine prefix ready at {prefix_time:.1f} s, "
          f"runs {total - prefix_time:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
