#!/usr/bin/env python3
"""In the single_header build, prove from ninja's dependency log (what the compiler really opened)
that no translation unit read a header under include/kshake/, and that they did read the single
header and its C header (single_include/kshake/kshake_wire.h, which tests/c_peer builds on), so
the suite cannot silently test the multi-header tree.

    deps_check.py BUILD_ROOT SOURCE_ROOT
"""

import os
import subprocess
import sys
from pathlib import Path

build, source = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
ninja = os.environ.get("NINJA", "ninja")
deps = subprocess.run([ninja, "-C", str(build), "-t", "deps"], check=True,
                      stdout=subprocess.PIPE, text=True).stdout

multi = source / "include" / "kshake"
single = source / "single_include" / "kshake" / "kshake.hpp"
single_c = source / "single_include" / "kshake" / "kshake_wire.h"
objects_with_single = 0
objects_with_single_c = 0
offenders = []
current = None
for line in deps.splitlines():
    if line and not line[0].isspace():
        current = line.split(":")[0]
        continue
    path = line.strip()
    if not path:
        continue
    absolute = (build / path).resolve()
    if absolute == single:
        objects_with_single += 1
    elif absolute == single_c:
        objects_with_single_c += 1
    elif multi in absolute.parents:
        offenders.append(f"{current}: {path}")

if offenders:
    print("FAIL: the single_header build read headers from include/kshake/:")
    print("\n".join(f"  {o}" for o in offenders))
    sys.exit(1)
if objects_with_single == 0:
    print(f"FAIL: no object file in {build} was compiled from {single}")
    sys.exit(1)
if objects_with_single_c == 0:
    print(f"FAIL: no object file in {build} was compiled from {single_c}")
    sys.exit(1)
print(f"ok: {objects_with_single} object files read {single.relative_to(source)}, "
      f"{objects_with_single_c} read {single_c.relative_to(source)}, none read include/kshake/")
