#!/usr/bin/env python3
"""Compiles and runs the C++ examples of kshake's docs.

    doc_examples.py --root SOURCE_ROOT [--kernel] [--cxx=WORD]... [-I PATH]... DOC.md...

A doc marks each example it promises to compile with a line of its own before the block:

    <!-- check: prelude -->   the examples' prelude (at most one a doc): includes, a protocol, a
                              responder; every other block of that doc is compiled after it (in
                              a doc without one, the blocks include what they need)
    <!-- check: d -->         declarations or preprocessor lines, at file scope
    <!-- check: s -->         statements: the body of a function of its own, which main() calls,
                              so an assert in the example runs (a bare `return;` is refused: it
                              would skip the asserts after it)
    <!-- check: k -->         kernel code: after <ntddk.h>, <ks.h> and <kshake/avstream.hpp>, then
                              the prelude, at file scope
    <!-- check: output -->    before a ```text block: what the doc's last s block before it prints
                              to stdout, line for line; `...` in a line stands for any characters

and the line after the marker opens the block, ```cpp (```text for output). Every doc named on
the command line must hold at least one marked block and no unmarked ```cpp block (every C++
example there is compiled); every other docs/*.md and README.md that uses a marker is checked too,
so that no marked example goes unchecked. An unknown or malformed marker, a marker not followed by
its block, an output marker with no s block before it, or a block that never closes fails.

User mode (the default): each doc is one translation unit, the prelude, the d blocks in order,
one function per s block and a main() that calls them all in order, compiled with the project's
flags (-std=c++20, -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror,
-fno-exceptions -fno-rtti) and run: an example's failed assert ends the run, naming its line.
--kernel: each doc's k blocks are one kernel translation unit, compiled -fsyntax-only by mingw-w64
x86_64 g++ against Debian's DDK headers with tests/kernel/build_driver.py's flags and
-DKSHAKE_KERNEL_MODE=1. `#line` directives make every compiler message name the doc's own line.

Exit status: 0 pass; 1 fail; 77 (Meson's "skipped") when the mingw-w64 compiler or the DDK
headers are missing, unless --require-tools, which makes that a failure too.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "kernel"))
import build_driver  # noqa: E402  (tests/kernel: the kernel flags, kept in one place)

SKIP = 77
KINDS = ("prelude", "s", "d", "k", "output")
MARKER = re.compile(r"^<!-- check: (\S+) -->$")
BARE_RETURN = re.compile(r"\breturn\s*;")
USER_FLAGS = ["-std=c++20", "-O0", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion",
              "-Wsign-conversion", "-Wshadow", "-Werror", "-fno-exceptions", "-fno-rtti"]
KERNEL_CHAIN = build_driver.TOOLCHAINS["gcc-x86_64"]
SEPARATOR = "@@kshake doc example "
KERNEL_PREAMBLE = "#include <ntddk.h>\n#include <ks.h>\n#include <kshake/avstream.hpp>\n"


class DocError(Exception):
    """A doc that breaks the marking rules."""


@dataclass
class Block:
    kind: str
    line: int  # the first line of the code, 1-based
    code: str
    output: Block | None = None  # for an s block, the output block that follows it


@dataclass
class Doc:
    path: Path
    name: str  # as compiler messages show it: relative to the source root
    blocks: list[Block] = field(default_factory=list)

    def of(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]


def read_doc(path: Path, name: str, every_block_marked: bool) -> Doc:
    doc = Doc(path, name)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<!-- check" in line:
            match = MARKER.match(line.strip())
            if not match:
                raise DocError(f"{name}:{i + 1}: malformed marker {line.strip()!r} "
                               f"(write <!-- check: KIND --> on a line of its own)")
            kind = match.group(1)
            if kind not in KINDS:
                raise DocError(f"{name}:{i + 1}: unknown marker kind {kind!r} "
                               f"(one of {', '.join(KINDS)})")
            fence = "```text" if kind == "output" else "```cpp"
            if i + 1 >= len(lines) or lines[i + 1].strip() != fence:
                raise DocError(f"{name}:{i + 1}: <!-- check: {kind} --> is not followed by a "
                               f"{fence} block on the next line")
            start = i + 2
            end = start
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            if end == len(lines):
                raise DocError(f"{name}:{i + 2}: the ```cpp block never closes")
            block = Block(kind, start + 1, "\n".join(lines[start:end]) + "\n")
            if kind == "s":
                refuse_bare_return(name, block)
            if kind == "output":
                examples = doc.of("s")
                if not examples or examples[-1].output is not None:
                    raise DocError(f"{name}:{i + 1}: <!-- check: output --> without an s block "
                                   f"before it whose output it is")
                examples[-1].output = block
            doc.blocks.append(block)
            i = end + 1
            continue
        if every_block_marked and line.strip() == "```cpp":
            raise DocError(f"{name}:{i + 1}: a ```cpp block without a check marker: every C++ "
                           f"example of this doc is compiled (mark it, or fence it as text)")
        i += 1
    if len(doc.of("prelude")) > 1:
        raise DocError(f"{name}: more than one <!-- check: prelude --> block")
    return doc


def refuse_bare_return(name: str, block: Block) -> None:
    """An s block is a void function's body: `return;` there ends the example before the
    checks after it, so a negotiation that fails would pass unnoticed."""
    for n, line in enumerate(block.code.splitlines()):
        if BARE_RETURN.search(line.split("//")[0]):
            raise DocError(f"{name}:{block.line + n}: a bare `return;` in an s block skips the "
                           f"example's remaining asserts: assert what must hold instead (e.g. "
                           f"assert(r.ok()))")


def at(doc: Doc, block: Block) -> str:
    """The block's code, with a #line directive so that messages name the doc's line."""
    return f'#line {block.line} "{doc.name}"\n{block.code}'


def user_source(doc: Doc) -> tuple[str, list[Block]]:
    parts = []
    parts += [at(doc, b) for b in doc.of("prelude")]
    parts += [at(doc, b) for b in doc.of("d")]
    examples = doc.of("s")
    for n, block in enumerate(examples):
        parts.append(f"static void kshake_doc_example_{n}() {{\n{at(doc, block)}}}\n")
    # main() and what it includes come last, so that no example compiles thanks to them. Each
    # example is named on stderr (the last name is the one that failed) and on stdout (where its
    # output begins).
    calls = "".join(f'    std::fputs("{doc.name}:{b.line}\\n", stderr);\n'
                    f'    std::fputs("{SEPARATOR}{n}\\n", stdout);\n'
                    f"    kshake_doc_example_{n}();\n" for n, b in enumerate(examples))
    parts.append(f'#line 1 "doc_examples main"\n#include <cstdio>\n'
                 f"int main() {{\n{calls}    return 0;\n}}\n")
    return "\n".join(parts), examples


def output_mismatch(expected: Block, printed: str) -> str | None:
    """Where the printed lines differ from the doc's output block, or None."""
    want, got = expected.code.splitlines(), printed.splitlines()
    for n, line in enumerate(want):
        pattern = ".*?".join(re.escape(part) for part in line.split("..."))
        if n >= len(got):
            return f"line {expected.line + n}: the example printed only {len(got)} lines"
        if not re.fullmatch(pattern, got[n]):
            return f"line {expected.line + n}: expected {line!r}, printed {got[n]!r}"
    if len(got) > len(want):
        return f"the example printed {len(got) - len(want)} more lines: {got[len(want)]!r} ..."
    return None


def split_output(stdout: str, count: int) -> list[str]:
    """Each example's stdout, from main()'s separators."""
    parts = [""] * count
    for n in range(count):
        begin = stdout.find(f"{SEPARATOR}{n}\n")
        end = stdout.find(f"{SEPARATOR}{n + 1}\n") if n + 1 < count else len(stdout)
        if begin >= 0:
            parts[n] = stdout[begin + len(f"{SEPARATOR}{n}\n"):end if end >= 0 else len(stdout)]
    return parts


def kernel_source(doc: Doc) -> str:
    parts = [KERNEL_PREAMBLE]
    parts += [at(doc, b) for b in doc.of("prelude")]
    parts += [at(doc, b) for b in doc.of("k")]
    return "\n".join(parts)


def run(command: list[str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def report(what: str, done: subprocess.CompletedProcess[str], command: list[str]) -> None:
    print(f"FAIL: {what} (exit status {done.returncode})")
    print("+", " ".join(command))
    for text in (done.stdout, done.stderr):
        if text:
            print(text.rstrip())


def check_user(docs: list[Doc], cxx: list[str], includes: list[str], out: Path) -> bool:
    ok = True
    for doc in docs:
        if not doc.of("s") and not doc.of("d"):
            continue
        source, examples = user_source(doc)
        stem = doc.name.replace("/", "_").replace(".", "_")
        cpp, exe = out / f"{stem}.cpp", out / stem
        cpp.write_text(source, encoding="utf-8")
        command = [*cxx, *USER_FLAGS, *[f"-I{p}" for p in includes], str(cpp), "-o", str(exe)]
        started = time.monotonic()
        done = run(command)
        if done.returncode != 0:
            report(f"{doc.name}: the examples do not compile", done, command)
            ok = False
            continue
        compiled = time.monotonic() - started
        done = run([str(exe)], timeout=60)
        if done.returncode != 0:
            # main() names each example on stderr before running it: the last name is the culprit.
            lines = done.stderr.splitlines()
            reached = [line for line in lines if line.startswith(f"{doc.name}:")]
            where = reached[-1] if reached else "before the first example"
            done.stderr = "\n".join(line for line in lines if line not in reached)
            report(f"{doc.name}: the example at {where} failed when run", done, [str(exe)])
            ok = False
            continue
        printed = split_output(done.stdout, len(examples))
        wrong = [(b, output_mismatch(b.output, printed[n])) for n, b in enumerate(examples)
                 if b.output is not None]
        wrong = [(b, why) for b, why in wrong if why]
        for block, why in wrong:
            print(f"FAIL: {doc.name}:{block.line}: the example's output is not the doc's: "
                  f"{doc.name} {why}")
            ok = False
        if wrong:
            continue
        print(f"ok: {doc.name}: prelude, {len(doc.of('d'))} d blocks, {len(examples)} s blocks "
              f"compiled ({compiled:.1f} s) and run, {len(doc.of('output'))} outputs as printed")
    return ok


def check_kernel(docs: list[Doc], includes: list[str], out: Path, require: bool) -> int:
    try:
        cxx = build_driver.need_tool(KERNEL_CHAIN["cxx"])
        triplet = KERNEL_CHAIN["triplet"]
        ddk = build_driver.need_file(Path(f"/usr/{triplet}/include/ddk/ntddk.h"),
                                     KERNEL_CHAIN["dev"]).parent
        gsl = build_driver.need_file(Path("/usr/include/gsl/assert"), "libmsgsl-dev").parent
    except build_driver.Skip as missing:
        print(f"{'FAIL' if require else 'skipped'}: {missing}")
        return 1 if require else SKIP
    # As build_driver.py does: GSL through a folder holding only it, not all of /usr/include.
    gsl_root = build_driver.link_gsl(out, gsl)
    flags = [f for f in build_driver.COMMON_CXXFLAGS if f != "-O2"]
    ok = True
    for doc in docs:
        if not doc.of("k"):
            continue
        stem = doc.name.replace("/", "_").replace(".", "_")
        cpp = out / f"{stem}_kernel.cpp"
        cpp.write_text(kernel_source(doc), encoding="utf-8")
        command = [cxx, *flags, "-DKSHAKE_KERNEL_MODE=1", "-fsyntax-only", "-isystem", str(ddk),
                   "-isystem", str(gsl_root), *[f"-I{p}" for p in includes], str(cpp)]
        started = time.monotonic()
        done = run(command)
        if done.returncode != 0:
            report(f"{doc.name}: the kernel examples do not compile", done, command)
            ok = False
            continue
        print(f"ok: {doc.name}: prelude and {len(doc.of('k'))} k blocks compiled as a kernel "
              f"translation unit by {Path(cxx).name} ({time.monotonic() - started:.1f} s)")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", nargs="+", type=Path,
                        help="docs that must hold marked examples (relative to --root)")
    parser.add_argument("--root", type=Path, required=True, help="the source root")
    parser.add_argument("--kernel", action="store_true", help="check the k blocks")
    parser.add_argument("--cxx", action="append", default=[],
                        help="the user-mode compiler, one word each: --cxx=g++ --cxx=-m32 "
                        "(default g++)")
    parser.add_argument("-I", dest="includes", action="append", default=[],
                        help="kshake's include folder(s) (default ROOT/include)")
    parser.add_argument("--out", type=Path, help="where to write the sources (default: a "
                        "temporary folder)")
    parser.add_argument("--require-tools", action="store_true",
                        help="a missing mingw-w64 compiler or DDK header fails instead of skipping")
    args = parser.parse_args()
    root = args.root.resolve()
    includes = [str(Path(p).resolve()) for p in args.includes] or [str(root / "include")]

    named = [(root / d).resolve() for d in args.docs]
    others = [p.resolve() for p in sorted((root / "docs").glob("*.md")) + [root / "README.md"]
              if p.resolve() not in named and "<!-- check" in p.read_text(encoding="utf-8")]
    docs = []
    try:
        for path in named:
            doc = read_doc(path, path.relative_to(root).as_posix(), every_block_marked=True)
            if not doc.blocks:
                raise DocError(f"{doc.name}: no <!-- check: ... --> block at all")
            docs.append(doc)
        docs += [read_doc(p, p.relative_to(root).as_posix(), every_block_marked=False)
                 for p in others]
    except DocError as error:
        print(f"FAIL: {error}")
        return 1

    kind = "k" if args.kernel else "s"
    if not any(doc.of(kind) for doc in docs):
        print(f"FAIL: no <!-- check: {kind} --> block in {', '.join(d.name for d in docs)}: "
              f"nothing to check")
        return 1

    with tempfile.TemporaryDirectory(prefix="doc_examples.") as scratch:
        out = args.out.resolve() if args.out else Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        if args.kernel:
            return check_kernel(docs, includes, out, args.require_tools)
        return 0 if check_user(docs, args.cxx or ["g++"], includes, out) else 1


if __name__ == "__main__":
    sys.exit(main())
