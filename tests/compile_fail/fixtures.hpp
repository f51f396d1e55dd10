// Valid pieces that every compile-fail case builds its one mistake from.
// Each case is compiled twice by run.py: as written (the misuse: it must fail, and its first
// error must carry the case's `// expect:` text), and with -DKSHAKE_VALID_TWIN (the valid twin,
// differing only inside the case's #ifdef: it must compile, warning-free under -Werror).
#pragma once

#include <kshake/kshake.hpp>

#include <cstdint>

using namespace kshake::literals;

namespace fx {

struct ping_request {
    std::uint32_t value;
};
struct ping_response {
    std::uint32_t value;
    std::uint16_t extra;
    std::uint16_t reserved; // where a compiler would pad: a payload has no implicit padding
};

// A valid protocol of each shape: default version, a version range, the raw codec.
struct ping {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131401"_guid;
    using request = ping_request;
    using response = ping_response;
};
struct pool {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131402"_guid;
    using request = ping_request;
    using response = ping_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 1;
};
struct interface_exchange {
    static constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131403"_guid;
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
};

// The pin's context, and a pin shaped like KSPIN (a Context member).
struct pin_state {
    std::uint32_t served;
};
struct fake_pin {
    void* Context;
};

// A transport: `ntstatus (const handshake&, handshake&) noexcept`.
struct loopback {
    kshake::ntstatus operator()(const kshake::handshake&, kshake::handshake&) const noexcept {
        return kshake::status::not_supported;
    }
};

inline kshake::ntstatus on_ping(pin_state& s, const ping_request& in, ping_response& out) noexcept {
    ++s.served;
    out.value = in.value;
    return kshake::status::success;
}
inline kshake::ntstatus on_pool(pin_state&, const ping_request&, ping_response& out,
                                std::uint32_t version) noexcept {
    out.value = version;
    return kshake::status::success;
}
inline kshake::ntstatus on_interface(pin_state&, const kshake::raw_arguments& in,
                                     kshake::raw_arguments& out) noexcept {
    out = in;
    return kshake::status::success;
}

// What a driver instantiates for its responder: the PFNKSPINHANDSHAKE-shaped callback.
template <class Responder>
inline constexpr auto callback_of = &Responder::template callback<fake_pin*>;

} // namespace fx
