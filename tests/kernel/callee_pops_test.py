#!/usr/bin/env python3
"""check_image.py --callee-pops follows tail jumps: a __stdcall callback compiled to one
`jmp <function>` (clang-cl x86 /O2 does this with kshake's responder) returns through that
function, whose `ret` must pop the same bytes. Runs check_callee_pops on objdump listings written
here, in llvm-objdump's and GNU objdump's forms, through a stand-in objdump; each listing that
must be refused has a twin that must pass.
SPDX-License-Identifier: MIT"""
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_image  # noqa: E402

LLVM = """
004016e0 <public: static long __stdcall sink::callback<struct _KSPIN *>(struct _KSPIN *)>:
  4016e0:      \tjmp\t0x4016f0 <private: static int __stdcall sink::dispatch<1, struct _KSPIN *>(struct _KSPIN *)>
  4016e5:      \tint3

004016f0 <private: static int __stdcall sink::dispatch<1, struct _KSPIN *>(struct _KSPIN *)>:
  4016f0:      \tmovl\t0x4(%esp), %eax
  4016f4:      \tje\t0x401700 <private: static int __stdcall sink::dispatch<1, struct _KSPIN *>(struct _KSPIN *)+0x10>
  4016f6:      \tjmp\t0x401800 <helper+0x4>
  4016fb:      \tRET_A
  401700:      \tRET_B
"""
GNU = """
10001000 <_callback@12>:
10001000:\tjmp    10001010 <_dispatch@12>

10001010 <_dispatch@12>:
10001010:\tmov    0x4(%esp),%eax
10001014:\tRET_A
10001017:\tRET_B
"""


def verdict(listing: str, name: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        fake = Path(tmp) / "objdump"
        (Path(tmp) / "listing.txt").write_text(listing)
        fake.write_text(f"#!/bin/sh\ncat '{tmp}/listing.txt'\n")
        os.chmod(fake, 0o755)
        report = check_image.Report(Path("image.sys"))
        check_image.check_callee_pops(str(fake), Path("image.sys"), name, 12, report, {})
        return report.failures


def main() -> int:
    ok = True
    for form, listing, name, good, bad in (
            ("llvm-objdump", LLVM, "callback<struct _KSPIN", "retl\t$0xc", "retl"),
            ("GNU objdump", GNU, "_callback@12", "ret    $0xc", "ret    ")):
        passing = listing.replace("RET_A", good).replace("RET_B", good)
        refused = listing.replace("RET_A", good).replace("RET_B", bad)
        got = verdict(passing, name)
        if got:
            print(f"FAIL: {form}: a callback tail-jumping to a __stdcall function was refused: {got}")
            ok = False
        got = verdict(refused, name)
        if not (len(got) == 1 and "reached by a tail jump from" in got[0] and "returns with 'ret 0'"
                in got[0]):
            print(f"FAIL: {form}: a callback tail-jumping to a function that pops nothing was "
                  f"not refused as such: {got}")
            ok = False
        elif ok:
            print(f"ok: {form}: the tail jump's target is checked ({got[0][:60]}...)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
