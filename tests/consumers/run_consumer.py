#!/usr/bin/env python3
"""Build and run tests/consumers/consumer.cpp the way a user of kshake would, in a temp dir.

    run_consumer.py MODE --source-root DIR --version X.Y.Z [--cxx 'COMPILER...' | --cxx-word=W...]

The compiler command is every word of it, as Meson holds it (cmd_array()): a launcher such as
ccache, the compiler, and the compiler's own arguments (`g++ -m32`). tests/consumers/meson.build
passes it word by word (--cxx-word=W, once a word); by hand, --cxx takes it as one shell-quoted
string. Without either, $CXX (or c++) is the compiler, as for a user's own build. Each consumer
is built with the whole command: the single-header one runs it as is, the Meson ones get a
native file with it as `cpp`, the CMake ones get CMAKE_CXX_COMPILER (the compiler),
CMAKE_CXX_COMPILER_ARG1 (its arguments) and CMAKE_CXX_COMPILER_LAUNCHER (ccache and the like).

MODE is one of
  single     copy single_include/kshake/kshake.hpp alone next to consumer.cpp and compile it
  subproject a Meson project with the kshake tree copied to subprojects/kshake
  pkgconfig  meson install kshake into a temp prefix, then a Meson project finds kshake.pc
  cmake      meson install kshake into a temp prefix, then a CMake project does find_package
  cmake-subdirectory  a CMake project that add_subdirectory()s kshake's tree (CMakeLists.txt)
  cmake-fetchcontent  a CMake project that gets the tree with FetchContent (SOURCE_DIR: offline)
  cmake-install       cmake --install kshake's CMakeLists.txt into a temp prefix, then the same
                      find_package project as `cmake`
  cmake-driver        cmake --install kshake, then a CMake project cross-builds the sample driver
                      with mingw-w64 x86_64 and links and checks it with share/kshake/ alone

After each install (meson and cmake) the installed tree is checked file by file: the headers,
the licence, the CMake package files and the kernel tooling in share/kshake/, the same for both
(only kshake.pc is Meson's alone), and the installed scripts run from there.

Each mode checks that the consumer it ran is the kind of binary the compiler command makes (ELF
class and machine, against a probe built with the same command: a `g++ -m32` consumer must be
32-bit). Each mode also checks, from the compiler's own dependency records, that every kshake
header the consumer read came from where that way of consuming should bring it (the single
header, the subproject, the temp prefix), so a kshake installed elsewhere on the machine cannot
make a test pass. Exit 77 (skipped) only when a tool the mode needs is not installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = 77
# --require-tools (the kernel_tests=enabled build): a missing tool fails instead of skipping.
REQUIRE_TOOLS = False
# Words that may come before the compiler in a compiler command (Meson puts ccache/sccache there).
LAUNCHERS = ("ccache", "sccache", "distcc", "icecc", "buildcache")


class Failure(Exception):
    pass


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        expect_failure: bool = False) -> str:
    shown = " ".join(shlex.quote(str(c)) for c in cmd)
    print(f"$ {shown}", flush=True)
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if expect_failure:
        if proc.returncode == 0:
            print(proc.stdout)
            raise Failure(f"expected this to fail, but it succeeded: {shown}")
        return proc.stdout
    if proc.returncode != 0:
        print(proc.stdout)
        raise Failure(f"exit {proc.returncode}: {shown}")
    return proc.stdout


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        if REQUIRE_TOOLS:
            raise Failure(f"{', '.join(missing)} not installed (tools/setup.sh installs it)")
        print(f"SKIP: {', '.join(missing)} not installed (tools/setup.sh installs it)")
        sys.exit(SKIP)


def clean_env(**extra: str) -> dict[str, str]:
    # The consumer must find kshake only where the test put it.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH", "CPATH", "CPLUS_INCLUDE_PATH")
           and not k.startswith("MESON")}
    env.update(extra)
    return env


# --- the documented recipes, run as printed ---------------------------------------------------
# A shell block is a recipe when the line before its ```sh fence is <!-- recipe: NAME -->. Each
# one is read from the Markdown at test time and run with bash -euo pipefail, from a folder
# holding kshake's tree as `kshake` (a link), with $HOME a fresh folder; nothing in it is
# substituted. Every marked block must be one of these, and every one of these must be marked.
RECIPES = {
    "docs/consuming.md": ("single-header", "install-meson", "install-cmake",
                          "cmake-find-package", "kernel-tooling"),
    "docs/toolchains.md": ("driver-setup", "driver-x64-gcc", "driver-x86-clang-cl",
                           "driver-x64-clang-cl", "driver-x86-gcc-rtd"),
    "tools/packaging/kernel-tooling.md": ("tooling-by-hand",),
}
RECIPE_MARK = re.compile(r"^<!--\s*recipe:\s*([A-Za-z0-9_-]+)\s*-->\s*$")


def doc_recipes(source: Path, doc: str) -> dict[str, str]:
    """{name: shell text} of the marked blocks of one document."""
    lines = (source / doc).read_text().splitlines()
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        mark = RECIPE_MARK.match(line.strip())
        if not mark:
            continue
        name = mark.group(1)
        if number + 1 >= len(lines) or lines[number + 1].strip() != "```sh":
            raise Failure(f"{doc}:{number + 1}: <!-- recipe: {name} --> is not followed by a "
                          "```sh block")
        end = next((i for i in range(number + 2, len(lines)) if lines[i].strip() == "```"), None)
        if end is None:
            raise Failure(f"{doc}:{number + 1}: the recipe {name}'s block never ends")
        if name in found:
            raise Failure(f"{doc}: two blocks are marked <!-- recipe: {name} -->")
        found[name] = "\n".join(lines[number + 2:end]) + "\n"
    return found


def recipe(source: Path, doc: str, name: str) -> str:
    found = doc_recipes(source, doc)
    if name not in found:
        raise Failure(f"{doc} has no shell block marked <!-- recipe: {name} --> any more: "
                      "the consumer tests run that block as printed")
    return found[name]


def run_recipe(source: Path, doc: str, names: list[str], cwd: Path, home: Path) -> str:
    """Runs the named recipes of doc, in order, as one bash script in cwd with HOME=home."""
    script = "".join(recipe(source, doc, name) for name in names)
    print(f"--- {doc}: {', '.join(names)}, in {cwd}:\n{script.rstrip()}\n---", flush=True)
    return run(["bash", "-euxo", "pipefail", "-c", script], cwd=cwd,
               env=clean_env(HOME=str(home)))


def recipe_root(source: Path, tmp: Path) -> tuple[Path, Path]:
    """(a folder holding kshake's tree as `kshake`, a fresh $HOME), as the recipes expect."""
    root = tmp / "user"
    root.mkdir(exist_ok=True)
    if not (root / "kshake").exists():
        (root / "kshake").symlink_to(source, target_is_directory=True)
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    return root, home


def check_recipe_marks(source: Path) -> None:
    """Every marked block is one the tests run, and every block they run is still marked."""
    for doc, names in RECIPES.items():
        found = set(doc_recipes(source, doc))
        missing, unknown = set(names) - found, found - set(names)
        if missing or unknown:
            raise Failure(f"{doc}: recipes no longer marked: {sorted(missing)}; marked but run "
                          f"by no consumer test: {sorted(unknown)} (RECIPES in run_consumer.py)")
    print(f"ok: the marked recipes are {', '.join(n for v in RECIPES.values() for n in v)}")


def split_compiler(cxx: list[str]) -> tuple[list[str], str, list[str]]:
    """(launcher words, the compiler, the compiler's own arguments) of a compiler command."""
    launchers = []
    for index, word in enumerate(cxx):
        if Path(word).name not in LAUNCHERS:
            return launchers, word, cxx[index + 1:]
        launchers.append(word)
    raise Failure(f"the compiler command {cxx} names no compiler")


def need_compiler(cxx: list[str]) -> None:
    launchers, compiler, _ = split_compiler(cxx)
    need(*launchers, compiler)


def default_compiler() -> list[str]:
    """The compiler command a consumer build uses when the test is given none: $CXX or c++."""
    return shlex.split(os.environ.get("CXX", "")) or ["c++"]


def machine_string(text: str) -> str:
    """A word as a Meson machine file string. Meson doubles every backslash in a machine file
    before parsing it (for Windows paths), so a backslash is written as is and no escape is
    left to write a quote with."""
    if "'" in text:
        raise Failure(f"a Meson native file cannot hold the compiler word {text!r} (a ')")
    return "'" + text + "'"


def meson_native_file(cxx: list[str], tmp: Path) -> Path:
    """A Meson native file whose cpp is the whole compiler command, word for word."""
    native = tmp / "consumer-native.ini"
    if not native.exists():
        native.write_text("[binaries]\ncpp = [" + ", ".join(machine_string(w) for w in cxx)
                          + "]\n")
        print(f"(native file {native}: cpp = {cxx})")
    return native


def meson_compiler_args(cxx: list[str], tmp: Path, env: dict[str, str]) -> list[str]:
    """`meson setup` arguments for the compiler command; drops $CXX from env when there is one."""
    if not cxx:
        return []
    env.pop("CXX", None)
    return ["--native-file", str(meson_native_file(cxx, tmp))]


def elf_kind(path: Path) -> tuple[int, int, int] | None:
    """(class, data encoding, machine) from an ELF header; None if the file is not ELF."""
    header = path.read_bytes()[:20]
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    order = "little" if header[5] == 1 else "big"
    return header[4], header[5], int.from_bytes(header[18:20], order)


def describe_elf(kind: tuple[int, int, int] | None) -> str:
    if kind is None:
        return "not ELF"
    bits = {1: "32-bit", 2: "64-bit"}.get(kind[0], f"class {kind[0]}")
    return f"{bits} ELF, machine {kind[2]}"


def check_built_by(exe: Path, cxx: list[str], tmp: Path) -> None:
    """The consumer is what the compiler command makes: same ELF class and machine as a probe."""
    compiler = cxx or default_compiler()
    probe_dir = tmp / "compiler-probe"
    probe_dir.mkdir(exist_ok=True)
    source = probe_dir / "probe.cpp"
    source.write_text("int main() { return 0; }\n")
    probe = probe_dir / "probe"
    if not probe.exists():
        run([*compiler, source, "-o", probe])
    want, got = elf_kind(probe), elf_kind(exe)
    if want is None:
        print(f"(the probe built by {compiler} is not ELF: the consumer's kind was not checked)")
        return
    if got != want:
        raise Failure(f"{exe} is {describe_elf(got)}, but {' '.join(compiler)} makes "
                      f"{describe_elf(want)}: the compiler command did not reach the build")
    print(f"ok: the consumer is {describe_elf(got)}, as {' '.join(compiler)} makes")


def kshake_headers_read(deps_text: str) -> list[Path]:
    """Paths of kshake headers in `ninja -t deps` output or a Make-style depfile."""
    found = []
    for token in deps_text.replace("\\\n", " ").split():
        token = token.rstrip(":")
        if "/kshake/" in token and token.endswith(".hpp"):
            found.append(Path(token))
    return found


def check_headers_from(deps_text: str, base: Path, expected_dir: Path) -> None:
    headers = kshake_headers_read(deps_text)
    if not headers:
        raise Failure("the compiler's dependency record names no kshake header at all")
    expected = expected_dir.resolve()
    stray = []
    for header in headers:
        absolute = (base / header) if not header.is_absolute() else header
        try:
            # normpath, not resolve: a subproject reached through a symlink still counts as there
            Path(os.path.normpath(absolute)).relative_to(Path(os.path.normpath(expected_dir)))
        except ValueError:
            try:
                absolute.resolve().relative_to(expected)
            except ValueError:
                stray.append(str(header))
    if stray:
        raise Failure(f"the consumer read kshake headers from outside {expected_dir}: {stray}")
    print(f"ok: all {len(headers)} kshake headers read came from {expected_dir}")


def check_output(output: str, version: str) -> None:
    print(output.rstrip())
    if f"kshake {version} consumer:" not in output or " OK" not in output:
        raise Failure(f"the consumer did not report kshake {version} OK")


def ninja_deps(build: Path) -> str:
    return run(["ninja", "-C", build, "-t", "deps"])


def meson_consumer(project: Path, build: Path, cxx: list[str], env: dict[str, str],
                   tmp: Path, *setup_args: str) -> None:
    env = dict(env)
    compiler_args = meson_compiler_args(cxx, tmp, env)
    run(["meson", "setup", build, project, *compiler_args, *setup_args], env=env)
    run(["meson", "compile", "-C", build], env=env)
    check_built_by(build / "consumer", cxx, tmp)


def install_kshake(source: Path, tmp: Path, by: str = "meson") -> Path:
    """Installs kshake as docs/consuming.md prints it (install-meson or install-cmake), into
    $HOME/.local with $HOME a temp folder; returns the prefix."""
    root, home = recipe_root(source, tmp)
    run_recipe(source, "docs/consuming.md", [f"install-{by}"], root, home)
    prefix = home / ".local"
    if not (prefix / "include" / "kshake" / "kshake.hpp").is_file():
        raise Failure(f"consuming.md's install-{by} put no kshake/kshake.hpp in {prefix}/include")
    return prefix


def project_copy(name: str, tmp: Path) -> Path:
    project = tmp / name
    shutil.copytree(HERE / name, project)
    shutil.copy2(HERE / "consumer.cpp", project / "consumer.cpp")
    return project


def mode_single(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    compiler = cxx or default_compiler()
    need_compiler(compiler)
    project = tmp / "app"
    project.mkdir()
    shutil.copy2(HERE / "consumer.cpp", project)
    shutil.copy2(source / "single_include" / "kshake" / "kshake.hpp", project)
    exe = tmp / "consumer"
    depfile = tmp / "consumer.d"
    run([*compiler, "-std=c++20", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra",
         "-Wpedantic", "-Werror", "-DKSHAKE_CONSUMER_SINGLE_HEADER", "-MD", "-MF", depfile,
         "consumer.cpp", "-o", exe], cwd=project)
    deps = depfile.read_text()
    # kshake_headers_read looks for /kshake/ in a path; the copy sits in app/, so check by name.
    if f"{project}/kshake.hpp" not in deps and " kshake.hpp" not in deps:
        raise Failure("the depfile does not name the copied kshake.hpp")
    if "include/kshake/" in deps:
        raise Failure("the single-header consumer read a header from include/kshake/")
    print("ok: the consumer read the copied kshake.hpp and nothing from include/kshake/")
    check_built_by(exe, compiler, tmp)
    check_output(run([exe]), version)
    # consuming.md's single-header recipe as printed, with consumer.cpp as its app.cpp.
    need("g++")
    root, home = recipe_root(source, tmp)
    shutil.copy2(HERE / "consumer.cpp", root)
    (root / "app.cpp").write_text('#define KSHAKE_CONSUMER_SINGLE_HEADER 1\n'
                                  '#include "consumer.cpp"\n')
    run_recipe(source, "docs/consuming.md", ["single-header"], root, home)
    check_output(run([root / "app"]), version)


def mode_subproject(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("meson", "ninja")
    if cxx:
        need_compiler(cxx)
    project = project_copy("meson_subproject", tmp)
    vendored = project / "subprojects" / "kshake"
    # What a git submodule would hold: the tree without build dirs.
    shutil.copytree(source, vendored, ignore=lambda d, names: [
        n for n in names if n in (".git", "__pycache__")
        or (Path(d) == source and n.startswith("build"))])
    build = tmp / "build"
    # --force-fallback-for: use the subproject even on a machine where a kshake.pc is installed.
    meson_consumer(project, build, cxx, clean_env(), tmp, "--force-fallback-for=kshake")
    info = run(["meson", "introspect", "--projectinfo", build])
    if '"kshake"' not in info:
        raise Failure("meson introspect does not list kshake as a subproject")
    check_headers_from(ninja_deps(build), build, vendored / "include" / "kshake")
    check_output(run([build / "consumer"]), version)


def mode_pkgconfig(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("meson", "ninja", "pkg-config")
    if cxx:
        need_compiler(cxx)
    prefix = install_kshake(source, tmp)
    pc_dir = prefix / "share" / "pkgconfig"
    env = clean_env(PKG_CONFIG_PATH=str(pc_dir))
    got = run(["pkg-config", "--modversion", "kshake"], env=env).strip()
    if got != version:
        raise Failure(f"pkg-config says kshake {got}, expected {version}")
    cflags = run(["pkg-config", "--cflags", "kshake"], env=env)
    if str(prefix / "include") not in cflags:
        raise Failure(f"pkg-config --cflags kshake does not point into the prefix: {cflags!r}")
    run(["pkg-config", "--exists", "kshake >= 99"], env=env, expect_failure=True)
    project = project_copy("pkgconfig", tmp)
    build = tmp / "build"
    meson_consumer(project, build, cxx, env, tmp)
    check_headers_from(ninja_deps(build), build, prefix / "include" / "kshake")
    check_output(run([build / "consumer"]), version)


def cmake_args(cxx: list[str]) -> list[str]:
    """CMake's way to the whole compiler command: the launcher words, the compiler, and the
    compiler's own arguments as CMAKE_CXX_COMPILER_ARG1, which CMake puts after the compiler in
    every command it runs with it (compiler identification, try_compile, compile, link), as it
    does with the arguments in CXX='g++ -m32'."""
    args = ["-G", "Ninja", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"]
    if cxx:
        need_compiler(cxx)
        launchers, compiler, compiler_args = split_compiler(cxx)
        args.append(f"-DCMAKE_CXX_COMPILER={compiler}")
        # ARG1 is one string: CMake splits it at spaces to identify the compiler and splices it
        # unquoted into the build's command lines, so a word that would need quoting cannot go.
        awkward = [a for a in compiler_args if shlex.quote(a) != a]
        if awkward:
            raise Failure(f"CMake cannot take the compiler arguments {awkward} as part of the "
                          "compiler (CMAKE_CXX_COMPILER_ARG1 is split at spaces, unquoted)")
        if compiler_args:
            args.append(f"-DCMAKE_CXX_COMPILER_ARG1:STRING={' '.join(compiler_args)}")
        if launchers:
            args.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={';'.join(launchers)}")
    return args


def cmake_consumer(project: Path, build: Path, args: list[str], env: dict[str, str],
                   headers_dir: Path, version: str, cxx: list[str], tmp: Path) -> str:
    configured = run(["cmake", "-S", project, "-B", build, *args], env=env)
    run(["cmake", "--build", build], env=env)
    check_headers_from(ninja_deps(build), build, headers_dir)
    check_built_by(build / "consumer", cxx, tmp)
    check_output(run([build / "consumer"]), version)
    return configured


def installed_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def check_installed_tree(source: Path, prefix: Path, by: str) -> None:
    """The tree `meson install` and `cmake --install` both make, file by file."""
    headers = {f"include/{p.relative_to(source / 'include')}"
               for p in (source / "include" / "kshake").rglob("*") if p.is_file()}
    tooling = {f"share/kshake/{n}" for n in TOOLING}
    cmake = {f"share/cmake/kshake/kshake{n}.cmake" for n in ("Config", "ConfigVersion", "Targets")}
    expected = headers | tooling | cmake | {"share/doc/kshake/LICENSE"}
    if by == "meson":
        expected.add("share/pkgconfig/kshake.pc")
    got = installed_files(prefix)
    if got != expected:
        raise Failure(f"{by} install: missing {sorted(expected - got)}, "
                      f"unexpected {sorted(got - expected)}")
    same = {"share/doc/kshake/LICENSE": source / "LICENSE"}
    same.update({h: source / h for h in headers})
    for installed, original in same.items():
        if (prefix / installed).read_bytes() != original.read_bytes():
            raise Failure(f"{by} install: {installed} differs from {original}")
    check_tooling_dir(source, prefix / "share" / "kshake", f"{by} install", prefix.parent)
    print(f"ok: the {by} install holds the headers, LICENSE, the CMake package and the kernel "
          "tooling")


TOOLING = ("README.md", "ks-x86.def", "ks-x64.def", "ks-arm64.def", "ntoskrnl.def",
           "make_import_libs.py", "check_image.py")


def check_tooling_dir(source: Path, tooling_dir: Path, by: str, scratch: Path) -> None:
    """The kernel tooling's folder (share/kshake/ of an install, kshake_TOOLING_DIR of a CMake
    source-tree build): each file is its source's, the x64/ARM64 .def files are what
    make_import_libs.py --write-def writes, and the scripts run from there alone."""
    copied = {"ks-x86.def": source / "examples" / "avstream_driver" / "ks.def",
              "ntoskrnl.def": source / "tests" / "kernel" / "wdk" / "ntoskrnl.def",
              "check_image.py": source / "tests" / "kernel" / "check_image.py",
              "make_import_libs.py": source / "tools" / "make_import_libs.py",
              "README.md": source / "tools" / "packaging" / "kernel-tooling.md"}
    got = {p.name for p in tooling_dir.iterdir()} if tooling_dir.is_dir() else set()
    if got != set(TOOLING):
        raise Failure(f"{by}: {tooling_dir} holds {sorted(got)}, expected {sorted(TOOLING)}")
    for name, original in copied.items():
        if (tooling_dir / name).read_bytes() != original.read_bytes():
            raise Failure(f"{by}: {tooling_dir / name} differs from {original}")
    # ks-x64.def and ks-arm64.def: byte for byte what make_import_libs.py --write-def writes
    # (Meson runs the script, CMakeLists.txt writes them itself).
    for arch in ("x64", "arm64"):
        reference = scratch / f"ks-{arch}.reference.def"
        if not reference.exists():
            run([sys.executable, source / "tools" / "make_import_libs.py", "--write-def", arch,
                 "-o", reference])
        if (tooling_dir / f"ks-{arch}.def").read_bytes() != reference.read_bytes():
            raise Failure(f"{by}: {tooling_dir}/ks-{arch}.def is not make_import_libs.py's")
    for script in ("make_import_libs.py", "check_image.py"):
        if not os.access(tooling_dir / script, os.X_OK):
            raise Failure(f"{by}: {tooling_dir / script} is not executable")
    # The scripts run from that folder alone (no import of a sibling of tests/kernel/).
    workdir = scratch / "tooling-run"
    workdir.mkdir(exist_ok=True)
    run([sys.executable, tooling_dir / "check_image.py", "--help"], cwd=workdir)
    # One run here (the x86 and x64 libraries are made and linked by the `recipes` mode).
    if shutil.which("llvm-dlltool-19"):
        lib = workdir / "ks-arm64.lib"
        run([sys.executable, tooling_dir / "make_import_libs.py", "--arch", "arm64",
             "--linker", "lld-link", "-o", lib], cwd=workdir)
        if not lib.read_bytes().startswith(b"!<arch>\n"):
            raise Failure(f"{lib} is not an import library")
    else:
        print(f"(llvm-dlltool-19 not installed: {tooling_dir}/make_import_libs.py was not run)")
    print(f"ok: {by}: {tooling_dir} holds the kernel tooling, and its scripts run from there")


def cmake_tooling_dir(configure_output: str) -> Path:
    """kshake_TOOLING_DIR as the consumer project printed it (tests/consumers/cmake*/)."""
    for line in configure_output.splitlines():
        if line.startswith("-- kshake_TOOLING_DIR="):
            return Path(line.split("=", 1)[1].strip())
    raise Failure("the consumer project did not print kshake_TOOLING_DIR")


def find_package_consumer(prefix: Path, tmp: Path, cxx: list[str], version: str) -> None:
    project = project_copy("cmake", tmp)
    args = [*cmake_args(cxx), f"-DCMAKE_PREFIX_PATH={prefix}"]
    env = clean_env()
    build = tmp / "build"
    configured = run(["cmake", "-S", project, "-B", build, *args], env=env)
    if cmake_tooling_dir(configured) != prefix / "share" / "kshake":
        raise Failure(f"find_package(kshake) set kshake_TOOLING_DIR to "
                      f"{cmake_tooling_dir(configured)}, not {prefix / 'share' / 'kshake'}")
    print(f"ok: find_package(kshake) set kshake_TOOLING_DIR to {prefix / 'share' / 'kshake'}")
    cache = (build / "CMakeCache.txt").read_text()
    expected_dir = prefix / "share" / "cmake" / "kshake"
    if f"kshake_DIR:PATH={expected_dir}" not in cache:
        raise Failure(f"find_package(kshake) did not use {expected_dir}")
    run(["cmake", "--build", build], env=env)
    check_headers_from(ninja_deps(build), build, prefix / "include" / "kshake")
    check_built_by(build / "consumer", cxx, tmp)
    check_output(run([build / "consumer"]), version)
    # The version file must refuse a version this kshake is not compatible with.
    out = run(["cmake", "-S", project, "-B", tmp / "build-too-new", *args,
               "-DKSHAKE_MIN_VERSION=99.0"], env=env, expect_failure=True)
    if "kshake" not in out or "99.0" not in out:
        print(out)
        raise Failure("find_package(kshake 99.0) failed, but not for the version")
    print("ok: find_package(kshake 99.0) is refused")


def mode_cmake(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("meson", "ninja", "cmake")
    prefix = install_kshake(source, tmp)
    check_installed_tree(source, prefix, "meson")
    find_package_consumer(prefix, tmp, cxx, version)


def mode_cmake_install(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("ninja", "cmake")
    prefix = install_kshake(source, tmp, "cmake")
    cache = (tmp / "user" / "build-kshake" / "CMakeCache.txt").read_text()
    if f"CMAKE_PROJECT_VERSION:STATIC={version}" not in cache:
        raise Failure(f"CMakeLists.txt's project version is not {version}")
    check_installed_tree(source, prefix, "cmake")
    find_package_consumer(prefix, tmp, cxx, version)
    # consuming.md's configure line for a find_package project, as printed, in that project.
    project = tmp / "cmake"
    configured = run_recipe(source, "docs/consuming.md", ["cmake-find-package"], project,
                            tmp / "home")
    cache = (project / "build" / "CMakeCache.txt").read_text()
    if f"kshake_DIR:PATH={prefix / 'share' / 'cmake' / 'kshake'}" not in cache:
        raise Failure("consuming.md's cmake-find-package did not find kshake in $HOME/.local")
    if cmake_tooling_dir(configured) != prefix / "share" / "kshake":
        raise Failure("consuming.md's cmake-find-package: kshake_TOOLING_DIR is not "
                      f"{prefix / 'share' / 'kshake'}")
    print("ok: consuming.md's cmake-find-package found kshake and its tooling in $HOME/.local")


def check_installs_nothing(build: Path, tmp: Path) -> None:
    """kshake brought in by a parent project adds nothing to the parent's install."""
    prefix = tmp / "parent-prefix"
    run(["cmake", "--install", build, "--prefix", prefix])
    if prefix.exists() and installed_files(prefix):
        raise Failure(f"the parent's install installed kshake's files: {sorted(installed_files(prefix))}")
    print("ok: the parent project's install installs nothing of kshake")


def mode_cmake_subdirectory(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("ninja", "cmake")
    project = project_copy("cmake_subdirectory", tmp)
    build = tmp / "build"
    configured = cmake_consumer(project, build, [*cmake_args(cxx),
                                                 f"-DKSHAKE_SOURCE_DIR={source}"],
                                clean_env(), source / "include" / "kshake", version, cxx, tmp)
    check_tooling_dir(source, cmake_tooling_dir(configured), "add_subdirectory(kshake)", tmp)
    check_installs_nothing(build, tmp)


def mode_cmake_fetchcontent(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("ninja", "cmake")
    project = project_copy("cmake_fetchcontent", tmp)
    build = tmp / "build"
    configured = cmake_consumer(project, build, [*cmake_args(cxx),
                                                 f"-DKSHAKE_SOURCE_DIR={source}",
                                                 "-DFETCHCONTENT_FULLY_DISCONNECTED=ON"],
                                clean_env(), source / "include" / "kshake", version, cxx, tmp)
    check_tooling_dir(source, cmake_tooling_dir(configured), "FetchContent(kshake)", tmp)
    check_installs_nothing(build, tmp)


def mode_cmake_driver(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    need("ninja", "cmake", "x86_64-w64-mingw32-g++", "x86_64-w64-mingw32-dlltool",
         "x86_64-w64-mingw32-objdump")
    if not Path("/usr/x86_64-w64-mingw32/include/ddk/ntddk.h").exists():
        if REQUIRE_TOOLS:
            raise Failure("mingw-w64-x86-64-dev is not installed (tools/setup.sh kernel)")
        print("SKIP: mingw-w64-x86-64-dev not installed (tools/setup.sh kernel installs it)")
        sys.exit(SKIP)
    prefix = install_kshake(source, tmp, "cmake")
    env = clean_env()
    # The driver's sources only: nothing else of kshake's tree goes with them.
    project = tmp / "cmake_driver"
    shutil.copytree(HERE / "cmake_driver", project)
    shutil.copytree(source / "examples" / "avstream_driver", project / "driver" / "avstream_driver")
    shutil.copy2(source / "examples" / "contoso_protocols.hpp", project / "driver")
    build = tmp / "build"
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja", "-DCMAKE_SYSTEM_NAME=Windows",
         "-DCMAKE_CXX_COMPILER=x86_64-w64-mingw32-g++", f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"], env=env)
    out = run(["cmake", "--build", build], env=env)
    print(out.rstrip())
    if "check_image: " not in out or ": OK" not in out:
        raise Failure("the installed check_image.py did not pass the driver")
    deps = ninja_deps(build)
    check_headers_from(deps, build, prefix / "include" / "kshake")
    # GSL through the gsl-only link (gcc may record it resolved); nothing else of the host's.
    hosted = [t for t in deps.split() if (t.startswith("/usr/include/")
                                          and not t.startswith("/usr/include/gsl/"))
              or "x86_64-linux-gnu" in t]
    if hosted:
        raise Failure(f"the driver read host headers: {hosted[:5]}")
    print("ok: the driver was built, linked and checked with the installed kshake alone")


def coff_imports(image: Path) -> dict[str, set[str]]:
    """{DLL: functions} an image imports, as llvm-readobj-19 (a reader kshake did not write)
    reads its import directory."""
    imports: dict[str, set[str]] = {}
    dll = None
    for line in run(["llvm-readobj-19", "--coff-imports", image]).splitlines():
        line = line.strip()
        if line.startswith("Name: "):
            dll = line[len("Name: "):].lower()
            imports.setdefault(dll, set())
        elif line.startswith("Symbol: ") and dll:
            imports[dll].add(line[len("Symbol: "):].split(" (")[0])
    return imports


def check_imports_handshake(image: Path, what: str) -> None:
    imports = coff_imports(image)
    if "KsPinHandshake" not in imports.get("ks.sys", set()):
        raise Failure(f"{what}: {image.name} does not import KsPinHandshake from ks.sys "
                      f"(imports: {imports})")
    print(f"ok: {what}: {image.name} imports KsPinHandshake from ks.sys")


def driver_folder(source: Path, drivers: Path, name: str) -> Path:
    """A folder holding kshake's sample driver as driver.cpp, as toolchains.md's recipes take it
    (sample_pins.hpp beside it, contoso_protocols.hpp one folder up)."""
    folder = drivers / name
    folder.mkdir(parents=True)
    sample = source / "examples" / "avstream_driver"
    shutil.copy2(sample / "avstream_driver.cpp", folder / "driver.cpp")
    shutil.copy2(sample / "sample_pins.hpp", folder)
    if not (drivers / "contoso_protocols.hpp").exists():
        shutil.copy2(source / "examples" / "contoso_protocols.hpp", drivers)
    return folder


def check_dlltool_table(tooling: Path, x64: Path, x86_rtd: Path, x86_cl: Path) -> None:
    """Every cell of toolchains.md's dlltool-by-linker table, on the recipes' own objects: the
    two dlltools' libraries of ks.sys, linked by GNU ld, ld.lld and lld-link."""
    x64_def, x86_def = tooling / "ks-x64.def", tooling / "ks-x86.def"
    mingw64 = Path("/usr/x86_64-w64-mingw32/lib")
    libgcc = run(["x86_64-w64-mingw32-gcc", "-print-libgcc-file-name"]).strip()
    libs = {"gnu": x64 / "table-gnu.a", "llvm": x64 / "table-llvm.a"}
    run(["x86_64-w64-mingw32-dlltool", "-m", "i386:x86-64", "-d", x64_def, "-l", libs["gnu"]])
    run(["llvm-dlltool-19", "-m", "i386:x86-64", "-d", x64_def, "-l", libs["llvm"]])
    for kind, lib in libs.items():
        links = {
            "gnu-ld": ["x86_64-w64-mingw32-g++", "-nostdlib", "-Wl,--subsystem,native",
                       "-Wl,--entry,DriverEntry", "-o", x64 / f"table-gnu-ld-{kind}.sys",
                       "driver.o", lib, "-lntoskrnl", "-lhal", "-lgcc"],
            "lld": ["clang++-19", "--target=x86_64-w64-mingw32", "-fuse-ld=lld-19", "-nostdlib",
                    "-Wl,--subsystem,native", "-Wl,--entry,DriverEntry",
                    "-o", x64 / f"table-lld-{kind}.sys", "driver.o", lib, "-lntoskrnl", "-lhal",
                    "-lgcc"],
            "lld-link": ["lld-link-19", "/DRIVER", "/SUBSYSTEM:NATIVE", "/ENTRY:DriverEntry",
                         "/NODEFAULTLIB", f"/OUT:{x64 / f'table-lld-link-{kind}.sys'}",
                         "driver.o", lib, mingw64 / "libntoskrnl.a", mingw64 / "libhal.a",
                         libgcc]}
        for linker, command in links.items():
            run(command, cwd=x64)
            got = coff_imports(x64 / f"table-{linker}-{kind}.sys").get("ks.sys", set())
            if (linker, kind) == ("gnu-ld", "llvm"):
                if got:
                    raise Failure(f"GNU ld now imports {sorted(got)} from ks.sys through "
                                  "llvm-dlltool's library: update toolchains.md's table and "
                                  "make_import_libs.py's refusal")
                print("ok: x64: GNU ld + llvm-dlltool links, and the image imports nothing "
                      "from ks.sys (as toolchains.md says)")
            elif "KsPinHandshake" not in got:
                raise Failure(f"x64: {linker} + {kind} dlltool: the image does not import "
                              f"KsPinHandshake from ks.sys ({sorted(got)})")
            else:
                print(f"ok: x64: {linker} + {kind} dlltool: imports KsPinHandshake from ks.sys")
    # x86, -mrtd: llvm-dlltool's undecorated library linked by GNU ld imports nothing either.
    undecorated = x86_rtd / "table-ks-undecorated.def"
    undecorated.write_text("LIBRARY ks.sys\nEXPORTS\n" + "".join(
        re.sub(r"@\d+$", "", line) + "\n" for line in x86_def.read_text().splitlines()
        if line and not line.startswith(";") and line.split()[0] not in ("LIBRARY", "EXPORTS")))
    run(["llvm-dlltool-19", "-m", "i386", "-k", "-d", undecorated, "-l",
         x86_rtd / "table-llvm.a"])
    run(["i686-w64-mingw32-g++", "-nostdlib", "-Wl,--subsystem,native", "-Wl,--entry,_DriverEntry",
         "-o", "table-gnu-ld-llvm.sys", "driver.o", "table-llvm.a", "libntoskrnl-rtd.a",
         "libhal-rtd.a", "-lgcc"], cwd=x86_rtd)
    if coff_imports(x86_rtd / "table-gnu-ld-llvm.sys").get("ks.sys"):
        raise Failure("x86: GNU ld now imports from ks.sys through llvm-dlltool's library: "
                      "update toolchains.md's table and make_import_libs.py's refusal")
    print("ok: x86: GNU ld + llvm-dlltool links, and the image imports nothing from ks.sys")
    # x86, lld-link: GNU dlltool's library is an error under /SAFESEH.
    run(["i686-w64-mingw32-dlltool", "-m", "i386", "-k", "-d", x86_def, "-l",
         x86_cl / "table-gnu.lib"])
    out = run(["lld-link-19", "/DRIVER", "/SUBSYSTEM:NATIVE", "/ENTRY:DriverEntry", "/NODEFAULTLIB",
               "/MACHINE:X86", "/OUT:table-lld-link-gnu.sys", "driver.obj", "table-gnu.lib",
               "ntoskrnl.lib", "hal.lib"], cwd=x86_cl, expect_failure=True)
    if "is not compatible with SEH" not in out:
        raise Failure(f"x86: lld-link + GNU dlltool failed, but not as toolchains.md says:\n{out}")
    print("ok: x86: lld-link refuses GNU dlltool's library (/safeseh), as toolchains.md says")


def check_refusals(tooling: Path, scratch: Path) -> None:
    """make_import_libs.py refuses the two mismatches of the table, whatever --dlltool says; the
    recipes are the twins it accepts."""
    for arch, linker, dlltool in (("x64", "gnu-ld", "llvm-dlltool-19"),
                                  ("x86-rtd", "gnu-ld", "llvm-dlltool-19"),
                                  ("x86", "lld-link", "i686-w64-mingw32-dlltool")):
        lib = scratch / f"refused-{arch}-{linker}.a"
        out = run([sys.executable, tooling / "make_import_libs.py", "--arch", arch, "--linker",
                   linker, "--dlltool", dlltool, "-o", lib], expect_failure=True)
        if "was not kept" not in out or lib.exists():
            raise Failure(f"make_import_libs.py --arch {arch} --linker {linker} --dlltool "
                          f"{dlltool}: not refused as it should be:\n{out}")
        print(f"ok: make_import_libs.py refuses {dlltool}'s library for --linker {linker} "
              f"({arch})")
    # The twin of the x86 lld-link refusal: on x64 lld-link links GNU dlltool's library (the
    # table's x64 cell), so it is kept.
    lib = scratch / "kept-x64-lld-link.lib"
    run([sys.executable, tooling / "make_import_libs.py", "--arch", "x64", "--linker", "lld-link",
         "--dlltool", "x86_64-w64-mingw32-dlltool", "-o", lib])
    if not lib.exists():
        raise Failure("make_import_libs.py --arch x64 --linker lld-link --dlltool "
                      "x86_64-w64-mingw32-dlltool: the library was not kept")
    print("ok: make_import_libs.py keeps x86_64-w64-mingw32-dlltool's library for --linker "
          "lld-link (x64)")


def mode_recipes(source: Path, tmp: Path, cxx: list[str], version: str) -> None:
    """toolchains.md's driver builds and consuming.md's kernel-tooling lines, as printed, from
    kshake installed by consuming.md's CMake recipe; kernel-tooling.md's by-hand lines."""
    check_recipe_marks(source)
    need("ninja", "cmake", "bash", "x86_64-w64-mingw32-g++", "x86_64-w64-mingw32-gcc",
         "x86_64-w64-mingw32-dlltool", "x86_64-w64-mingw32-objdump", "i686-w64-mingw32-g++",
         "i686-w64-mingw32-dlltool", "i686-w64-mingw32-objdump", "clang-cl-19", "clang++-19",
         "lld-link-19", "ld.lld-19", "llvm-dlltool-19", "llvm-readobj-19")
    for ddk, package in (("x86_64-w64-mingw32", "mingw-w64-x86-64-dev"),
                         ("i686-w64-mingw32", "mingw-w64-i686-dev")):
        if not Path(f"/usr/{ddk}/include/ddk/ntddk.h").exists():
            if REQUIRE_TOOLS:
                raise Failure(f"{package} is not installed (tools/setup.sh kernel installs it)")
            print(f"SKIP: {package} not installed (tools/setup.sh kernel installs it)")
            sys.exit(SKIP)
    prefix = install_kshake(source, tmp, "cmake")
    tooling = prefix / "share" / "kshake"
    home = tmp / "home"
    # kernel-tooling.md (installed as share/kshake/README.md): its lines run in that folder.
    by_hand = tmp / "by-hand"
    shutil.copytree(tooling, by_hand)
    run_recipe(source, "tools/packaging/kernel-tooling.md", ["tooling-by-hand"], by_hand, home)
    made = sorted(by_hand.glob("*.lib")) + sorted(by_hand.glob("*.a"))
    if len(made) < 5 or any(not lib.read_bytes().startswith(b"!<arch>\n") for lib in made):
        raise Failure(f"kernel-tooling.md's tooling-by-hand made {[m.name for m in made]}")
    print(f"ok: kernel-tooling.md's lines made {', '.join(m.name for m in made)}")
    drivers = tmp / "drivers"
    built = {}
    for name in RECIPES["docs/toolchains.md"][1:]:
        folder = driver_folder(source, drivers, name)
        out = run_recipe(source, "docs/toolchains.md", ["driver-setup", name], folder, home)
        if "check_image: driver.sys: OK" not in out:
            print(out)
            raise Failure(f"toolchains.md's {name}: check_image.py did not pass driver.sys")
        check_imports_handshake(folder / "driver.sys", f"toolchains.md's {name}")
        built[name] = folder
    # consuming.md's kernel-tooling lines, on the x86_64 image just built.
    x64 = built["driver-x64-gcc"]
    out = run_recipe(source, "docs/consuming.md", ["kernel-tooling"], x64, home)
    if "check_image: driver.sys: OK" not in out:
        print(out)
        raise Failure("consuming.md's kernel-tooling: check_image.py did not pass driver.sys")
    print("ok: consuming.md's kernel-tooling lines ran on the x86_64 image")
    check_dlltool_table(tooling, x64, built["driver-x86-gcc-rtd"], built["driver-x86-clang-cl"])
    check_refusals(tooling, tmp)


MODES = {"single": mode_single, "subproject": mode_subproject, "pkgconfig": mode_pkgconfig,
         "cmake": mode_cmake, "cmake-subdirectory": mode_cmake_subdirectory,
         "cmake-fetchcontent": mode_cmake_fetchcontent, "cmake-install": mode_cmake_install,
         "cmake-driver": mode_cmake_driver, "recipes": mode_recipes}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--source-root", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--cxx", default="",
                        help="the whole compiler command as one shell-quoted string (as for CXX)")
    parser.add_argument("--cxx-word", action="append", default=[], metavar="WORD",
                        help="one word of the compiler command, in order (--cxx-word=-m32)")
    parser.add_argument("--require-tools", action="store_true",
                        help="a missing tool fails the test instead of skipping it (exit 77)")
    args = parser.parse_args()
    global REQUIRE_TOOLS
    REQUIRE_TOOLS = args.require_tools
    if args.cxx and args.cxx_word:
        parser.error("give the compiler command as --cxx or as --cxx-word, not both")
    cxx = args.cxx_word or shlex.split(args.cxx)
    keep = os.environ.get("KSHAKE_KEEP_CONSUMER_TMP")
    tmp = Path(tempfile.mkdtemp(prefix=f"kshake-consumer-{args.mode}-"))
    try:
        MODES[args.mode](args.source_root.resolve(), tmp, cxx, args.version)
    except Failure as failure:
        print(f"FAIL ({args.mode} consumer): {failure}")
        keep = keep or "1"
        print(f"(kept {tmp} for a look)")
        return 1
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"PASS: {args.mode} consumer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
