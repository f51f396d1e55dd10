#!/usr/bin/env python3
"""Tests of tools/amalgamate.py: on a small made-up tree, and on a copy of the real one.

    amalgamate_test.py SOURCE_ROOT
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

ROOT = Path(sys.argv.pop(1) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]).resolve()
TOOL = ROOT / "tools" / "amalgamate.py"


def amalgamate(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), "--root", str(root), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))


class TempTree(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="kshake-amalgamate-test-"))

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class MadeUpTree(TempTree):
    """A tree shaped like kshake's, small enough to know exactly what must come out."""

    def setUp(self) -> None:
        super().setUp()
        inc = self.tmp / "include" / "kshake"
        write(self.tmp / "meson.build", "project('kshake', 'cpp', version: '2.3.4')\n")
        write(inc / "config.hpp", """
            // config part
            // SPDX-License-Identifier: MIT
            #pragma once
            #define KSHAKE_VERSION_MAJOR 2
            #define KSHAKE_VERSION_MINOR 3
            #define KSHAKE_VERSION_PATCH 4
            """)
        write(inc / "a.hpp", """
            // a part
            #pragma once
            #include "config.hpp"
            #include <cstdint>   // fixed-width integers
            #include <gsl/assert>
            struct a_t {};
            """)
        write(inc / "b.hpp", """
            // b part
            #pragma once
            #include "a.hpp"
            #if defined(_WIN32)
            #include <windows.h>
            #endif
            #include <kshake/detail/d.hpp>
            #include <cstdint>
            /* a block comment with
            #include "not_a_header.hpp"
            */
            struct b_t { a_t a; };
            """)
        write(inc / "detail" / "d.hpp", """
            #pragma once
            #include "../config.hpp"
            #include <windows.h>
            struct d_t {};
            """)
        write(inc / "kshake.hpp", """
            // umbrella
            #pragma once
            #include "b.hpp" // b first: a must still come before it
            #include "a.hpp"
            """)
        write(inc / "mock.hpp", """
            // mock part
            #pragma once
            #include "kshake.hpp"
            #include "detail/m.hpp"
            #include <cstring>
            #include <cstdint>
            struct mock_t { m_t m; };
            """)
        write(inc / "detail" / "m.hpp", """
            #pragma once
            #include "../a.hpp"
            struct m_t {};
            """)
        result = amalgamate(self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.out = self.tmp / "single_include" / "kshake"
        self.single = (self.out / "kshake.hpp").read_text()
        self.mock = (self.out / "kshake_mock.hpp").read_text()

    def test_each_own_header_is_inlined_once_in_dependency_order(self) -> None:
        begins = re.findall(r"^// ---- begin (\S+)", self.single, re.M)
        self.assertEqual(begins, ["kshake/kshake.hpp", "kshake/b.hpp", "kshake/a.hpp",
                                  "kshake/config.hpp", "kshake/detail/d.hpp"])
        order = [self.single.index(s) for s in ("#define KSHAKE_VERSION_MAJOR", "struct a_t",
                                               "struct d_t", "struct b_t")]
        self.assertEqual(order, sorted(order))
        self.assertEqual(re.findall(r'^#include "(.*)"', self.single, re.M), ["not_a_header.hpp"])
        self.assertNotIn("#include <kshake/", self.single)

    def test_one_pragma_once_and_the_banners(self) -> None:
        self.assertEqual(len(re.findall(r"#\s*pragma\s+once", self.single)), 1)
        self.assertTrue(self.single.startswith("// kshake 2.3.4: single-header edition"))
        self.assertIn("GENERATED FILE: DO NOT EDIT", self.single)
        self.assertEqual(self.single.count("SPDX-License-Identifier: MIT"), 1)
        self.assertIn("#define KSHAKE_SINGLE_HEADER 1", self.single)

    def test_system_and_gsl_includes_stay_includes_once_unless_conditional(self) -> None:
        self.assertEqual(self.single.count("#include <cstdint>"), 1)
        self.assertEqual(self.single.count("#include <gsl/assert>"), 1)
        # the conditional one must stay, and so must the later unconditional one
        self.assertEqual(self.single.count("#include <windows.h>"), 2)
        self.assertNotIn("fixed-width integers", self.single)  # include-line comments go

    def test_block_comments_are_not_read_as_includes(self) -> None:
        self.assertIn('#include "not_a_header.hpp"', self.single)

    def test_headers_outside_the_umbrella_get_their_own_single_header(self) -> None:
        self.assertEqual(sorted(p.name for p in self.out.iterdir()), ["kshake.hpp", "kshake_mock.hpp"])
        self.assertIn('#include "kshake.hpp"', self.mock)
        begins = re.findall(r"^// ---- begin (\S+)", self.mock, re.M)
        self.assertEqual(begins, ["kshake/mock.hpp", "kshake/detail/m.hpp"])
        self.assertIn("#ifndef KSHAKE_SINGLE_PART_KSHAKE_DETAIL_M_HPP", self.mock)
        self.assertNotIn("#include <cstdint>", self.mock)  # kshake.hpp already has it
        self.assertIn("#include <cstring>", self.mock)

    def test_a_c_header_is_copied_under_a_c_banner(self) -> None:
        inc = self.tmp / "include" / "kshake"
        write(inc / "kshake_wire.h", """
            /* the C peer's header */
            #ifndef W_H
            #define W_H
            #include <stdint.h>
            #endif
            """)
        self.assertEqual(amalgamate(self.tmp).returncode, 0)
        copied = (self.out / "kshake_wire.h").read_text()
        self.assertTrue(copied.startswith("/* kshake 2.3.4: single-header edition of <kshake/kshake_wire.h>"))
        self.assertIn("GENERATED FILE: DO NOT EDIT", copied)
        self.assertTrue(copied.endswith((inc / "kshake_wire.h").read_text()))
        self.assertNotIn("//", copied)  # C comments only, as in the source
        self.assertEqual(amalgamate(self.tmp, "--check").returncode, 0)
        (inc / "kshake_wire.h").write_text((inc / "kshake_wire.h").read_text() + "/* edited */\n")
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("kshake_wire.h differs", result.stderr)
        (inc / "kshake_wire.h").unlink()
        result = amalgamate(self.tmp, "--check")
        self.assertIn("kshake_wire.h has no source header", result.stderr)
        write(inc / "kshake_wire.h", '#include "a.hpp"\n')
        result = amalgamate(self.tmp)
        self.assertEqual(result.returncode, 2)
        self.assertIn("must stand alone", result.stderr)

    def test_check_passes_when_fresh_and_fails_on_each_kind_of_staleness(self) -> None:
        self.assertEqual(amalgamate(self.tmp, "--check").returncode, 0)
        a = self.tmp / "include" / "kshake" / "a.hpp"
        original = a.read_text()
        a.write_text(original + "struct added {};\n")
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("kshake.hpp differs", result.stderr)
        self.assertIn("+struct added {};", result.stderr)
        self.assertIn("run `python3 tools/amalgamate.py`", result.stderr)
        a.write_text(original)
        (self.out / "kshake_old.hpp").write_text("// left over\n")
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("kshake_old.hpp has no source header", result.stderr)
        amalgamate(self.tmp)
        self.assertFalse((self.out / "kshake_old.hpp").exists())
        (self.out / "kshake_mock.hpp").unlink()
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("kshake_mock.hpp is missing", result.stderr)

    def test_a_conditionally_included_own_header_is_an_error(self) -> None:
        with (self.tmp / "include" / "kshake" / "b.hpp").open("a") as f:
            f.write('#ifdef KSHAKE_EXTRA\n#include "detail/m.hpp"\n#endif\n')
        result = amalgamate(self.tmp)
        self.assertEqual(result.returncode, 2)
        self.assertIn("kshake/b.hpp", result.stderr)
        self.assertIn("inside #if/#ifdef", result.stderr)

    def test_a_missing_own_header_is_an_error(self) -> None:
        with (self.tmp / "include" / "kshake" / "a.hpp").open("a") as f:
            f.write('#include <kshake/nowhere.hpp>\n')
        result = amalgamate(self.tmp)
        self.assertEqual(result.returncode, 2)
        self.assertIn("kshake/nowhere.hpp", result.stderr)

    def test_versions_that_disagree_are_an_error(self) -> None:
        write(self.tmp / "meson.build", "project('kshake', 'cpp', version: '2.3.5')\n")
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 2)
        self.assertIn("version mismatch", result.stderr)

    def test_stubs_forward_every_header_to_the_single_header_that_holds_it(self) -> None:
        stubs = self.tmp / "stubs"
        self.assertEqual(amalgamate(self.tmp, "--stubs", str(stubs)).returncode, 0)
        names = sorted(p.relative_to(stubs).as_posix() for p in stubs.rglob("*.hpp"))
        self.assertEqual(names, ["kshake/a.hpp", "kshake/b.hpp", "kshake/config.hpp",
                                 "kshake/detail/d.hpp", "kshake/detail/m.hpp", "kshake/mock.hpp"])
        self.assertIn("#include <kshake/kshake.hpp>", (stubs / "kshake/detail/d.hpp").read_text())
        self.assertIn("#include <kshake/kshake_mock.hpp>", (stubs / "kshake/detail/m.hpp").read_text())
        self.assertIn("#include <kshake/kshake.hpp>", (stubs / "kshake/a.hpp").read_text())


class RealTree(TempTree):
    """The committed single_include/ against a copy of the real include/."""

    def setUp(self) -> None:
        super().setUp()
        for name in ("include", "single_include"):
            shutil.copytree(ROOT / name, self.tmp / name)
        shutil.copy2(ROOT / "meson.build", self.tmp / "meson.build")

    def test_the_committed_single_header_is_fresh(self) -> None:
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_an_edited_header_makes_check_fail(self) -> None:
        guid = self.tmp / "include" / "kshake" / "guid.hpp"
        guid.write_text(guid.read_text() + "\n// an edit nobody amalgamated\n")
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("single header is stale", result.stderr)

    def test_an_edited_single_header_makes_check_fail(self) -> None:
        single = self.tmp / "single_include" / "kshake" / "kshake.hpp"
        single.write_text(single.read_text().replace("namespace kshake {", "namespace kshake { // hand edit", 1))
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("-namespace kshake {", result.stderr)

    def test_a_version_bump_makes_check_fail(self) -> None:
        config = self.tmp / "include" / "kshake" / "config.hpp"
        meson = self.tmp / "meson.build"
        config.write_text(re.sub(r"KSHAKE_VERSION_PATCH \d+", "KSHAKE_VERSION_PATCH 99", config.read_text()))
        meson.write_text(re.sub(r"version: '(\d+)\.(\d+)\.\d+'", r"version: '\1.\2.99'", meson.read_text(), 1))
        result = amalgamate(self.tmp, "--check")
        self.assertEqual(result.returncode, 1, result.stderr)

    def test_every_header_is_reached_by_some_single_header(self) -> None:
        stubs = self.tmp / "stubs"
        self.assertEqual(amalgamate(self.tmp, "--stubs", str(stubs)).returncode, 0)
        unreached = [p.name for p in stubs.rglob("*.hpp") if "is not reached" in p.read_text()]
        self.assertEqual(unreached, [])


class DepsCheck(TempTree):
    """deps_check.py, which guards the single_header build, fed a made-up ninja deps log."""

    def check(self, *deps_lines: str) -> subprocess.CompletedProcess:
        log = self.tmp / "deps.txt"
        log.write_text("\n".join(deps_lines) + "\n")
        ninja = self.tmp / "fake-ninja"
        ninja.write_text(f"#!/bin/sh\ncat '{log}'\n")
        ninja.chmod(0o755)
        build = self.tmp / "build"
        build.mkdir(exist_ok=True)
        return subprocess.run([sys.executable, str(Path(__file__).with_name("deps_check.py")),
                               str(build), str(ROOT)], env={"NINJA": str(ninja), "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def test_passes_when_only_the_single_header_was_read(self) -> None:
        result = self.check("tests/a.o: #deps 2, deps mtime 1 (VALID)",
                            f"    {ROOT}/single_include/kshake/kshake.hpp", "    /usr/include/c++/12/bit",
                            "tests/c.o: #deps 1, deps mtime 1 (VALID)",
                            f"    {ROOT}/single_include/kshake/kshake_wire.h")
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_fails_when_the_c_peer_read_include(self) -> None:
        result = self.check("tests/a.o: #deps 1, deps mtime 1 (VALID)",
                            f"    {ROOT}/single_include/kshake/kshake.hpp",
                            "tests/c.o: #deps 1, deps mtime 1 (VALID)",
                            f"    {ROOT}/include/kshake/kshake_wire.h")
        self.assertEqual(result.returncode, 1)
        self.assertIn("tests/c.o: " + f"{ROOT}/include/kshake/kshake_wire.h", result.stdout)

    def test_fails_when_nothing_read_the_single_c_header(self) -> None:
        result = self.check("tests/a.o: #deps 1, deps mtime 1 (VALID)",
                            f"    {ROOT}/single_include/kshake/kshake.hpp")
        self.assertEqual(result.returncode, 1)
        self.assertIn("kshake_wire.h", result.stdout)

    def test_fails_when_a_multi_header_was_read(self) -> None:
        result = self.check("tests/a.o: #deps 2, deps mtime 1 (VALID)",
                            f"    {ROOT}/single_include/kshake/kshake.hpp",
                            f"    {ROOT}/single_include/kshake/kshake_wire.h",
                            "tests/b.o: #deps 1, deps mtime 1 (VALID)",
                            f"    {ROOT}/include/kshake/guid.hpp")
        self.assertEqual(result.returncode, 1)
        self.assertIn("tests/b.o: " + f"{ROOT}/include/kshake/guid.hpp", result.stdout)

    def test_fails_when_nothing_read_the_single_header(self) -> None:
        result = self.check("tests/a.o: #deps 1, deps mtime 1 (VALID)", "    /usr/include/c++/12/bit")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no object file", result.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
