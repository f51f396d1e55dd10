#!/usr/bin/env python3
"""Benchmark your own protocols: kshake against the hand-written C for them, per protocol and case.

    python3 tools/bench_protocols.py path/to/header.hpp [--compiler gcc|clang|both]
                                     [--rounds R] [--calls C] [--quick] [--no-time]
                                     [--out DIR] [--sanity] [--doc PAGE]

The header declares, at global scope (docs/benchmarks.md, "Benchmarking your own protocols";
examples/contoso_bench.hpp is one):

    using bench_responder = kshake::responder<Context, kshake::route<P, handler>...>;
    using bench_offers = kshake::offer<P1, P2, ...>;  // what the initiator offers, in order
    inline Context bench_context{...};                 // the responder pin's context
    P::request bench_request(P);                       // optional, per offer: the request sent
                                                       // (default: a value-initialised request)

For each compiler (g++ and clang++-19 by default, -O2 -fno-exceptions -fno-rtti) the tool builds,
in DIR (default build/bench-protocols/<header name>):
  * the kshake side: bench_responder's routes (your protocols, your handlers) behind
    kshake::direct_pin, the transport that calls the peer's registered callback as KsPinHandshake
    does;
  * the C it generates for the same GUIDs, payload sizes and version ranges (benchmarks/user/
    user_baseline.h): `chain`, an IsEqualGUID (memcmp) chain, and `switch`, a switch on the id's
    first 8 bytes and a compare of the last 8, each with one serve function per protocol id and
    the same initiator, all following wire contract 1.0 (docs/wire.md);
and both sides call each handler, yours, through the same out-of-line function, so the figures
compare what negotiation costs: dispatch, checks and copies.

Cases, for each protocol P of bench_offers: `hit` (P at its own version), `version` (P at a
version above every route of its id: STATUS_REVISION_MISMATCH, or STATUS_INVALID_DEVICE_REQUEST
when no route has P's id), `unknown` (P's payloads under an id no route has:
STATUS_INVALID_DEVICE_REQUEST), `first` (negotiate_first falling through two
refused versions to P's own: three offers); and `offers`, the whole list as bench_offers::negotiate
sends it. A raw-codec protocol carries no version: only `hit` and `unknown`.

Printed per compiler: each case's status (every implementation must give the same one, and a
refusal must leave the caller's response untouched), the instructions per negotiation under
callgrind (deterministic: a loop of 1024 calls, minus the same loop calling an empty function,
divided by 1024), the time per negotiation (R interleaved rounds in one process, every case once
a round in a new random order, C calls timed together: the median and the interquartile range
over rounds), best C (the cheaper of chain and switch) and the ratio kshake / best C. Written:
DIR/results.csv and DIR/protocols.png (gnuplot, when installed: tools/setup.sh bench).

--quick: 5 rounds of 200 calls (a quick look, or the test suite). --sanity: exits 1 unless every
implementation gives the same status in every case, the version and unknown cases are refused
with the wire contract's statuses, a refusal leaves the response untouched and a success writes
it, every instruction count and time median is positive, and the plot was written (never a
timing threshold); it also builds with -Werror. --no-time skips the timings. --doc PAGE writes the
instruction counts into PAGE's <!-- protocols:begin --> block and the plot beside it, as
bench-protocols-<header name>.png (docs/benchmarks.md's are those of examples/contoso_bench.hpp,
written with --no-time).
"""
import argparse
import csv
import hashlib
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER_DIR = os.path.join(ROOT, "benchmarks", "user")

COMPILERS = {
    "gcc": {"CXX": "g++", "CC": "gcc", "label": "g++"},
    "clang": {"CXX": "clang++-19", "CC": "clang-19", "label": "clang-19"},
}
IMPLEMENTATIONS = ["kshake", "chain", "switch"]
C_PATTERNS = ["chain", "switch"]
CASES = ["hit", "version", "unknown", "first", "offers"]
CASE_TEXT = {
    "hit": "hit",
    "version": "refused version",
    "unknown": "unknown id",
    "first": "negotiate_first, 3 offers",
    "offers": "bench_offers::negotiate",
}
STATUS_NAMES = {
    0x00000000: "STATUS_SUCCESS",
    0x00000103: "STATUS_PENDING",
    0x80000005: "STATUS_BUFFER_OVERFLOW",
    0xC0000001: "STATUS_UNSUCCESSFUL",
    0xC0000002: "STATUS_NOT_IMPLEMENTED",
    0xC000000D: "STATUS_INVALID_PARAMETER",
    0xC0000010: "STATUS_INVALID_DEVICE_REQUEST",
    0xC0000023: "STATUS_BUFFER_TOO_SMALL",
    0xC0000059: "STATUS_REVISION_MISMATCH",
    0xC000009A: "STATUS_INSUFFICIENT_RESOURCES",
    0xC000009D: "STATUS_DEVICE_NOT_CONNECTED",
    0xC00000BB: "STATUS_NOT_SUPPORTED",
    0xC0000184: "STATUS_INVALID_DEVICE_STATE",
    0xC0000186: "STATUS_DEVICE_PROTOCOL_ERROR",
    0xC0000206: "STATUS_INVALID_BUFFER_SIZE",
    0xC0000225: "STATUS_NOT_FOUND",
}
REVISION_MISMATCH = 0xC0000059
INVALID_DEVICE_REQUEST = 0xC0000010
CXXFLAGS = ["-std=c++20", "-O2", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra",
            "-Wpedantic", "-Wconversion", "-Wsign-conversion", "-Wshadow"]
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion",
          "-Wsign-conversion", "-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes"]


def fail(message):
    sys.exit("bench_protocols: " + message)


# -- what the header declares (benchmarks/user/introspect.cpp) ------------------------------------
def parse_introspection(text):
    routes, offers = [], []
    for line in text.splitlines():
        kind, index, ident, low, high, req, resp, codec, name = line.split(" ", 8)
        entry = {"index": int(index), "id": bytes.fromhex(ident), "min": int(low),
                 "max": int(high), "request": int(req), "response": int(resp),
                 "raw": codec == "raw", "name": name.strip()}
        (routes if kind == "route" else offers).append(entry)
    if not routes or not offers:
        fail("the header declares no routes or no offers")
    return routes, offers


def protocol_label(offer):
    return offer["name"] if offer["name"] != "-" else "offer %d" % offer["index"]


def guid_initializer(b):
    data1, data2, data3 = struct.unpack("<IHH", b[:8])
    return "{0x%08Xu, 0x%04Xu, 0x%04Xu, {%s}}" % (data1, data2, data3,
                                                  ", ".join("0x%02Xu" % x for x in b[8:]))


def unknown_id(offer, taken):
    """An id no route has, derived from the offer's (the same on every run)."""
    seed = b"kshake unknown " + offer["id"]
    while True:
        b = bytearray(hashlib.sha256(seed).digest()[:16])
        b[7] = (b[7] & 0x0F) | 0x40  # version 4 (Data3's high nibble, little-endian)
        b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
        if bytes(b) not in taken:
            return bytes(b)
        seed += b"+"


def plan(routes, offers):
    """Per offer: the version above every route of its id, its unknown id and its cases."""
    taken = {r["id"] for r in routes}
    for o in offers:
        same = [r["max"] for r in routes if r["id"] == o["id"]]
        o["above"] = max(same + [o["max"]])
        if o["above"] + 2 > 0xFFFFFFFF:
            fail("%s: its version leaves no room for refused versions" % protocol_label(o))
        o["unknown"] = unknown_id(o, taken)
        o["served"] = bool(same)
        o["cases"] = ["hit", "unknown"] if o["raw"] else ["hit", "version", "unknown", "first"]


# -- generated sources ----------------------------------------------------------------------------
BANNER = "/* Generated by tools/bench_protocols.py for %s: do not edit. */\n"


def id_groups(routes):
    groups = []
    for r in routes:
        for g in groups:
            if g["id"] == r["id"]:
                g["routes"].append(r)
                break
        else:
            groups.append({"id": r["id"], "routes": [r]})
    for k, g in enumerate(groups):
        g["index"] = k
    return groups


def c_serve(prefix, group):
    k = group["index"]
    w = ["static NTSTATUS %sServeId%d(void* Context, PKSHANDSHAKE In, PKSHANDSHAKE Out) {\n"
         % (prefix, k)]
    first = group["routes"][0]
    if first["raw"]:
        r = first
        w.append("    void* Arguments[2];\n"
                 "    _Alignas(8) unsigned char Response[%(response)d];\n"
                 "    void* Answer[2];\n"
                 "    NTSTATUS Status;\n"
                 "    Arguments[0] = In->Argument1;\n"
                 "    Arguments[1] = In->Argument2;\n"
                 "    RtlZeroMemory(Response, sizeof Response);\n"
                 "    Status = bench_user_handler_%(index)d(Context, Arguments, Response, %(max)du);\n"
                 "    if (!NT_SUCCESS(Status)) {\n"
                 "        return Status;\n"
                 "    }\n"
                 "    RtlCopyMemory(Answer, Response, sizeof Answer);\n"
                 "    Out->ProtocolId = Id%(k)d;\n"
                 "    Out->Argument1 = Answer[0];\n"
                 "    Out->Argument2 = Answer[1];\n"
                 "    return STATUS_SUCCESS;\n}\n\n" % dict(r, k=k))
        return "".join(w)
    w.append("    void* const Argument1 = In->Argument1;\n"
             "    void* const Argument2 = In->Argument2;\n"
             "    USER_ENVELOPE_HEADER Header;\n"
             "    NTSTATUS Status;\n"
             "    if (Argument1 == NULL || Argument2 == NULL) {\n"
             "        return STATUS_INVALID_PARAMETER;\n"
             "    }\n"
             "    RtlCopyMemory(&Header, Argument1, sizeof Header);\n")
    for r in group["routes"]:
        w.append("    if (Header.Version >= %(min)du && Header.Version <= %(max)du) {\n"
                 "        _Alignas(8) unsigned char Request[%(request)d];\n"
                 "        _Alignas(8) unsigned char Response[%(response)d];\n"
                 "        Status = UserCheckRoute(Argument1, Argument2, Out, Header.Size, %(request)du,\n"
                 "                                %(response)du, Request);\n"
                 "        if (Status != STATUS_SUCCESS) {\n"
                 "            return Status;\n"
                 "        }\n"
                 "        RtlZeroMemory(Response, sizeof Response);\n"
                 "        Status = bench_user_handler_%(index)d(Context, Request, Response, Header.Version);\n"
                 "        if (!NT_SUCCESS(Status)) {\n"
                 "            return Status;\n"
                 "        }\n"
                 "        UserWriteResponse(Argument2, Out, &Id%(k)d, Response, %(response)du, Header.Version);\n"
                 "        return STATUS_SUCCESS;\n"
                 "    }\n" % dict(r, k=k))
    w.append("    return STATUS_REVISION_MISMATCH;\n}\n\n")
    return "".join(w)


def c_dispatch(pattern, prefix, groups):
    w = ["static NTSTATUS %sHandshake(PKSPIN Pin, PKSHANDSHAKE In, PKSHANDSHAKE Out) {\n"
         "    void* Context;\n" % prefix]
    if pattern == "switch":
        w.append("    uint64_t Low;\n    uint64_t High;\n")
    w.append("    if (In == NULL || Out == NULL) {\n"
             "        return STATUS_INVALID_PARAMETER;\n"
             "    }\n"
             "    Context = Pin == NULL ? NULL : Pin->Context;\n"
             "    if (Context == NULL) {\n"
             "        return STATUS_INVALID_DEVICE_STATE;\n"
             "    }\n")
    if pattern == "chain":
        for g in groups:
            w.append("    %sif (IsEqualGUID(&In->ProtocolId, &Id%d)) {\n"
                     "        return %sServeId%d(Context, In, Out);\n"
                     "    }" % ("" if g["index"] == 0 else "else ", g["index"], prefix, g["index"]))
            w.append("\n" if g is groups[-1] else " ")
    else:
        # One case per first 8 bytes; the last 8 are read and compared only in a case.
        cases = {}
        for g in groups:
            low, high = struct.unpack("<QQ", g["id"])
            cases.setdefault(low, []).append((high, g["index"]))
        w.append("    RtlCopyMemory(&Low, &In->ProtocolId, sizeof Low);\n"
                 "    switch (Low) {\n")
        for low, members in cases.items():
            w.append("    case 0x%016Xull:\n"
                     "        RtlCopyMemory(&High, (const unsigned char*)&In->ProtocolId + 8, sizeof High);\n"
                     % low)
            for high, k in members:
                w.append("        if (High == 0x%016Xull) {\n"
                         "            return %sServeId%d(Context, In, Out);\n"
                         "        }\n" % (high, prefix, k))
            w.append("        break;\n")
        w.append("    default:\n        break;\n    }\n")
    w.append("    return STATUS_INVALID_DEVICE_REQUEST;\n}\n\n")
    return "".join(w)


# Bugs the sanity check must catch (--plant, for tools/bench_protocols_test.sh): a C responder
# that refuses an unknown id with another status, and a C initiator that writes the caller's
# response on a refusal.
PLANTS = ["status", "response"]


def gen_c(header, routes, offers, plant=None):
    groups = id_groups(routes)
    w = [BANNER % header,
         "/* The hand-written C for the header's protocols: two responders (chain, switch) and the\n"
         " * initiator's cases, shared by both. */\n",
         '#include "user_baseline.h"\n\n']
    for r in routes:
        w.append("NTSTATUS bench_user_handler_%d(void* Context, const void* Request, void* Response,\n"
                 "                              ULONG Version);\n" % r["index"])
    for o in offers:
        w.append("extern unsigned char bench_user_request_%d[%d];\n" % (o["index"], o["request"]))
    w.append("\n")
    for g in groups:
        w.append("static const GUID Id%d = %s;\n" % (g["index"], guid_initializer(g["id"])))
    for o in offers:
        w.append("static const GUID OfferId%d = %s;\n" % (o["index"], guid_initializer(o["id"])))
        w.append("static const GUID UnknownId%d = %s;\n" % (o["index"],
                                                           guid_initializer(o["unknown"])))
    w.append("\n")
    for pattern in C_PATTERNS:
        prefix = pattern.capitalize()
        for g in groups:
            w.append(c_serve(prefix, g))
        dispatch = c_dispatch(pattern, prefix, groups)
        if plant == "status" and pattern == "switch":
            dispatch = dispatch.replace("    return STATUS_INVALID_DEVICE_REQUEST;\n}",
                                        "    return (NTSTATUS)0xC0000225u; /* planted */\n}")
        w.append(dispatch)
    for o in offers:
        i = o["index"]
        if o["raw"]:
            w.append("static inline NTSTATUS Offer%d(PKSPIN Peer, const GUID* Id, ULONG Version,\n"
                     "                               void* Response) {\n"
                     "    (void)Version;\n"
                     "    return UserOfferRaw(Peer, Id, bench_user_request_%d, Response);\n"
                     "}\n" % (i, i))
        else:
            w.append("static inline NTSTATUS Offer%(i)d(PKSPIN Peer, const GUID* Id, ULONG Version,\n"
                     "                               void* Response) {\n"
                     "    _Alignas(8) unsigned char RequestEnvelope[8 + %(request)d];\n"
                     "    _Alignas(8) unsigned char ResponseEnvelope[8 + %(response)d];\n"
                     "    const NTSTATUS Status = UserOffer(Peer, Id, Version, bench_user_request_%(i)d,\n"
                     "        %(request)du, Response, %(response)du, RequestEnvelope, ResponseEnvelope);\n"
                     "%(plant)s"
                     "    return Status;\n"
                     "}\n" % dict(o, i=i, plant="    if (Status != STATUS_SUCCESS) {\n"
                                               "        RtlZeroMemory(Response, %d); /* planted */\n"
                                               "    }\n" % o["response"]
                                   if plant == "response" else ""))
        w.append("static NTSTATUS Case%dHit(PKSPIN Peer, void* Response) {\n"
                 "    return Offer%d(Peer, &OfferId%d, %du, Response);\n}\n" % (i, i, i, o["max"]))
        w.append("static NTSTATUS Case%dUnknown(PKSPIN Peer, void* Response) {\n"
                 "    return Offer%d(Peer, &UnknownId%d, %du, Response);\n}\n" % (i, i, i, o["max"]))
        if not o["raw"]:
            w.append("static NTSTATUS Case%dVersion(PKSPIN Peer, void* Response) {\n"
                     "    return Offer%d(Peer, &OfferId%d, %du, Response);\n}\n"
                     % (i, i, i, o["above"] + 1))
            w.append("/* negotiate_first's loop (wire.md 2.5): a broken answer ends it; any other\n"
                     " * refusal moves on; all refused: the last refusal's status. */\n"
                     "static NTSTATUS Case%(i)dFirst(PKSPIN Peer, void* Response) {\n"
                     "    static const ULONG Versions[3] = {%(a2)du, %(a1)du, %(v)du};\n"
                     "    NTSTATUS Status = STATUS_INVALID_DEVICE_REQUEST;\n"
                     "    unsigned k;\n"
                     "    for (k = 0; k < 3; ++k) {\n"
                     "        Status = Offer%(i)d(Peer, &OfferId%(i)d, Versions[k], Response);\n"
                     "        if (Status == STATUS_SUCCESS || Status == STATUS_DEVICE_PROTOCOL_ERROR) {\n"
                     "            break;\n"
                     "        }\n"
                     "    }\n"
                     "    return Status;\n}\n"
                     % dict(i=i, a2=o["above"] + 2, a1=o["above"] + 1, v=o["max"]))
        w.append("\n")
    w.append("static NTSTATUS CaseAll(PKSPIN Peer, void* Response) {\n    NTSTATUS Status;\n")
    for o in offers:
        w.append("    Status = Offer%d(Peer, &OfferId%d, %du, Response);\n"
                 % (o["index"], o["index"], o["max"]))
        if o is not offers[-1]:
            w.append("    if (Status == STATUS_SUCCESS || Status == STATUS_DEVICE_PROTOCOL_ERROR) {\n"
                     "        return Status;\n    }\n")
    w.append("    return Status;\n}\n\n")
    w.append("const BENCH_USER_CASE bench_user_c_cases[] = {\n")
    for pattern in C_PATTERNS:
        prefix = pattern.capitalize()
        for o in offers:
            for case in o["cases"]:
                w.append('    {"%s", %du, "%s", Case%d%s, %sHandshake},\n'
                         % (pattern, o["index"], case, o["index"], case.capitalize(), prefix))
        w.append('    {"%s", ~0u, "offers", CaseAll, %sHandshake},\n' % (pattern, prefix))
    w.append("};\nconst unsigned bench_user_c_case_count =\n"
             "    (unsigned)(sizeof bench_user_c_cases / sizeof bench_user_c_cases[0]);\n")
    return "".join(w)


def gen_shims(header, routes, offers):
    w = [BANNER % header,
         "// Each route's handler behind one out-of-line function that both sides call, and the\n"
         "// requests the C initiator sends (the header's, copied in once by bench_user_init).\n",
         '#include "user_kshake.hpp"\n\nextern "C" {\n\n']
    for r in routes:
        w.append("__attribute__((noinline)) NTSTATUS bench_user_handler_%d(void* context,\n"
                 "    const void* request, void* response, ULONG version) {\n"
                 "    return bench_user::call_handler<%d>(context, request, response, version);\n"
                 "}\n" % (r["index"], r["index"]))
    for o in offers:
        w.append("alignas(8) unsigned char bench_user_request_%d[%d];\n" % (o["index"], o["request"]))
    w.append("\nvoid bench_user_init(void) {\n")
    for o in offers:
        w.append("    {\n"
                 "        const auto request = bench_user::make_request<bench_user::offer_t<%d>>();\n"
                 "        static_assert(sizeof request == sizeof bench_user_request_%d);\n"
                 "        std::memcpy(bench_user_request_%d, &request, sizeof request);\n"
                 "    }\n" % (o["index"], o["index"], o["index"]))
    w.append("}\n\n} // extern \"C\"\n")
    return "".join(w)


def gen_kshake(header, routes, offers):
    w = [BANNER % header,
         "// The kshake side: bench_responder's routes, each handler called through the same\n"
         "// out-of-line function as the C's, behind kshake::direct_pin.\n",
         '#include "user_kshake.hpp"\n\nextern "C" {\n']
    for r in routes:
        w.append("NTSTATUS bench_user_handler_%d(void* context, const void* request, void* response,\n"
                 "                              ULONG version);\n" % r["index"])
    w.append("}\n\nnamespace {\n\nusing server = kshake::responder<bench_user::context_t,\n")
    w.append(",\n".join("    kshake::route<bench_user::route_protocol_t<%d>,\n"
                        "                  &bench_user::via<%d, &bench_user_handler_%d>>"
                        % (r["index"], r["index"], r["index"]) for r in routes))
    w.append(">;\nconstexpr PFNKSPINHANDSHAKE callback = &server::callback<PKSPIN, KSHANDSHAKE, NTSTATUS>;\n\n")
    for o in offers:
        i = o["index"]
        w.append("struct unknown_%d {\n"
                 "    static constexpr kshake::guid id%s;\n"
                 "    using request = kshake::request_t<bench_user::offer_t<%d>>;\n"
                 "    using response = kshake::response_t<bench_user::offer_t<%d>>;\n"
                 "    using codec = bench_user::codec_t<bench_user::offer_t<%d>>;\n"
                 "    static constexpr kshake::uint32_t version = kshake::version_v<bench_user::offer_t<%d>>;\n"
                 "};\n" % (i, guid_initializer(o["unknown"]).replace("u,", ",").replace("u}", "}"),
                           i, i, i, i))
    w.append("\n} // namespace\n\nextern \"C\" const BENCH_USER_CASE bench_user_kshake_cases[] = {\n")
    for o in offers:
        i = o["index"]
        run = {"hit": "&bench_user::hit<%d>" % i,
               "version": "&bench_user::at_version<%d, %du>" % (i, o["above"] + 1),
               "unknown": "&bench_user::unknown<%d, unknown_%d>" % (i, i),
               "first": "&bench_user::fall_through<%d, %du>" % (i, o["above"] + 1)}
        for case in o["cases"]:
            w.append('    {"kshake", %du, "%s", %s, callback},\n' % (i, case, run[case]))
    w.append('    {"kshake", ~0u, "offers", &bench_user::all_offers, callback},\n};\n')
    w.append("extern \"C\" const unsigned bench_user_kshake_case_count =\n"
             "    sizeof bench_user_kshake_cases / sizeof bench_user_kshake_cases[0];\n")
    return "".join(w)


# -- building and running -------------------------------------------------------------------------
def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        fail("failed (exit %d): %s" % (out.returncode, " ".join(cmd)))
    return out.stdout


def include_flags(header):
    return ["-I" + os.path.join(ROOT, "include"), "-I" + os.path.join(ROOT, "benchmarks"),
            "-I" + USER_DIR, "-I" + os.path.dirname(header),
            '-DBENCH_USER_HEADER="%s"' % header]


def build(compiler, header, gen_dir, out_dir, werror):
    tools = COMPILERS[compiler]
    for tool in (tools["CXX"], tools["CC"]):
        if shutil.which(tool) is None:
            fail("%s is not installed" % tool)
    extra = ["-Werror"] if werror else []
    objects, jobs = [], []
    sources = [(os.path.join(USER_DIR, "user_main.cpp"), "cpp"),
               (os.path.join(gen_dir, "kshake_gen.cpp"), "cpp"),
               (os.path.join(gen_dir, "shims_gen.cpp"), "cpp"),
               (os.path.join(gen_dir, "c_gen.c"), "c")]
    for source, lang in sources:
        obj = os.path.join(out_dir, os.path.basename(source) + ".o")
        if lang == "cpp":
            cmd = [tools["CXX"]] + CXXFLAGS + extra + include_flags(header)
        else:
            cmd = [tools["CC"]] + CFLAGS + extra + ["-I" + os.path.join(ROOT, "benchmarks"),
                                                    "-I" + USER_DIR]
        cmd += ["-c", source, "-o", obj]
        jobs.append((cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           text=True)))
        objects.append(obj)
        if len(jobs) % 2 == 0:  # two at a time: the machine may be shared
            for c, p in jobs[-2:]:
                p.wait()
    for cmd, p in jobs:
        text = p.communicate()[0]
        if p.returncode != 0:
            sys.stderr.write(text)
            fail("compile failed: " + " ".join(cmd))
    binary = os.path.join(out_dir, "bench_user")
    run([tools["CXX"]] + objects + ["-o", binary])
    return binary


def compiler_version(compiler):
    out = subprocess.run([COMPILERS[compiler]["CXX"], "--version"], capture_output=True, text=True)
    return out.stdout.splitlines()[0].strip() if out.stdout else COMPILERS[compiler]["CXX"]


def read_statuses(binary):
    statuses = {}
    for line in run([binary, "check"]).splitlines():
        _, impl, offer, case, status, untouched = line.split()
        statuses[(impl, offer, case)] = (int(status, 16), untouched == "1")
    return statuses


def count_instructions(binary):
    if shutil.which("valgrind") is None:
        fail("valgrind is not installed (tools/setup.sh bench)")
    with tempfile.TemporaryDirectory(prefix="kshake-bench-protocols-") as tmp:
        out = run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                   "--callgrind-out-file=" + os.path.join(tmp, "callgrind.out.%p"), binary,
                   "count"])
        loops = {}
        for line in out.splitlines():
            _, name, calls = line.split()
            loops[name] = int(calls)
        totals = {}
        for entry in os.listdir(tmp):
            name = summary = None
            with open(os.path.join(tmp, entry)) as f:
                for line in f:
                    if line.startswith("desc: Trigger: Client Request: "):
                        name = line.split("Client Request: ", 1)[1].strip()
                    elif line.startswith("summary:"):
                        summary = int(line.split()[1])
            if name in loops and summary is not None:
                totals[name] = summary
    missing = set(loops) - set(totals)
    if missing:
        fail("no callgrind dump for " + ", ".join(sorted(missing)))
    empty = totals.pop("empty/0/loop")
    calls = loops["empty/0/loop"]
    result = {}
    for name, total in totals.items():
        impl, offer, case = name.split("/")
        result[(impl, offer, case)] = (total - empty) / calls
    return result, empty / calls


def time_cases(binary, rounds, calls):
    samples = {}
    for line in run([binary, "time", str(rounds), str(calls)]).splitlines():
        _, name, ns = line.split()
        impl, offer, case = name.split("/")
        samples.setdefault((impl, offer, case), []).append(float(ns))
    result = {}
    for key, values in samples.items():
        values.sort()
        q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
        result[key] = {"median": statistics.median(values), "q1": q[0], "q3": q[2],
                       "rounds": len(values)}
    return result


# -- reporting ------------------------------------------------------------------------------------
def status_text(s):
    return STATUS_NAMES.get(s, "0x%08X" % s)


def fmt(x, digits=1):
    if x is None:
        return "-"
    if float(x).is_integer():
        return "%d" % x
    return ("%.*f" % (digits, x))


def rows_of(offers, statuses, counts, times):
    rows = []
    keys = [(str(o["index"]), protocol_label(o), case) for o in offers for case in o["cases"]]
    keys.append(("all", "(all offers)", "offers"))
    for offer, label, case in keys:
        served = offer == "all" or offers[int(offer)]["served"]
        row = {"offer": offer, "protocol": label, "case": case, "served": served,
               "status": {impl: statuses[(impl, offer, case)][0] for impl in IMPLEMENTATIONS},
               "untouched": {impl: statuses[(impl, offer, case)][1] for impl in IMPLEMENTATIONS},
               "ir": {impl: counts[(impl, offer, case)] for impl in IMPLEMENTATIONS},
               "ns": {impl: times.get((impl, offer, case)) for impl in IMPLEMENTATIONS}}
        best = min(C_PATTERNS, key=lambda p: row["ir"][p])
        row["best_ir"] = (best, row["ir"][best])
        if all(row["ns"][p] for p in C_PATTERNS):
            best_t = min(C_PATTERNS, key=lambda p: row["ns"][p]["median"])
            row["best_ns"] = (best_t, row["ns"][best_t]["median"])
        else:
            row["best_ns"] = None
        rows.append(row)
    return rows


def print_tables(label, version, empty, rows, rounds, calls, timed):
    print()
    print("== %s (%s; -O2 -fno-exceptions -fno-rtti)" % (label, version))
    print("instructions per negotiation (callgrind; a loop of 1024 calls, its harness of %s "
          "instructions a call subtracted)" % fmt(empty))
    head = "%-24s %-26s %-30s %8s %8s %8s %-7s %7s" % ("protocol", "case", "status", "kshake",
                                                         "chain", "switch", "best C", "k/best")
    print(head)
    for r in rows:
        best, value = r["best_ir"]
        print("%-24s %-26s %-30s %8s %8s %8s %-7s %7.3f" % (
            r["protocol"], CASE_TEXT[r["case"]], status_text(r["status"]["kshake"]),
            fmt(r["ir"]["kshake"]), fmt(r["ir"]["chain"]), fmt(r["ir"]["switch"]), best,
            r["ir"]["kshake"] / value if value else float("nan")))
    if not timed:
        return
    print("time per negotiation, ns: median over %d interleaved rounds of %d calls "
          "(interquartile range)" % (rounds, calls))
    print("%-24s %-26s %-24s %-24s %-24s %-7s %7s" % ("protocol", "case", "kshake", "chain",
                                                      "switch", "best C", "k/best"))
    for r in rows:
        cells = []
        for impl in IMPLEMENTATIONS:
            t = r["ns"][impl]
            cells.append("%.2f (%.2f-%.2f)" % (t["median"], t["q1"], t["q3"]))
        best, value = r["best_ns"]
        print("%-24s %-26s %-24s %-24s %-24s %-7s %7.3f" % (
            r["protocol"], CASE_TEXT[r["case"]], cells[0], cells[1], cells[2], best,
            r["ns"]["kshake"]["median"] / value))


def write_csv(path, results):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["compiler", "protocol", "case", "status", "kshake_ir", "chain_ir", "switch_ir",
                    "best_c_ir", "best_c_ir_pattern", "kshake_per_best_c_ir", "kshake_ns",
                    "kshake_ns_q1", "kshake_ns_q3", "chain_ns", "switch_ns", "best_c_ns",
                    "best_c_ns_pattern", "kshake_per_best_c_ns", "compiler_version"])
        for compiler, version, rows in results:
            for r in rows:
                ns = r["ns"]
                t = ns["kshake"]
                best_ns = r["best_ns"]
                w.writerow([compiler, r["protocol"], r["case"], status_text(r["status"]["kshake"]),
                            "%.4g" % r["ir"]["kshake"], "%.4g" % r["ir"]["chain"],
                            "%.4g" % r["ir"]["switch"], "%.4g" % r["best_ir"][1], r["best_ir"][0],
                            "%.4f" % (r["ir"]["kshake"] / r["best_ir"][1]),
                            "%.3f" % t["median"] if t else "", "%.3f" % t["q1"] if t else "",
                            "%.3f" % t["q3"] if t else "",
                            "%.3f" % ns["chain"]["median"] if ns["chain"] else "",
                            "%.3f" % ns["switch"]["median"] if ns["switch"] else "",
                            "%.3f" % best_ns[1] if best_ns else "",
                            best_ns[0] if best_ns else "",
                            "%.4f" % (t["median"] / best_ns[1]) if best_ns else "", version])


def plot(out_dir, results, timed):
    """One panel per compiler and measure: kshake, chain and switch side by side for each case."""
    if shutil.which("gnuplot") is None:
        print("bench_protocols: gnuplot is not installed (tools/setup.sh bench): no plot")
        return None
    data = os.path.join(out_dir, "plot.dat")
    with open(data, "w") as f:
        for compiler, _, rows in results:
            f.write("# %s\n" % compiler)
            for r in rows:
                label = "%s\\n%s" % (r["protocol"], r["case"])
                ns = [r["ns"][i]["median"] if r["ns"][i] else 0 for i in IMPLEMENTATIONS]
                f.write('"%s" %s %s\n' % (label, " ".join("%.3f" % r["ir"][i]
                                                           for i in IMPLEMENTATIONS),
                                          " ".join("%.3f" % x for x in ns)))
            f.write("\n\n")
    png = os.path.join(out_dir, "protocols.png")
    labels = " ".join(label for _, label, _ in
                      [(c, COMPILERS[c]["label"], 0) for c, _, _ in results])
    run(["gnuplot", "-e", "data='%s'; out='%s'; compilers=%d; labels='%s'; timed=%d"
         % (data, png, len(results), labels, 1 if timed else 0),
         os.path.join(ROOT, "tools", "bench_protocols.gp")])
    return png


def markdown(results):
    """The instruction counts as one Markdown table, a column group per compiler."""
    compilers = [(c, COMPILERS[c]["label"]) for c, _, _ in results]
    head = "| protocol | case | status |" + "".join(
        " %s: kshake | chain | switch | kshake / best C |" % label for _, label in compilers)
    lines = [head, "| --- | --- | --- |" + " ---: | ---: | ---: | ---: |" * len(compilers)]
    for i, r in enumerate(results[0][2]):
        cells = [r["protocol"].replace("(all offers)", "all offers"),
                 CASE_TEXT[r["case"]].replace("bench_offers::negotiate",
                                              "`bench_offers::negotiate`"),
                 "`%s`" % status_text(r["status"]["kshake"])]
        for _, _, rows in results:
            row = rows[i]
            cells += [fmt(row["ir"][impl]) for impl in IMPLEMENTATIONS]
            cells.append("%.3f" % (row["ir"]["kshake"] / row["best_ir"][1]))
        lines.append("| " + " | ".join(cells) + " |")
    versions = "; ".join("%s: %s" % (COMPILERS[c]["label"], v) for c, v, _ in results)
    return ("Instructions per negotiation (callgrind; %s; -O2 -fno-exceptions -fno-rtti). "
            "Best C: the cheaper of chain and switch.\n\n" % versions) + "\n".join(lines) + "\n"


def write_doc(doc, stem, text, png):
    """Replaces the block between <!-- protocols:begin ... --> and <!-- protocols:end --> of doc,
    and copies the plot beside it as bench-protocols-<stem>.png."""
    begin = "<!-- protocols:begin (generated by tools/bench_protocols.py --doc; do not edit) -->"
    end = "<!-- protocols:end -->"
    with open(doc) as f:
        page = f.read()
    a = page.find("<!-- protocols:begin")
    b = page.find(end)
    if a < 0 or b < a:
        fail("%s has no <!-- protocols:begin --> ... <!-- protocols:end --> block" % doc)
    page = page[:a] + begin + "\n" + text + page[b:]
    with open(doc, "w") as f:
        f.write(page)
    if png:
        shutil.copyfile(png, os.path.join(os.path.dirname(doc), "bench-protocols-%s.png" % stem))


def sanity(results, png, timed):
    problems = []
    for compiler, _, rows in results:
        for r in rows:
            where = "%s: %s, %s" % (compiler, r["protocol"], CASE_TEXT[r["case"]])
            statuses = set(r["status"].values())
            if len(statuses) != 1:
                problems.append("%s: the implementations disagree: %s" % (where, ", ".join(
                    "%s %s" % (i, status_text(r["status"][i])) for i in IMPLEMENTATIONS)))
            # A protocol no route serves is refused as an unknown id whatever its version.
            expected = {"version": REVISION_MISMATCH if r["served"] else INVALID_DEVICE_REQUEST,
                        "unknown": INVALID_DEVICE_REQUEST}.get(r["case"])
            for impl in IMPLEMENTATIONS:
                s = r["status"][impl]
                if expected is not None and s != expected:
                    problems.append("%s: %s answered %s, not %s" % (where, impl, status_text(s),
                                                                   status_text(expected)))
                if s != 0 and not r["untouched"][impl]:
                    problems.append("%s: %s refused (%s) but wrote the response" % (
                        where, impl, status_text(s)))
                if s == 0 and r["untouched"][impl]:
                    problems.append("%s: %s succeeded but wrote no response" % (where, impl))
                if not r["ir"][impl] > 0:
                    problems.append("%s: %s: %s instructions" % (where, impl, r["ir"][impl]))
                if timed and not (r["ns"][impl] and r["ns"][impl]["median"] > 0):
                    problems.append("%s: %s: no positive time median" % (where, impl))
    if png is None or not os.path.isfile(png) or os.path.getsize(png) == 0:
        problems.append("no plot was written")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("header", help="the header declaring bench_responder, bench_offers, "
                                       "bench_context")
    parser.add_argument("--compiler", choices=["gcc", "clang", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=61, help="interleaved rounds (default 61)")
    parser.add_argument("--calls", type=int, default=2000, help="calls timed together (2000)")
    parser.add_argument("--quick", action="store_true", help="5 rounds of 200 calls")
    parser.add_argument("--no-time", action="store_true", help="instructions only")
    parser.add_argument("--out", help="build and output directory "
                                      "(default build/bench-protocols/<header name>)")
    parser.add_argument("--sanity", action="store_true",
                        help="exit 1 unless every figure is sane (statuses agree, counts and "
                             "medians positive, the plot written); builds with -Werror")
    parser.add_argument("--doc", help="write the instruction counts into this page's "
                                      "<!-- protocols:begin --> block, and the plot beside it")
    parser.add_argument("--plant", choices=PLANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.calls = 5, 200
    if args.rounds < 1 or args.calls < 1:
        fail("--rounds and --calls must be positive")
    header = os.path.abspath(args.header)
    if not os.path.isfile(header):
        fail("no such header: " + args.header)
    stem = os.path.splitext(os.path.basename(header))[0]
    out_dir = os.path.abspath(args.out or os.path.join(ROOT, "build", "bench-protocols", stem))
    gen_dir = os.path.join(out_dir, "gen")
    os.makedirs(gen_dir, exist_ok=True)
    compilers = ["gcc", "clang"] if args.compiler == "both" else [args.compiler]
    start = time.time()

    # What the header declares, from a small program built on it.
    intro = os.path.join(out_dir, "introspect")
    run([COMPILERS[compilers[0]]["CXX"]] + CXXFLAGS + (["-Werror"] if args.sanity else [])
        + include_flags(header) + [os.path.join(USER_DIR, "introspect.cpp"), "-o", intro])
    routes, offers = parse_introspection(run([intro]))
    plan(routes, offers)
    rel = os.path.relpath(header, ROOT) if header.startswith(ROOT + os.sep) else header
    for name, text in (("c_gen.c", gen_c(rel, routes, offers, args.plant)),
                       ("shims_gen.cpp", gen_shims(rel, routes, offers)),
                       ("kshake_gen.cpp", gen_kshake(rel, routes, offers))):
        with open(os.path.join(gen_dir, name), "w") as f:
            f.write(text)
    print("bench_protocols: %s: %d route(s), %d offer(s); generated sources in %s"
          % (rel, len(routes), len(offers), os.path.relpath(gen_dir, os.getcwd())))

    results = []
    for compiler in compilers:
        build_dir = os.path.join(out_dir, compiler)
        os.makedirs(build_dir, exist_ok=True)
        binary = build(compiler, header, gen_dir, build_dir, args.sanity)
        statuses = read_statuses(binary)
        counts, empty = count_instructions(binary)
        times = {} if args.no_time else time_cases(binary, args.rounds, args.calls)
        rows = rows_of(offers, statuses, counts, times)
        version = compiler_version(compiler)
        print_tables(COMPILERS[compiler]["label"], version, empty, rows, args.rounds, args.calls,
                     not args.no_time)
        results.append((compiler, version, rows))

    csv_path = os.path.join(out_dir, "results.csv")
    write_csv(csv_path, results)
    png = plot(out_dir, results, not args.no_time)
    print()
    print("bench_protocols: wrote %s%s (%.0f s)" % (
        os.path.relpath(csv_path, os.getcwd()),
        " and " + os.path.relpath(png, os.getcwd()) if png else "", time.time() - start))
    if args.doc:
        write_doc(os.path.abspath(args.doc), stem, markdown(results), png)
        print("bench_protocols: wrote the instruction counts into " + args.doc)
    if args.sanity:
        problems = sanity(results, png, not args.no_time)
        for p in problems:
            print("bench_protocols: SANITY: " + p)
        if problems:
            sys.exit(1)
        print("bench_protocols: sane: %d case(s) x %d implementation(s) x %d compiler(s)"
              % (len(results[0][2]), len(IMPLEMENTATIONS), len(results)))


if __name__ == "__main__":
    main()
