#!/usr/bin/env python3
"""The include-graph check of the kernel builds: which files may a kernel translation unit open?

build_driver.py compiles every kernel translation unit with `-H` (g++, clang: one line per
opened file, its depth in dots) or `/showIncludes` (clang-cl: "Note: including file:", its depth
in spaces), rebuilds the include tree from that listing, and calls check() here. A file may be
opened when it is

  * the translation unit itself, or one of its own headers (a file under none of the compiler's
    include search directories, e.g. "minimal_driver.hpp" next to the .cpp);
  * one of kshake's headers (under a directory given as kshake's with -I, including
    single_include/), when the translation unit, its own headers or another kshake header
    includes it;
  * <gsl/assert>, and anything it includes (GSL's business: under MSVC kernel mode that is
    <intrin.h> only, under g++/clang <exception>);
  * a platform header (under the platform folders: mingw-w64's DDK and include folders, or the
    test-only WDK stand-ins) included by the translation unit or its own headers, and anything
    it includes;
  * a compiler intrinsic header (<intrin.h>, <x86intrin.h>, <arm64intr.h>, ...) included by any
    of the above, and anything it includes;
  * a C header of the compiler's own folder (<stddef.h>, ...) included by the translation unit
    or its own headers, as a WDK project gets them from km\\crt.

Anything else fails, naming the file, who included it and the chain from the translation unit:
in particular a C++ standard library header anywhere, a C header or platform header that a
kshake header includes, and a GSL header other than <gsl/assert>.

Limit: g++ does not list a header it skips because its include guard is already defined, so a
header a platform header opened first and that kshake includes again is not seen on the g++
builds; clang and clang-cl are run with -fshow-skipped-includes, which lists those too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# Compiler intrinsic headers by name: clang's and GCC's <intrin.h>, <intrin0.h>, <x86intrin.h>,
# <immintrin.h>, <xmmintrin.h>, ..., ARM's <arm64intr.h>, <armintr.h>, <arm_neon.h>, <arm_acle.h>.
INTRINSIC_HEADER = re.compile(r"(?:intrin0?|intr)\.h$|^arm_[a-z0-9_]+\.h$")


@dataclass
class Node:
    path: str  # as the compiler printed it, made absolute
    depth: int
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None


def parse_gnu(listing: str) -> list[tuple[int, str]]:
    """(depth, path) for each `-H` line (". /path", ".. /path", ...); other lines are skipped
    (diagnostics, "Multiple include guards may be useful for:" and its list)."""
    found = []
    for line in listing.splitlines():
        entry = re.match(r"^(\.+)[ !x] ?(\S.*)$", line)
        if entry:
            found.append((len(entry.group(1)), entry.group(2).strip()))
    return found


def parse_msvc(listing: str) -> list[tuple[int, str]]:
    """(depth, path) for each `/showIncludes` line ("Note: including file:" then one space per
    level, then the path)."""
    found = []
    for line in listing.splitlines():
        entry = re.match(r"^Note: including file:( +)(\S.*)$", line)
        if entry:
            found.append((len(entry.group(1)), entry.group(2).strip()))
    return found


def is_include_line(line: str) -> bool:
    """A line of the include listing rather than a diagnostic: -H's dotted lines, its closing
    "Multiple include guards may be useful for:" and the paths listed under it, and
    /showIncludes' notes (for keeping the listing out of the build log)."""
    return bool(re.match(r"^(\.+)[ !x] ?\S", line) or line.startswith("Note: including file:")
                or line.startswith("Multiple include guards may be useful for:")
                or (line.strip() and os.path.isfile(line.strip())))


def build_tree(source: Path, entries: list[tuple[int, str]], cwd: Path) -> Node:
    root = Node(str(source), 0)
    stack = [root]
    for depth, path in entries:
        absolute = os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd, path))
        while len(stack) > depth:
            stack.pop()
        if len(stack) < depth:
            raise ValueError(f"include listing jumps to depth {depth} at {path}")
        node = Node(absolute, depth, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root


def search_directories(verbose_output: str) -> list[str]:
    """The include search list a compiler prints with -v (g++, clang and clang-cl alike)."""
    dirs, inside = [], False
    for line in verbose_output.splitlines():
        if re.match(r'^#include ["<].*search starts here:', line):
            inside = True
            continue
        if line.startswith("End of search list"):
            inside = False
            continue
        if inside and line.startswith(" "):
            path = line.strip()
            path = re.sub(r"\s+\((?:framework directory|headermap)\)$", "", path)
            dirs.append(os.path.normpath(path))
    return dirs


@dataclass
class Roots:
    """Where each kind of header lives. Every directory is absolute."""
    kshake: list[str]
    gsl: list[str]  # GSL's own folder (the one holding `assert`), named gsl/ in an #include
    platform: list[str]
    compiler: list[str]  # the compiler's own headers: intrinsics and freestanding C headers
    search: list[str]  # the compiler's whole search list (-v); other matches are "system"


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _variants(path: str) -> set[str]:
    # A compiler may print a header as found (through a symlinked folder or file, as Debian's
    # /usr/<triplet>/include/*.h -> /usr/share/mingw-w64/include) or resolved: match both.
    return {os.path.normpath(path), os.path.realpath(path)}


def classify(path: str, roots: Roots) -> tuple[str, str]:
    """(kind, name): kind is kshake, gsl, platform, compiler, system or own; name is the path
    relative to the matching folder (what one would write in #include <...>)."""
    best = ("own", path, -1)
    candidates = [(r, "kshake") for r in roots.kshake] + [(r, "gsl") for r in roots.gsl] + \
        [(r, "platform") for r in roots.platform] + [(r, "compiler") for r in roots.compiler] + \
        [(r, "system") for r in roots.search]
    files = _variants(path)
    for folder, kind in candidates:
        for root in _variants(folder):
            for file in files:
                # The longest folder wins: libstdc++'s include/c++/12 lies inside GCC's include
                # folder, and a -I folder may lie inside a search folder.
                if _under(file, root) and len(root) > best[2]:
                    name = os.path.relpath(file, root)
                    if kind == "gsl":
                        name = os.path.join("gsl", name)
                    best = (kind, name, len(root))
    return best[0], best[1]


def display(node: Node, kind: str, name: str, source: Path) -> str:
    if node.parent is None:
        return source.name
    if kind == "kshake":
        return name
    if kind == "own":
        try:
            return os.path.relpath(node.path, source.parent)
        except ValueError:
            return node.path
    return f"<{name}>"


def check(source: Path, entries: list[tuple[int, str]], roots: Roots, cwd: Path) -> list[str]:
    """The include-graph failures of one translation unit, one line each (empty: it passes)."""
    root = build_tree(source, entries, cwd)
    failures: list[str] = []
    seen: set[tuple[str, str]] = set()

    def label(node: Node) -> str:
        kind, name = classify(node.path, roots)
        return display(node, kind, name, source)

    def chain(node: Node) -> str:
        names = []
        at: Node | None = node
        while at is not None:
            names.append(label(at))
            at = at.parent
        return " -> ".join(reversed(names))

    def walk(node: Node, context: str) -> None:
        # context: "code" (the TU or its own headers), "kshake", or "free" (inside an allowed
        # platform/GSL/intrinsic header: whatever it includes is its own business).
        for child in node.children:
            if context == "free":
                continue
            kind, name = classify(child.path, roots)
            intrinsic = kind == "compiler" and bool(INTRINSIC_HEADER.search(os.path.basename(name)))
            gsl_assert = kind == "gsl" and name.replace(os.sep, "/") == "gsl/assert"
            allowed: str | None = None
            if kind == "kshake":
                allowed = "kshake"
            elif gsl_assert or intrinsic:
                allowed = "free"
            elif context == "code" and kind in ("platform", "compiler"):
                allowed = "free"
            elif context == "code" and kind == "own":
                allowed = "code"
            if allowed is None:
                key = (node.path, child.path)
                if key not in seen:
                    seen.add(key)
                    what = {"system": "a C++ standard library or other system header",
                            "compiler": "a C header of the compiler's own folder",
                            "platform": "a platform header",
                            "gsl": "a GSL header other than <gsl/assert>",
                            "own": "a header that is neither kshake's nor the platform's"}[kind]
                    shown = display(child, kind, name, source)
                    failures.append(
                        f"include-graph: {label(node)} includes {shown} ({child.path}; {what}): "
                        f"chain {chain(node)}")
                continue
            walk(child, allowed)

    walk(root, "code")
    return failures
