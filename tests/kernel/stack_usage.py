#!/usr/bin/env python3
"""Checks a translation unit's stack frames against a budget, from the compiler's .su file.

    stack_usage.py --budget BYTES [--return-address BYTES] FILE.su...

g++ and clang given -fstack-usage (clang-cl: /clang:-fstack-usage) write one line a function:

    file:line[:column]:function<TAB>bytes<TAB>static|dynamic|dynamic,bounded

g++ names the function by its signature (which may hold colons), clang by its mangled name.
The check adds up every line: with no recursion among these functions, no chain of calls
through them uses more, whichever of them are inlined, tail-called or never called. A
function listed twice (two clones, or one in two files) counts twice, so the sum only errs
high. clang's figure leaves out the return address that the call pushes (g++'s includes it):
--return-address adds it to every frame (4 on x86, 8 on x64, 0 on ARM64, where the prologue
saves the link register inside the frame). A `dynamic` frame (alloca, a variable-length array)
has no bound and fails; a `dynamic,bounded` one counts at the bound the compiler gives.

Exit status: 0 within the budget, 1 over it or a dynamic frame, 2 for an unreadable file.
Standard library only (build_driver.py --stack-budget runs it; docs/driver.md "Stack usage").
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NamedTuple

# file:line:column:function (g++) or file:line:function (clang). The file may hold a colon
# (C:\...); a line number is the first run of digits between two colons.
LOCATION = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?:\d+:)?(?P<function>.+)$")
QUALIFIERS = ("static", "dynamic", "dynamic,bounded")


class Frame(NamedTuple):
    function: str
    where: str  # file name (without its folder) and line
    size: int
    qualifier: str


def read_su(path: Path) -> list[Frame]:
    frames = []
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if not text.strip():
            continue
        fields = text.rsplit("\t", 2)
        found = LOCATION.match(fields[0]) if len(fields) == 3 else None
        if found is None or not fields[1].isdigit() or fields[2] not in QUALIFIERS:
            raise ValueError(f"{path}:{number}: not a -fstack-usage line: {text!r}")
        # clang writes a \x01 before a name it must not decorate further (x86: _DriverEntry@8).
        frames.append(Frame(found["function"].lstrip("\x01"),
                            f"{Path(found['file']).name}:{found['line']}",
                            int(fields[1]), fields[2]))
    return frames


def check(frames: list[Frame], budget: int, return_address: int, largest: int = 3) -> list[str]:
    """Failure messages: every unbounded frame, and a sum over the budget."""
    failures = [f"{f.function} ({f.where}): dynamic stack frame (alloca or a variable-length "
                f"array), no bound" for f in frames if f.qualifier == "dynamic"]
    total = sum(f.size + return_address for f in frames)
    if total > budget:
        top = sorted(frames, key=lambda f: -f.size)[:largest]
        failures.append(
            f"stack frames sum to {total} bytes, over the budget of {budget} by "
            f"{total - budget}; the largest: " +
            ", ".join(f"{f.function} ({f.where}) {f.size + return_address}" for f in top))
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, required=True, metavar="BYTES",
                        help="the most the frames may sum to")
    parser.add_argument("--return-address", type=int, default=0, metavar="BYTES",
                        help="added to each frame (clang: 8 on x64, 4 on x86)")
    parser.add_argument("su", nargs="+", type=Path, metavar="FILE.su")
    args = parser.parse_args(argv)
    try:
        frames = [frame for path in args.su for frame in read_su(path)]
    except (OSError, ValueError) as error:
        print(f"stack_usage: {error}")
        return 2
    for f in sorted(frames, key=lambda f: (-f.size, f.function)):
        print(f"{f.size + args.return_address:8d}  {f.where}  {f.function}"
              f"{'' if f.qualifier == 'static' else '  (' + f.qualifier + ')'}")
    total = sum(f.size + args.return_address for f in frames)
    each = f", each with a {args.return_address}-byte return address" if args.return_address else ""
    print(f"{total:8d}  in {len(frames)} frames{each} (budget {args.budget})")
    failures = check(frames, args.budget, args.return_address)
    for failure in failures:
        print(f"stack_usage: FAIL: {failure}")
    if not failures:
        print(f"stack_usage: OK ({total} <= {args.budget} bytes)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
