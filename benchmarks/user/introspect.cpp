// "Benchmark your own protocols": prints what tools/bench_protocols.py needs to generate the C for
// the user's header (BENCH_USER_HEADER): every route of bench_responder and every offer of
// bench_offers, one line each, as
//   route|offer <index> <id: 16 bytes in hex, in memory order> <min_version> <version>
//         <request bytes> <response bytes> envelope|raw <name, or "-", the rest of the line>
// SPDX-License-Identifier: MIT
#include "user_kshake.hpp"

#include <cstdio>

namespace {

template <class P>
void print(const char* kind, std::size_t index) {
    unsigned char id[sizeof(kshake::guid)];
    std::memcpy(id, &P::id, sizeof id);
    std::printf("%s %zu ", kind, index);
    for (const unsigned char b : id) {
        std::printf("%02x", b);
    }
    const char* name = kshake::protocol_name<P>();
    std::printf(" %u %u %zu %zu %s %s\n", static_cast<unsigned>(kshake::min_version_v<P>),
                static_cast<unsigned>(kshake::version_v<P>), sizeof(kshake::request_t<P>),
                sizeof(kshake::response_t<P>), bench_user::is_raw<P> ? "raw" : "envelope",
                name != nullptr && name[0] != '\0' ? name : "-");
}

template <std::size_t... Rs, std::size_t... Is>
void print_all(std::index_sequence<Rs...>, std::index_sequence<Is...>) {
    (print<bench_user::route_protocol_t<Rs>>("route", Rs), ...);
    (print<bench_user::offer_t<Is>>("offer", Is), ...);
}

} // namespace

int main() {
    print_all(std::make_index_sequence<bench_user::route_count>{},
              std::make_index_sequence<bench_user::offer_count>{});
    return 0;
}
