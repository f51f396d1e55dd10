#!/usr/bin/env python3
"""Compares every declaration of the test-only WDK stand-ins (tests/kernel/wdk/) with Debian's
mingw-w64 DDK headers, so the stand-ins cannot drift from a header nobody here wrote.

    wdk_drift.py [--wdk DIR] --work DIR [--twin FILE|OLD|NEW|EXPECTED]... [--require-tools]

What is compared, for x64 and for x86 (/Gz), each header set compiled by clang-cl-19 /kernel with
the flags of build_driver.py's clang-cl-* (stand-ins) and clang-cl-*-ddk (mingw-w64) toolchains:

  * which names exist: every typedef, struct, enum constant, function and macro the stand-ins
    declare (found in clang's AST of the stand-ins and in their #define lines, not listed by
    hand) must compile against mingw-w64's headers too;
  * types, canonically: each typedef, each struct member's type and each function's type
    (calling convention included) through the MSVC-mangled name of a variable of that type;
  * layouts: sizeof and alignof of each complete type, offsetof and sizeof of each member;
  * values: each enum constant and numeric macro, the function-like macros on fixed arguments,
    whether each guard macro is defined; the expansion of the declaration-specifier macros
    (NTAPI, DECLSPEC_IMPORT, NTKERNELAPI ...);
  * how each function is imported: the symbol a call through it references (__imp__Name@12 on
    x86: dllimport and the stdcall decoration), and whether it is declared noreturn;
  * the .def files (ntoskrnl.exe's and hal.dll's exports the test images may import): every name
    among the exports of mingw-w64's libntoskrnl.a (libhal.a), on x86 with the same __stdcall
    decoration.

Deliberate differences are few and listed in NOT_COMPARED below with their reasons; the script
prints them. Every other difference fails, one "DRIFT:" line each.

--twin FILE|OLD|NEW|EXPECTED (repeatable): after the real comparison passes, copy the stand-ins,
replace OLD by NEW in FILE (OLD must occur exactly once), compare again and require a failure
whose output contains EXPECTED: the negative twins proving that each kind of drift is caught.

Exit status: 0 pass; 1 drift (or a twin not caught); 77 when a tool or header is missing (with
--require-tools: 1). Needs Python 3's standard library, clang-cl-19, llvm-nm-19, llvm-objcopy-19
and mingw-w64's headers (mingw-w64-x86-64-dev, mingw-w64-i686-dev).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent / "tools"))
from build_driver import MSVC_CXXFLAGS, MSVC_DDK_CXXFLAGS, TOOLCHAINS  # noqa: E402
from make_import_libs import read_def  # noqa: E402  (kshake's installed tool)

SKIP = 77
# The headers a translation unit includes, in the WDK's order. kshake_test_crt.h is the
# stand-ins' own helper (size_t for stdlib.h and malloc.h), not a WDK header.
HEADERS = ["ntddk.h", "wdm.h", "ks.h", "dpfilter.h", "stdlib.h", "malloc.h", "setjmp.h"]
INTERNAL_HEADERS = {"kshake_test_crt.h"}
ARCHES = {"x64": ("clang-cl-x64", "clang-cl-x64-ddk"), "x86": ("clang-cl-x86", "clang-cl-x86-ddk")}

# Function-like macros, evaluated on fixed arguments (their parameters are not types).
FUNCTION_MACROS = {
    "CTL_CODE": ["CTL_CODE(0x2F, 7, 3, 0)", "CTL_CODE(0x22, 0x800, 0, 0)",
                 "CTL_CODE(0xFFFF, 0xFFF, 3, 3)"],
    "NT_SUCCESS": ["NT_SUCCESS(0)", "NT_SUCCESS(0x103)", "NT_SUCCESS(0x7FFFFFFF)",
                   "NT_SUCCESS((NTSTATUS)0x80000005L)", "NT_SUCCESS((NTSTATUS)0xC0000001L)"],
}
# Macros that expand to declaration specifiers or keywords: compared by their expansion.
SPELLING_MACROS = {"NTAPI", "DECLSPEC_IMPORT", "DECLSPEC_NORETURN", "NTKERNELAPI", "NTSYSAPI",
                   "NTHALAPI", "KSDDKAPI", "VOID"}
# What is deliberately not compared, and why (printed on every run).
NOT_COMPARED = {
    "UNREFERENCED_PARAMETER": "expansion: the stand-in's is ((void)(P)), the WDK's and "
                              "mingw-w64's (P), which clang's -Wunused-value flags; both are "
                              "compiled as a statement on a parameter",
    "sizeof and alignof of KSPIN": "the stand-in declares KSPIN's documented leading members "
                                   "only (a driver never creates a KSPIN; on x86 the whole "
                                   "structure's later members align it to 8, the prefix to 4); "
                                   "each declared member's type, offset and size is compared",
    "NTAPI's spelling": "mingw-w64 defines it empty on x64, where __stdcall means nothing; the "
                        "calling convention it gives is compared on both architectures",
    "memcmp in ntoskrnl.def on x86": "mingw-w64's i686 libntoskrnl.a does not list it (its "
                                      "x86_64 one does); no x86 image here imports it",
    "the decoration of the x86 arithmetic helpers in ntoskrnl.def": "clang-cl calls _alldiv "
        "and the rest undecorated (they pop their arguments but are not named __stdcall); "
        "mingw-w64 decorates most (_alldiv@16): their names are compared",
    "incomplete types": "_DRIVER_OBJECT, _FILE_OBJECT and _KSPIN_DESCRIPTOR_EX are incomplete in "
                        "the stand-ins (drivers here only pass the pointers on); their names and "
                        "the pointer types are compared, not their size",
}
PREFIX_RECORDS = {"_KSPIN"}
# ntoskrnl.def's x86-only entries (the 64-bit arithmetic helpers) and its deliberate x86 gap.
X86_HELPERS = re.compile(r"^_a(ll|ull)(div|mul|rem|shl|shr)$")
NOT_ON_X86 = {"memcmp"}


class Skip(Exception):
    pass


@dataclass
class Declared:
    """What the stand-ins declare."""
    typedefs: list[str] = field(default_factory=list)
    typedef_records: dict[str, str] = field(default_factory=dict)  # KSPIN -> _KSPIN
    records: dict[str, list[str]] = field(default_factory=dict)  # usable name -> members
    complete: set[str] = field(default_factory=set)
    enumerators: list[str] = field(default_factory=list)
    functions: dict[str, tuple[int, bool]] = field(default_factory=dict)  # name -> (arity, ...)
    numeric_macros: list[str] = field(default_factory=list)
    guard_macros: list[str] = field(default_factory=list)
    spelling_macros: list[str] = field(default_factory=list)
    function_macros: list[str] = field(default_factory=list)


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise Skip(f"{package} not installed (no {tool})")
    return path


def compile_flags(toolchain: str) -> list[str]:
    """clang-cl flags of a build_driver.py toolchain, minus /WX and /GS (the facts TU only
    records; warnings are read for noreturn) and without the include folders."""
    chain = TOOLCHAINS[toolchain]
    flags = [f"--target={chain['target']}", *[f for f in MSVC_CXXFLAGS if f not in ("/WX",)],
             "/Od", *chain["cxxflags"]]
    if "ddk" in chain:
        root = Path(f"/usr/{chain['ddk']}/include")
        flags += MSVC_DDK_CXXFLAGS + [f"/external:I{root / 'ddk'}", f"/external:I{root}"]
    return flags


def standin_flags(toolchain: str, wdk: Path) -> list[str]:
    return compile_flags(toolchain) + [f"-I{wdk}"]


def run(command: list[str], what: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n+ {' '.join(command)}\n"
                           f"{done.stdout}{done.stderr}")
    return done


def includes() -> str:
    return "".join(f"#include <{h}>\n" for h in HEADERS)


def collect(cxx: str, wdk: Path, work: Path, arch: str) -> Declared:
    """Every name the stand-ins declare for `arch`: from clang's AST of a TU that includes them
    and from their #define lines."""
    present = {p.name for p in wdk.glob("*.h")}
    unknown = present - set(HEADERS) - INTERNAL_HEADERS
    if unknown:
        raise RuntimeError(f"stand-in header(s) {sorted(unknown)} not in wdk_drift.py's HEADERS: "
                           "add them so their declarations are compared")
    source = work / "declared.cpp"
    source.write_text(includes())
    done = run([cxx, *standin_flags(ARCHES[arch][0], wdk), "-Xclang", "-ast-dump=json", "/Zs",
                "--", str(source)], "AST of the stand-ins", work)
    tree = json.loads(done.stdout)
    found = Declared()
    pending_anonymous: dict | None = None

    def visit(nodes: list[dict]) -> None:
        nonlocal pending_anonymous
        for node in nodes:
            if node.get("isImplicit"):
                continue
            kind = node["kind"]
            if kind == "LinkageSpecDecl":
                visit(node.get("inner", []))
            elif kind == "TypedefDecl":
                found.typedefs.append(node["name"])
                named = re.fullmatch(r"struct (\w+)", node.get("type", {}).get("qualType", ""))
                if named:
                    found.typedef_records[node["name"]] = named.group(1)
                if pending_anonymous is not None:
                    record_members(pending_anonymous, node["name"])
                    pending_anonymous = None
            elif kind in ("CXXRecordDecl", "RecordDecl"):
                if node.get("tagUsed") not in ("struct", "union"):
                    raise RuntimeError(f"stand-in {node.get('tagUsed')} {node.get('name')}: "
                                       "wdk_drift.py compares structs and unions only")
                if node.get("name"):
                    record_members(node, node["name"])
                else:
                    pending_anonymous = node
            elif kind == "EnumDecl":
                found.enumerators += [c["name"] for c in node.get("inner", [])
                                      if c["kind"] == "EnumConstantDecl"]
            elif kind == "FunctionDecl":
                params = [c for c in node.get("inner", []) if c["kind"] == "ParmVarDecl"]
                found.functions[node["name"]] = (len(params), node.get("variadic", False))
            else:
                raise RuntimeError(f"stand-in declaration of kind {kind} "
                                   f"({node.get('name')}): not compared by wdk_drift.py")

    def record_members(node: dict, name: str) -> None:
        # The members of an anonymous struct (LARGE_INTEGER's LowPart) are the record's own by
        # name (IndirectFieldDecl); the unnamed member that holds them is not.
        members = [c["name"] for c in node.get("inner", [])
                   if c["kind"] in ("FieldDecl", "IndirectFieldDecl") and c.get("name")]
        found.records[name] = members
        if node.get("completeDefinition"):
            found.complete.add(name)

    visit(tree.get("inner", []))

    for header in sorted(wdk.glob("*.h")):
        text = re.sub(r"\\\n", " ", header.read_text())
        for match in re.finditer(r"^\s*#\s*define\s+(\w+)(\()?([^\n]*)$", text, re.M):
            name, function_like, body = match.group(1), match.group(2), match.group(3)
            body = re.sub(r"/\*.*?\*/", "", body).strip()
            if name.startswith("KSHAKE_TEST_WDK_"):
                continue  # the stand-ins' own include guards
            if function_like:
                found.function_macros.append(name)
            elif name in SPELLING_MACROS:
                found.spelling_macros.append(name)
            elif not body:
                found.guard_macros.append(name)
            else:
                found.numeric_macros.append(name)
    for name in found.function_macros:
        if name not in FUNCTION_MACROS and name not in NOT_COMPARED:
            raise RuntimeError(f"function-like macro {name}: give it arguments in "
                               "wdk_drift.py's FUNCTION_MACROS")
    return found


@dataclass
class Facts:
    numeric: list[tuple[str, str]]       # (what, constant expression)
    types: list[tuple[str, str]]         # (what, type)
    calls: list[tuple[str, str, int, bool]]  # (function, what, arity, variadic)
    spellings: list[str]


def facts_of(found: Declared) -> Facts:
    numeric, types = [], []
    for name in found.typedefs:
        types.append((f"type {name}", name))
        if found.typedef_records.get(name) in PREFIX_RECORDS:
            continue
        # -1 when incomplete in the stand-ins (NOT_COMPARED), compared only when complete there.
        numeric.append((f"sizeof({name})", f"kshake_drift_size<{name}>::size"))
        numeric.append((f"alignof({name})", f"kshake_drift_size<{name}>::align"))
    for record, members in found.records.items():
        types.append((f"struct {record}", record))
        if record in found.complete and record not in PREFIX_RECORDS:
            numeric.append((f"sizeof({record})", f"(long long)sizeof({record})"))
            numeric.append((f"alignof({record})", f"(long long)alignof({record})"))
        for member in members:
            types.append((f"type of {record}::{member}", f"decltype({record}::{member})"))
            numeric.append((f"offsetof({record}, {member})",
                            f"(long long)__builtin_offsetof({record}, {member})"))
            numeric.append((f"sizeof({record}::{member})",
                            f"(long long)sizeof({record}::{member})"))
    for name in found.enumerators:
        numeric.append((name, f"(long long)({name})"))
    for name in found.numeric_macros:
        numeric.append((name, f"(long long)({name})"))
    for name in found.guard_macros:
        numeric.append((f"defined({name})", f"KSHAKE_DRIFT_DEFINED_{name}"))
    for name in found.function_macros:
        for example in FUNCTION_MACROS.get(name, []):
            numeric.append((example, f"(long long)({example})"))
    if "NTAPI" in found.spelling_macros:
        types.append(("NTAPI as a calling convention", "void (NTAPI *)(int)"))
    calls = [(name, f"{name}()", arity, variadic)
             for name, (arity, variadic) in found.functions.items()]
    for name in found.functions:
        types.append((f"type of {name}", f"decltype({name})"))
    # NTAPI by what it does (the calling-convention type above), not by its spelling: mingw-w64
    # defines it empty on x64, where __stdcall means nothing.
    return Facts(numeric, types, calls, [m for m in found.spelling_macros if m != "NTAPI"])


def translation_unit(facts: Facts, found: Declared) -> str:
    lines = [includes(),
             "template <class T, class = void> struct kshake_drift_size {",
             "    static constexpr long long size = -1, align = -1;",
             "};",
             "template <class T> struct kshake_drift_size<T, decltype(void(sizeof(T)))> {",
             "    static constexpr long long size = sizeof(T), align = alignof(T);",
             "};"]
    for name in found.guard_macros:
        lines += [f"#ifdef {name}", f"#define KSHAKE_DRIFT_DEFINED_{name} 1", "#else",
                  f"#define KSHAKE_DRIFT_DEFINED_{name} 0", "#endif"]
    lines += ['#pragma section("kfacts", read)',
              'extern "C" __declspec(allocate("kfacts")) const long long kshake_drift_values[] = {']
    lines += [f"    {expression}, // {what}" for what, expression in facts.numeric]
    lines += ["};"]
    for index, (what, type_text) in enumerate(facts.types):
        lines.append(f"using kshake_drift_t{index} = {type_text}; // {what}")
        lines.append(f"kshake_drift_t{index} *kshake_drift_v{index} = nullptr;")
    # A call through each function, for the symbol it references (dllimport, x86 decoration);
    # -Wunreachable-code-return (on the command line: as a pragma it does not reach this
    # analysis) then flags the return after a call to a noreturn function.
    for index, (name, _, arity, _variadic) in enumerate(facts.calls):
        arguments = ", ".join(["{}"] * arity)
        lines.append(f'extern "C" int kshake_drift_call{index}() {{ {name}({arguments}); '
                     f"return 1; }} // KSHAKE_DRIFT_CALL {index}")
    if "UNREFERENCED_PARAMETER" in found.function_macros:
        lines.append("void kshake_drift_unreferenced(int p) { UNREFERENCED_PARAMETER(p); }")
    return "\n".join(lines) + "\n"


@dataclass
class Observed:
    numeric: list[int]
    types: dict[int, str]
    calls: dict[int, str]
    noreturn: set[int]
    spellings: dict[str, str]


def observe(tools: dict[str, str], flags: list[str], facts: Facts, found: Declared,
            work: Path, label: str) -> Observed:
    source = work / f"facts-{label}.cpp"
    source.write_text(translation_unit(facts, found))
    obj = source.with_suffix(".obj")
    done = run([tools["cxx"], *flags, "-Wunreachable-code-return", "/c", f"/Fo{obj}", "--",
                str(source)],
               f"compiling the stand-ins' declarations against {label}", work)
    source_lines = source.read_text().splitlines()
    noreturn = set()
    for match in re.finditer(r"\((\d+),\d+\): warning: 'return' will never be executed",
                             done.stdout + done.stderr):
        tag = re.search(r"KSHAKE_DRIFT_CALL (\d+)", source_lines[int(match.group(1)) - 1])
        if tag:
            noreturn.add(int(tag.group(1)))
    dump = work / f"facts-{label}.bin"
    run([tools["objcopy"], f"--dump-section=kfacts={dump}", str(obj)], "reading kfacts", work)
    data = dump.read_bytes()
    numeric = [int.from_bytes(data[i:i + 8], "little", signed=True)
               for i in range(0, 8 * len(facts.numeric), 8)]
    listing = run([tools["nm"], str(obj)], "llvm-nm", work).stdout
    types, calls = {}, {}
    for line in listing.splitlines():
        symbol = line.split()[-1]
        variable = re.match(r"\?kshake_drift_v(\d+)@@(.*)$", symbol)
        if variable:
            types[int(variable.group(1))] = variable.group(2)
    # Which symbol each call references: the relocations of each kshake_drift_call<N>.
    relocations = run([tools["objdump"], "-dr", "--no-show-raw-insn", str(obj)], "objdump",
                      work).stdout
    current = None
    for line in relocations.splitlines():
        function = re.match(r"^[0-9a-f]+ <_?kshake_drift_call(\d+)(?:@\d+)?>:", line)
        if function:
            current = int(function.group(1))
            continue
        reloc = re.search(r"IMAGE_REL_\w+\s+(\S+)$", line)
        if reloc and current is not None and current not in calls:
            calls[current] = reloc.group(1)
    spelled = work / f"spell-{label}.cpp"
    spelled.write_text(includes() + "".join(f"kshake_spelling_{name} < {name} >\n"
                                            for name in facts.spellings))
    expanded = run([tools["cxx"], *[f for f in flags if f != "/Od"], "/E", "--", str(spelled)],
                   "preprocessing", work).stdout
    spellings = {}
    for line in expanded.splitlines():
        match = re.match(r"^kshake_spelling_(\w+) <\s*(.*?)\s*>$", line.strip())
        if match:
            spellings[match.group(1)] = " ".join(match.group(2).split())
    # Every fact must have been read, or a comparison of two empty readings would pass.
    missing = ([f"value {what}" for what, _ in facts.numeric[len(numeric):]] +
               [f"type {facts.types[i][0]}" for i in range(len(facts.types)) if i not in types] +
               [f"call {facts.calls[i][0]}" for i in range(len(facts.calls)) if i not in calls] +
               [f"expansion of {name}" for name in facts.spellings if name not in spellings])
    if missing or len(data) < 8 * len(facts.numeric):
        raise RuntimeError(f"{label}: could not read {', '.join(missing) or 'kfacts'} from "
                           f"{obj.name}")
    return Observed(numeric, types, calls, noreturn, spellings)


def compare_defs(tools: dict[str, str], wdk: Path) -> list[str]:
    """The stand-ins' .def files (the ntoskrnl.exe and hal.dll exports the test images may import)
    against the export lists of mingw-w64's import libraries of the same DLL: every name on x64
    (but the x86-only helpers), every name with its __stdcall decoration on x86."""
    drift = []
    for def_file in sorted(wdk.glob("*.def")):
        dll, names = read_def(def_file)
        for arch, (_, ddk_chain) in ARCHES.items():
            library = Path(f"/usr/{TOOLCHAINS[ddk_chain]['ddk']}/lib/lib{Path(dll).stem}.a")
            if not library.exists():
                drift.append(f"DRIFT: {def_file.name}: {library} does not exist")
                continue
            listing = run([tools["nm"], str(library)], "llvm-nm", wdk).stdout
            prefix = "__imp__" if arch == "x86" else "__imp_"
            exported = {parts[2][len(prefix):] for parts in map(str.split, listing.splitlines())
                        if len(parts) == 3 and parts[1] == "I" and parts[2].startswith(prefix)}
            plain = {re.sub(r"@\d+$", "", name.lstrip("@")) for name in exported}
            for line in names:
                name = line.split()[0]
                bare = re.sub(r"@\d+$", "", name)
                if arch == "x64" and X86_HELPERS.match(bare):
                    continue
                if arch == "x86" and bare in NOT_ON_X86:
                    continue
                if arch == "x86" and not X86_HELPERS.match(bare):
                    if name not in exported:
                        drift.append(f"DRIFT: {arch}: {def_file.name}: {name} is not among "
                                     f"{library.name}'s exports (with that decoration)")
                elif bare not in plain:
                    drift.append(f"DRIFT: {arch}: {def_file.name}: {bare} is not among "
                                 f"{library.name}'s exports")
    return drift


def demangle(tools: dict[str, str], symbol: str) -> str:
    done = subprocess.run([tools["undname"], f"?v@@{symbol}"], capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return lines[-1].strip() if lines else symbol


def compare(tools: dict[str, str], wdk: Path, work: Path,
            mingw_cache: dict[str, Observed]) -> list[str]:
    drift = compare_defs(tools, wdk)
    for arch, (standin_chain, ddk_chain) in ARCHES.items():
        found = collect(tools["cxx"], wdk, work, arch)
        facts = facts_of(found)
        ours = observe(tools, standin_flags(standin_chain, wdk), facts, found, work,
                       f"stand-ins-{arch}")
        # The mingw-w64 side depends only on the facts (the generated TU): a twin that changes
        # a value reuses it, one that renames a declaration compiles it again.
        key = arch + translation_unit(facts, found) + "\n".join(facts.spellings)
        if key not in mingw_cache:
            mingw_cache[key] = observe(tools, compile_flags(ddk_chain), facts, found, work,
                                       f"mingw-w64-{arch}")
        theirs = mingw_cache[key]
        for (what, expression), a, b in zip(facts.numeric, ours.numeric, theirs.numeric):
            if a == -1 and expression.startswith("kshake_drift_size<"):
                continue  # incomplete in the stand-ins (NOT_COMPARED)
            if a != b:
                drift.append(f"DRIFT: {arch}: {what}: stand-ins {a:#x}, mingw-w64 {b:#x}")
        for index, (what, _) in enumerate(facts.types):
            a, b = ours.types.get(index), theirs.types.get(index)
            if a != b:
                drift.append(f"DRIFT: {arch}: {what}: stand-ins `{demangle(tools, a or '')}`, "
                             f"mingw-w64 `{demangle(tools, b or '')}`")
        for index, (name, _, _, _) in enumerate(facts.calls):
            a, b = ours.calls.get(index), theirs.calls.get(index)
            if a != b:
                drift.append(f"DRIFT: {arch}: a call to {name} references {a} with the "
                             f"stand-ins, {b} with mingw-w64")
            if (index in ours.noreturn) != (index in theirs.noreturn):
                drift.append(f"DRIFT: {arch}: {name} is "
                             f"{'' if index in ours.noreturn else 'not '}noreturn in the "
                             f"stand-ins, {'' if index in theirs.noreturn else 'not '}in "
                             "mingw-w64")
        for name in facts.spellings:
            a, b = ours.spellings.get(name), theirs.spellings.get(name)
            if a != b:
                drift.append(f"DRIFT: {arch}: {name} expands to `{a}` in the stand-ins, "
                             f"`{b}` in mingw-w64")
        macros = (len(found.numeric_macros) + len(found.guard_macros) +
                  len(found.spelling_macros) + len(found.function_macros))
        print(f"wdk_drift: {arch}: {len(found.typedefs)} typedefs, {len(found.records)} structs, "
              f"{len(found.enumerators)} enum constants, {len(found.functions)} functions, "
              f"{macros} macros: {len(facts.numeric)} values, {len(facts.types)} types, "
              f"{len(facts.calls)} calls, {len(facts.spellings)} expansions compared")
    return drift


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wdk", type=Path, default=HERE / "wdk")
    parser.add_argument("--work", type=Path, required=True, help="folder for the generated files")
    parser.add_argument("--twin", action="append", default=[], metavar="FILE|OLD|NEW|EXPECTED")
    parser.add_argument("--require-tools", action="store_true")
    args = parser.parse_args()
    try:
        tools = {"cxx": need("clang-cl-19", "clang-tools-19"), "nm": need("llvm-nm-19", "llvm-19"),
                 "objcopy": need("llvm-objcopy-19", "llvm-19"),
                 "objdump": need("llvm-objdump-19", "llvm-19"),
                 "undname": need("llvm-undname-19", "llvm-19")}
        for chain in ("clang-cl-x64-ddk", "clang-cl-x86-ddk"):
            header = Path(f"/usr/{TOOLCHAINS[chain]['ddk']}/include/ddk/ntddk.h")
            if not header.exists():
                raise Skip(f"{TOOLCHAINS[chain]['dev']} not installed (no {header})")
    except Skip as skip:
        print(f"{'FAILED' if args.require_tools else 'skipped'}: {skip}")
        return 1 if args.require_tools else SKIP

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    for name, reason in NOT_COMPARED.items():
        print(f"wdk_drift: not compared: {name}: {reason}")
    mingw: dict[str, Observed] = {}
    try:
        drift = compare(tools, args.wdk.resolve(), work, mingw)
    except RuntimeError as error:
        print(f"wdk_drift: {error}")
        return 1
    for line in drift:
        print(line)
    if drift:
        print(f"wdk_drift: {len(drift)} difference(s) between {args.wdk} and mingw-w64's headers")
        return 1
    print(f"wdk_drift: {args.wdk}: OK, no difference from mingw-w64's DDK headers")

    failed = 0
    for spec in args.twin:
        parts = spec.split("|")
        if len(parts) != 4:
            parser.error(f"--twin {spec!r}: FILE|OLD|NEW|EXPECTED")
        file_name, old, new, expected = parts
        with tempfile.TemporaryDirectory(dir=work) as copy:
            altered = Path(copy) / "wdk"
            shutil.copytree(args.wdk, altered)
            text = (altered / file_name).read_text()
            if text.count(old) != 1:
                print(f"wdk_drift: twin {spec!r}: {old!r} occurs {text.count(old)} times in "
                      f"{file_name}, not once")
                failed += 1
                continue
            (altered / file_name).write_text(text.replace(old, new))
            twin_work = Path(copy) / "work"
            twin_work.mkdir()
            try:
                output = "\n".join(compare(tools, altered, twin_work, mingw))
            except RuntimeError as error:
                output = str(error)
            if expected in output:
                print(f"wdk_drift: twin {file_name}: {old!r} -> {new!r}: caught ({expected!r})")
            else:
                print(f"wdk_drift: twin {file_name}: {old!r} -> {new!r}: NOT caught "
                      f"(expected {expected!r}); output:\n{output}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
