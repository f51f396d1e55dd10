// expect: kshake: a transport must take `out` as `kshake::handshake& out`
// A transport taking `out` by value: the peer's answer would be written into a copy, and every
// negotiation would fail with STATUS_DEVICE_PROTOCOL_ERROR.
#include "fixtures.hpp"

struct pin_transport {
#ifdef KSHAKE_VALID_TWIN
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
#else
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake) const noexcept {
#endif
        return kshake::status::not_supported;
    }
};

[[nodiscard]] auto use() {
    return kshake::negotiate<fx::ping>(pin_transport{}, fx::ping_request{});
}
