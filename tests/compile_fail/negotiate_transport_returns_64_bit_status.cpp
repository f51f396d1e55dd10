// expect: kshake: a transport must return kshake::ntstatus
// A transport returning a 64-bit integer (on an LP64 host, `long` is one): an NTSTATUS is 32
// bits, so it would be truncated. NTSTATUS itself, a 32-bit `long` on Windows targets, is fine.
#include "fixtures.hpp"

#include <cstdint>

struct pin_transport {
#ifdef KSHAKE_VALID_TWIN
    std::int32_t operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
#else
    std::int64_t operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
#endif
        return kshake::status::not_supported;
    }
};

[[nodiscard]] auto use() {
    return kshake::negotiate<fx::ping>(pin_transport{}, fx::ping_request{});
}
