// expect: kshake: a transport must return kshake::ntstatus
// A transport that returns bool instead of the status.
#include "fixtures.hpp"

struct pin_transport {
#ifdef KSHAKE_VALID_TWIN
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
        return kshake::status::not_supported;
    }
#else
    bool operator()(const kshake::handshake&, kshake::handshake&) const noexcept { return false; }
#endif
};

[[nodiscard]] auto use() {
    return kshake::negotiate<fx::ping>(pin_transport{}, fx::ping_request{});
}
