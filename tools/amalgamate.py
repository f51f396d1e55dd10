#!/usr/bin/env python3
"""Generate kshake's single headers from include/kshake/ (Python 3 standard library only).

    python3 tools/amalgamate.py            write single_include/kshake/*.hpp and *.h
    python3 tools/amalgamate.py --check    exit 1 (and say why) when the committed files are stale
    python3 tools/amalgamate.py --stubs D  write forwarding stubs D/kshake/<header> for the
                                           single_header test build (see single_include/meson.build)

What it produces (docs/consuming.md says the same for users):

* single_include/kshake/kshake.hpp: include/kshake/kshake.hpp with every kshake header it
  reaches inlined once, at its first inclusion, so the order is the preprocessor's own and
  therefore a dependency order. System and GSL includes stay includes (a repeat of one that
  already appeared unconditionally is dropped). Per-file `#pragma once` lines are dropped and one
  is written at the top, with a "generated, do not edit" banner, the version and the licence.
  The file defines KSHAKE_SINGLE_HEADER to 1.
* single_include/kshake/kshake_<name>.hpp for every top-level include/kshake/<name>.hpp that
  kshake.hpp does not reach (today: the kernel-only avstream.hpp and the user-mode mock.hpp,
  once they exist). Each starts with `#include "kshake.hpp"` and inlines only its own extra
  parts, each behind a guard macro so that two such headers can share a helper.
* single_include/kshake/<name>.h for every C header include/kshake/<name>.h (today
  kshake_wire.h, the wire contract for a peer not written in C++: docs/wire.md §8): the same
  text under a generated banner in a C comment, so a single-header user has the C peer's header
  too, at the same #include <kshake/kshake_wire.h>. A C header includes no kshake header (it
  must stay C), which is checked.

Headers are found from the include graph, never from a list: a new header under include/kshake/
is picked up the next time this runs. A kshake header included inside `#if`/`#ifdef` is an error
(inlining it once at its first, conditional, inclusion would not match the preprocessor).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

LIBRARY = "kshake"
UMBRELLA = "kshake.hpp"

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]\s*(?://.*|/\*.*\*/\s*)?$')
DIRECTIVE_RE = re.compile(r"^\s*#\s*(\w+)")
PRAGMA_ONCE_RE = re.compile(r"^\s*#\s*pragma\s+once\b")
SPDX_RE = re.compile(r"^\s*//\s*SPDX-License-Identifier:")
VERSION_RE = re.compile(r"^\s*#\s*define\s+KSHAKE_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)\s*$", re.M)
MESON_VERSION_RE = re.compile(r"project\s*\((?:[^()]|\([^()]*\))*?\bversion\s*:\s*'([^']+)'", re.S)


class AmalgamateError(Exception):
    pass


@dataclass
class Output:
    """One generated single header: its text and the kshake headers it inlined."""

    text: str
    parts: list[Path] = field(default_factory=list)


class Amalgamator:
    def __init__(self, root: Path):
        self.root = root
        self.include_dir = root / "include"
        self.library_dir = self.include_dir / LIBRARY

    # -- include resolution ------------------------------------------------------------------
    def _is_own(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.library_dir.resolve())
        except ValueError:
            return False
        return True

    def rel(self, path: Path) -> str:
        """'kshake/guid.hpp', the name a user writes in #include <...>."""
        return path.resolve().relative_to(self.include_dir.resolve()).as_posix()

    def resolve(self, including: Path, delimiter: str, spelled: str) -> Path | None:
        """The kshake header an #include names, or None for a system/third-party header."""
        candidates = []
        if delimiter == '"':
            candidates.append(including.parent / spelled)
        candidates.append(self.include_dir / spelled)
        for candidate in candidates:
            if candidate.is_file() and self._is_own(candidate):
                return candidate.resolve()
        if spelled.startswith(LIBRARY + "/"):
            raise AmalgamateError(
                f"{self.rel(including)}: #include {delimiter}{spelled}"
                f"{'>' if delimiter == '<' else chr(34)} names no file under include/{LIBRARY}/"
            )
        return None

    # -- graph -------------------------------------------------------------------------------
    def own_includes(self, path: Path) -> list[Path]:
        found = []
        for directive in self._directives(path):
            if directive[0] == "include" and directive[3] is not None:
                found.append(directive[3])
        return found

    def closure(self, start: Path) -> list[Path]:
        """Every kshake header reachable from start (start included), in first-inclusion order."""
        order: list[Path] = []
        seen: set[Path] = set()

        def visit(p: Path) -> None:
            if p in seen:
                return
            seen.add(p)
            order.append(p)
            for q in self.own_includes(p):
                visit(q)

        visit(start.resolve())
        return order

    def _directives(self, path: Path):
        """(kind, line index, conditional depth, resolved own include or None) per directive line."""
        depth = 0
        in_comment = False
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            if in_comment:
                if "*/" in line:
                    in_comment = False
                continue
            stripped = line.lstrip()
            if stripped.startswith("/*") and "*/" not in stripped[2:]:
                in_comment = True
                continue
            m = DIRECTIVE_RE.match(line)
            if not m:
                continue
            kind = m.group(1)
            if kind in ("if", "ifdef", "ifndef"):
                depth += 1
                yield kind, index, depth, None
            elif kind == "endif":
                depth -= 1
                yield kind, index, depth, None
            elif kind == "include":
                inc = INCLUDE_RE.match(line)
                if not inc:
                    raise AmalgamateError(f"{self.rel(path)}:{index + 1}: cannot read this #include")
                own = self.resolve(path, inc.group(1), inc.group(2))
                if own is not None and depth > 0:
                    raise AmalgamateError(
                        f"{self.rel(path)}:{index + 1}: kshake header {self.rel(own)} is included "
                        "inside #if/#ifdef; the amalgamator inlines each header once and cannot "
                        "keep that condition. Include it unconditionally (or move the condition "
                        "into the included header)."
                    )
                yield kind, index, depth, own
            else:
                yield kind, index, depth, None

    # -- generation --------------------------------------------------------------------------
    def version(self) -> str:
        config = self.library_dir / "config.hpp"
        found = dict(VERSION_RE.findall(config.read_text(encoding="utf-8")))
        if set(found) != {"MAJOR", "MINOR", "PATCH"}:
            raise AmalgamateError("include/kshake/config.hpp must define KSHAKE_VERSION_MAJOR/MINOR/PATCH")
        version = f"{found['MAJOR']}.{found['MINOR']}.{found['PATCH']}"
        meson = self.root / "meson.build"
        if meson.is_file():
            m = MESON_VERSION_RE.search(meson.read_text(encoding="utf-8"))
            if m and m.group(1) != version:
                raise AmalgamateError(
                    f"version mismatch: include/kshake/config.hpp says {version}, "
                    f"meson.build's project() says {m.group(1)}; make them agree"
                )
        return version

    def _expand(self, path: Path, done: set[Path], seen_system: set[str], out: list[str],
                parts: list[Path], guard_parts: bool) -> None:
        done.add(path)
        parts.append(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        directives = {index: (kind, depth, own) for kind, index, depth, own in self._directives(path)}
        name = self.rel(path)
        guard = "KSHAKE_SINGLE_PART_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()
        out.append(f"// ---- begin {name} " + "-" * max(4, 84 - len(name)))
        if guard_parts:
            out += [f"#ifndef {guard}", f"#define {guard}"]
        for index, line in enumerate(lines):
            if PRAGMA_ONCE_RE.match(line) or SPDX_RE.match(line):
                continue
            directive = directives.get(index)
            if directive and directive[0] == "include":
                _, depth, own = directive
                if own is not None:
                    if own not in done:
                        self._expand(own, done, seen_system, out, parts, guard_parts)
                    continue
                key = INCLUDE_RE.match(line).group(1) + INCLUDE_RE.match(line).group(2)
                if key in seen_system:
                    continue
                if depth == 0:
                    seen_system.add(key)
                out.append(re.sub(r"\s*//.*$", "", line.rstrip()))
                continue
            out.append(line.rstrip())
        if guard_parts:
            out.append(f"#endif // {guard}")
        out.append(f"// ---- end {name} " + "-" * max(4, 86 - len(name)))
        out.append("")

    def _banner(self, source: Path, version: str, extra_note: str) -> list[str]:
        # What the library is comes next, from the source header's own leading comment.
        return [
            f"// kshake {version}: single-header edition of <{self.rel(source)}>.",
            "//",
            "// GENERATED FILE: DO NOT EDIT. tools/amalgamate.py wrote it from include/kshake/;",
            "// edit those headers and run `python3 tools/amalgamate.py` (CI fails when this is stale).",
            *extra_note.splitlines(),
            "//",
            "// Needs a C++20 compiler and the Microsoft GSL headers on the include path.",
            "// Copyright (c) 2026 kshake contributors. MIT licence (LICENSE in kshake's source);",
            "// keep this notice with every copy of this file.",
            "// SPDX-License-Identifier: MIT",
            "#pragma once",
            "",
        ]

    @staticmethod
    def _tidy(lines: list[str]) -> str:
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.rstrip("\n") + "\n"

    def generate(self) -> dict[str, Output]:
        """{file name under single_include/kshake/: Output}."""
        umbrella = self.library_dir / UMBRELLA
        if not umbrella.is_file():
            raise AmalgamateError(f"include/{LIBRARY}/{UMBRELLA} not found under {self.root}")
        version = self.version()
        umbrella = umbrella.resolve()

        done: set[Path] = set()
        seen_system: set[str] = set()
        body: list[str] = []
        parts: list[Path] = []
        self._expand(umbrella, done, seen_system, body, parts, guard_parts=False)
        lines = self._banner(umbrella, version, "") + [
            "// Defined only by the single header: tells which edition a translation unit got.",
            "#define KSHAKE_SINGLE_HEADER 1",
            "",
        ] + body
        outputs = {UMBRELLA: Output(self._tidy(lines), parts)}

        umbrella_parts = set(done)
        umbrella_system = set(seen_system)
        for extra in sorted(self.library_dir.glob("*.hpp")):
            extra = extra.resolve()
            if extra in umbrella_parts:
                continue
            name = f"{LIBRARY}_{extra.stem}.hpp"
            extra_done = set(umbrella_parts)
            extra_system = set(umbrella_system)
            extra_body: list[str] = []
            extra_parts: list[Path] = []
            self._expand(extra, extra_done, extra_system, extra_body, extra_parts, guard_parts=True)
            note = (f"// Not part of kshake.hpp: it includes kshake.hpp (keep the two side by side)"
                    f"\n// and adds <{self.rel(extra)}> and the parts only it needs.")
            lines = self._banner(extra, version, note) + [f'#include "{UMBRELLA}"', ""] + extra_body
            outputs[name] = Output(self._tidy(lines), extra_parts)
        for c_header in sorted(self.library_dir.glob("*.h")):
            outputs[c_header.name] = Output(self._c_header(c_header.resolve(), version),
                                            [c_header.resolve()])
        return outputs

    def _c_header(self, path: Path, version: str) -> str:
        """A C header as it is, under a banner in a C comment (it must stay valid C)."""
        for kind, index, _, own in self._directives(path):
            if kind == "include" and own is not None:
                raise AmalgamateError(
                    f"{self.rel(path)}:{index + 1}: a C header includes kshake header "
                    f"{self.rel(own)}; it must stand alone (it is copied, not inlined)")
        banner = [
            f"/* kshake {version}: single-header edition of <{self.rel(path)}>, the same text as",
            f" * include/{self.rel(path)}: the C header that goes with kshake.hpp.",
            " *",
            " * GENERATED FILE: DO NOT EDIT. tools/amalgamate.py wrote it from include/kshake/;",
            " * edit that header and run `python3 tools/amalgamate.py` (CI fails when this is stale).",
            " * Copyright (c) 2026 kshake contributors. MIT licence (LICENSE in kshake's source);",
            " * keep this notice with every copy of this file.",
            " */",
        ]
        return self._tidy(banner + path.read_text(encoding="utf-8").splitlines())

    def stubs(self, outputs: dict[str, Output]) -> dict[str, str]:
        """{'kshake/guid.hpp': text}: each header forwards to the single header that holds it."""
        owner: dict[Path, str] = {}
        for name, output in outputs.items():
            for part in output.parts:
                owner.setdefault(part, name)
        stubs = {}
        for header in sorted(self.library_dir.rglob("*.hpp")):
            header = header.resolve()
            rel = self.rel(header)
            if rel == f"{LIBRARY}/{UMBRELLA}":
                continue  # resolves to single_include/kshake/kshake.hpp itself
            target = owner.get(header)
            if target is None:
                stubs[rel] = (
                    f'#error "kshake single_header build: <{rel}> is not reached from any single '
                    'header (nothing includes it), so it cannot be tested here"\n'
                )
                continue
            stubs[rel] = "\n".join([
                f"// Generated by tools/amalgamate.py --stubs for the single_header test build:",
                f"// <{rel}> forwards to the single header, never to include/{rel}.",
                "#pragma once",
                f"#include <{LIBRARY}/{target}>",
                "#if !defined(KSHAKE_SINGLE_HEADER)",
                f'#error "kshake single_header build: <{LIBRARY}/{target}> did not come from single_include/"',
                "#endif",
                "",
            ])
        return stubs


def write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the kshake source tree (default: the one this script is in)")
    parser.add_argument("--output-dir", type=Path,
                        help="where the single headers go (default: ROOT/single_include/kshake)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 when the files in the output dir are stale")
    mode.add_argument("--stubs", type=Path, metavar="DIR",
                      help="write forwarding stubs DIR/kshake/<header> instead")
    args = parser.parse_args(argv)

    root = args.root.resolve()
    out_dir = (args.output_dir or root / "single_include" / LIBRARY).resolve()
    amalgamator = Amalgamator(root)
    try:
        outputs = amalgamator.generate()
    except AmalgamateError as error:
        print(f"amalgamate: error: {error}", file=sys.stderr)
        return 2

    if args.stubs:
        stubs = amalgamator.stubs(outputs)
        for rel, text in stubs.items():
            write_if_changed(args.stubs / rel, text)
        return 0

    expected = {name: output.text for name, output in outputs.items()}
    # A single header whose source header is gone is stale too.
    orphans = sorted(p.name for pattern in (f"{LIBRARY}*.hpp", "*.h")
                     for p in out_dir.glob(pattern) if p.name not in expected) \
        if out_dir.is_dir() else []

    if args.check:
        stale = []
        for name, text in expected.items():
            path = out_dir / name
            if not path.is_file():
                stale.append(f"{name} is missing")
                continue
            current = path.read_text(encoding="utf-8")
            if current != text:
                diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                                 f"committed/{name}", f"generated/{name}", lineterm=""))
                shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
                stale.append(f"{name} differs from what include/kshake/ generates:\n{shown}")
        stale += [f"{name} has no source header any more (delete it)" for name in orphans]
        if stale:
            for message in stale:
                print(f"amalgamate: STALE: {out_dir.name}/{message}", file=sys.stderr)
            print("amalgamate: the single header is stale: run `python3 tools/amalgamate.py` "
                  "and commit single_include/", file=sys.stderr)
            return 1
        print(f"amalgamate: single_include/{LIBRARY}/ is fresh ({', '.join(sorted(expected))})")
        return 0

    for name, text in expected.items():
        if write_if_changed(out_dir / name, text):
            print(f"amalgamate: wrote {out_dir / name}")
    for name in orphans:
        (out_dir / name).unlink()
        print(f"amalgamate: removed {out_dir / name} (its source header is gone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
