// expect: kshake: a transport must take `out` as `kshake::handshake& out`
// A lambda transport taking `out` by const reference, given to negotiate_first.
#include "fixtures.hpp"

[[nodiscard]] auto use() {
#ifdef KSHAKE_VALID_TWIN
    const auto over = [](const kshake::handshake&, kshake::handshake&) noexcept {
#else
    const auto over = [](const kshake::handshake&, const kshake::handshake&) noexcept {
#endif
        return kshake::status::not_supported;
    };
    return kshake::negotiate_first<fx::ping>(over, fx::ping_request{});
}
