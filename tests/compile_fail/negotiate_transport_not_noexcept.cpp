// expect: kshake: a transport must be noexcept
// A transport whose call operator may throw.
#include "fixtures.hpp"

struct pin_transport {
#ifdef KSHAKE_VALID_TWIN
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
#else
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake&) const {
#endif
        return kshake::status::not_supported;
    }
};

[[nodiscard]] auto use() {
    return kshake::negotiate<fx::ping>(pin_transport{}, fx::ping_request{});
}
