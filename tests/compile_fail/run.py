#!/usr/bin/env python3
"""Compile-fail runner: proves that each misuse of kshake fails to compile with its message,
and that the valid twin next to it compiles.

    run.py [--jobs N] [--self-test] [--doc FILE] CASE... -- COMPILER [FLAG...]

Everything after `--` is the compiler command line without the source file (meson passes the
configured compiler and the project's flags). Each CASE is a .cpp file or a directory of them.

A case file declares, in its leading comment lines:
    // expect: kshake: <text>        required, exactly one; must start with "kshake:"
    // expect-also: <text>           optional, any number
and keeps its one mistake inside `#ifdef KSHAKE_VALID_TWIN ... #else ... #endif`.

It is compiled twice, with -fsyntax-only:
  misuse  (as written)              must fail; the FIRST "error:" line of the output must contain
                                    the expect text (so no unhelpful error comes before kshake's),
                                    and every expect-also text must appear somewhere;
  twin    (-DKSHAKE_VALID_TWIN)     must compile (warnings are errors under the project's flags).

--self-test runs the runner on the harness cases in tests/compile_fail/harness/, each marked
`// harness: pass` or `// harness: fail: <words of the reason>`, and succeeds only if every
verdict is the marked one, and every failure is for the marked reason: a runner that passes
everything (or nothing, or fails a case for the wrong reason) fails its own test.

--doc FILE also fails the run for every case whose name or expect text is missing from FILE
(docs/compile-time-checks.md), so the table of rules cannot fall behind the suite.

The last line is "compile-fail: N passed, N failed (COMPILER)". Exit status 0 only when none failed.
Python 3 standard library only.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

DIRECTIVE = re.compile(r"^//\s*(expect|expect-also|harness):\s*(.*?)\s*$")
ERROR_LINE = re.compile(r"\berror:")


@dataclass
class Case:
    path: Path
    expect: str | None = None
    expect_also: list[str] = field(default_factory=list)
    harness: str | None = None
    problems: list[str] = field(default_factory=list)


def read_case(path: Path) -> Case:
    case = Case(path)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("//"):
            break
        m = DIRECTIVE.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "expect":
            if case.expect is not None:
                case.problems.append("more than one `// expect:` line")
            case.expect = value
        elif key == "expect-also":
            case.expect_also.append(value)
        else:
            case.harness = value
    if case.expect is None:
        case.problems.append("no `// expect: kshake: ...` line in the leading comment")
    elif not case.expect.startswith("kshake:"):
        case.problems.append("the `// expect:` text must start with `kshake:`")
    if "KSHAKE_VALID_TWIN" not in path.read_text(encoding="utf-8"):
        case.problems.append("no `#ifdef KSHAKE_VALID_TWIN` twin in the file")
    return case


def compile_once(compiler: list[str], source: Path, defines: list[str]) -> tuple[int, str]:
    # Colour codes would split the message text; the flag comes last so it wins.
    command = compiler + defines + ["-fsyntax-only", "-fdiagnostics-color=never", str(source)]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", check=False)
    return done.returncode, done.stdout


def first_error(output: str) -> str | None:
    for line in output.splitlines():
        if ERROR_LINE.search(line):
            return line
    return None


def excerpt(output: str, lines: int = 12) -> str:
    kept = output.strip().splitlines()[:lines]
    return "\n".join("      | " + line for line in kept)


def check(case: Case, compiler: list[str]) -> list[str]:
    """The reasons this case fails; empty when it passes."""
    if case.problems:
        return list(case.problems)
    reasons = []
    status, output = compile_once(compiler, case.path, [])
    if status == 0:
        reasons.append("the misuse COMPILED: the check it stands for does not exist")
    else:
        line = first_error(output)
        if line is None:
            reasons.append("the misuse failed without an `error:` line:\n" + excerpt(output))
        elif case.expect not in line:
            where = "is not the first error" if case.expect in output else "is missing"
            reasons.append(f"expected message {where}: {case.expect!r}\n"
                           f"    first error: {line.strip()}\n" + excerpt(output))
        for text in case.expect_also:
            if text not in output:
                reasons.append(f"expected text missing: {text!r}\n" + excerpt(output))
    status, output = compile_once(compiler, case.path, ["-DKSHAKE_VALID_TWIN"])
    if status != 0:
        reasons.append("the valid twin does NOT compile:\n" + excerpt(output))
    return reasons


def collect(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.cpp")) if p.is_dir() else [p])
    return files


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    options, compiler = argv[:split], argv[split + 1:]
    jobs = 2
    self_test = False
    doc: Path | None = None
    paths: list[str] = []
    i = 0
    while i < len(options):
        if options[i] == "--jobs":
            jobs = int(options[i + 1])
            i += 2
            continue
        if options[i] == "--doc":
            doc = Path(options[i + 1])
            i += 2
            continue
        if options[i] == "--self-test":
            self_test = True
        else:
            paths.append(options[i])
        i += 1
    if not compiler or not paths:
        print(__doc__, file=sys.stderr)
        return 2

    cases = [read_case(p) for p in collect(paths)]
    if not cases:
        print("compile-fail: no cases found in " + " ".join(paths), file=sys.stderr)
        return 2
    if self_test:
        verdicts = {(c.harness or "").partition(":")[0] for c in cases}
        unmarked = [c.path.name for c in cases
                    if c.harness != "pass" and not (c.harness or "").startswith("fail: ")]
        if unmarked or verdicts != {"pass", "fail"}:
            print("compile-fail self-test: every harness case needs `// harness: pass` or "
                  "`// harness: fail: <reason>`, "
                  "and there must be at least one of each; unmarked: " + ", ".join(unmarked))
            return 2

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda c: check(c, compiler), cases))

    passed = failed = 0
    for case, reasons in zip(cases, results):
        name = case.path.name
        if self_test:
            verdict = "fail" if reasons else "pass"
            wanted, _, reason = (case.harness or "").partition(":")
            reason = reason.strip()
            if verdict == wanted and (not reason or any(reason in r for r in reasons)):
                passed += 1
                print(f"ok    {name}: runner says {verdict}, as it must"
                      + (f" ({reasons[0].splitlines()[0]})" if reasons else ""))
            else:
                failed += 1
                print(f"FAIL  {name}: runner says {verdict}, but it must say {case.harness}")
                for r in reasons:
                    print("    " + r)
        elif reasons:
            failed += 1
            print(f"FAIL  {name}")
            for r in reasons:
                print("    " + r)
        else:
            passed += 1
            print(f"ok    {name}: {case.expect}")
    if doc is not None:
        text = doc.read_text(encoding="utf-8")
        for case in cases:
            missing = [t for t in (f"`{case.path.stem}`", case.expect) if t and t not in text]
            if missing:
                failed += 1
                print(f"FAIL  {case.path.name}: not documented in {doc.name}: "
                      + ", ".join(repr(t) for t in missing))
    what = "compile-fail self-test" if self_test else "compile-fail"
    print(f"{what}: {passed} passed, {failed} failed ({os.path.basename(compiler[0])}, "
          f"{time.monotonic() - started:.1f} s)")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
