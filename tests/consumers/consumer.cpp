// The program every consumer test builds, as a user would: it includes kshake the way the
// consuming method says and fails to compile when it got the other edition.
#if defined(KSHAKE_CONSUMER_SINGLE_HEADER)
#include "kshake.hpp" // single_include/kshake/kshake.hpp copied next to this file
#if !defined(KSHAKE_SINGLE_HEADER)
#error "expected the single header"
#endif
#else
#include <kshake/kshake.hpp>
#if defined(KSHAKE_SINGLE_HEADER)
#error "expected the multi-header tree (include/kshake/), got the single header"
#endif
#endif

#include <cstdio>

using namespace kshake::literals;

namespace {
// KSDATAFORMAT_SUBTYPE_PCM
constexpr kshake::guid pcm = "00000001-0000-0010-8000-00AA00389B71"_guid;
static_assert(pcm.data1 == 1 && pcm.data4[7] == 0x71);
} // namespace

int main() {
    const auto parsed = kshake::parse_guid("{00000001-0000-0010-8000-00aa00389b71}");
    const bool ok = parsed && *parsed == pcm;
    std::printf("kshake %d.%d.%d consumer: %s %s\n", KSHAKE_VERSION_MAJOR, KSHAKE_VERSION_MINOR,
                KSHAKE_VERSION_PATCH, kshake::to_string(pcm).c_str(), ok ? "OK" : "MISMATCH");
    return ok ? 0 : 1;
}
