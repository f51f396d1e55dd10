#include <kshake/handshake.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace kshake::literals;

namespace {
// ks.h's KSHANDSHAKE, spelled with fixed-width types so it means the same here as on Windows.
struct ks_handshake_shape {
    struct {
        std::uint32_t Data1;
        std::uint16_t Data2;
        std::uint16_t Data3;
        unsigned char Data4[8];
    } ProtocolId;
    void* Argument1;
    void* Argument2;
};
} // namespace

TEST_CASE("handshake has KSHANDSHAKE's size and offsets") {
    CHECK(sizeof(kshake::handshake) == sizeof(ks_handshake_shape));
    CHECK(offsetof(kshake::handshake, protocol_id) == offsetof(ks_handshake_shape, ProtocolId));
    CHECK(offsetof(kshake::handshake, argument1) == offsetof(ks_handshake_shape, Argument1));
    CHECK(offsetof(kshake::handshake, argument2) == offsetof(ks_handshake_shape, Argument2));
    CHECK(alignof(kshake::handshake) == alignof(ks_handshake_shape));
    CHECK(sizeof(kshake::handshake) == (sizeof(void*) == 8 ? 32U : 24U));
}

TEST_CASE("a handshake copied as bytes reads back field for field") {
    int a = 0;
    int b = 0;
    const kshake::handshake h{"6994AD04-93EF-11D0-A3CC-00A0C9223196"_guid, &a, &b};
    ks_handshake_shape shape{};
    std::memcpy(&shape, &h, sizeof h);
    CHECK(shape.ProtocolId.Data1 == 0x6994AD04U);
    CHECK(shape.Argument1 == &a);
    CHECK(shape.Argument2 == &b);
}
