// Protocols and handlers shared by the negotiation tests.
#pragma once

#include <kshake/kshake.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace test {

using namespace kshake::literals;

struct tiny {
    std::uint8_t value;
};

// Where a compiler would pad (3 bytes after flag, 2 after code), explicit reserved fields that
// the sender sets to zero: a payload may have no implicit padding.
struct with_reserved {
    std::uint8_t flag;
    std::uint8_t reserved1[3];
    std::uint32_t count;
    std::uint16_t code;
    std::uint16_t reserved2;
};

struct large {
    std::uint32_t words[500];
};

struct sink_state {
    std::uint32_t served;
    std::uint32_t frames;
    void* pool_interface;
};

struct echo_tiny {
    static constexpr kshake::guid id = "3D0F2E10-7F6A-4B1C-9B5E-1A2B3C4D5E01"_guid;
    static constexpr const char* name = "echo-tiny";
    using request = tiny;
    using response = tiny;
};

struct padded {
    static constexpr kshake::guid id = "3D0F2E10-7F6A-4B1C-9B5E-1A2B3C4D5E02"_guid;
    using request = with_reserved;
    using response = with_reserved;
    static constexpr std::uint32_t version = 4;
    static constexpr std::uint32_t min_version = 2;
};

struct bulk {
    static constexpr kshake::guid id = "3D0F2E10-7F6A-4B1C-9B5E-1A2B3C4D5E03"_guid;
    using request = tiny;
    using response = large;
};

// An interface-exchange protocol in the raw convention: Argument1 of the reply is the sink's
// interface pointer.
struct pool_interface {
    static constexpr kshake::guid id = "3D0F2E10-7F6A-4B1C-9B5E-1A2B3C4D5E04"_guid;
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
};

// Served by nobody.
struct unknown {
    static constexpr kshake::guid id = "3D0F2E10-7F6A-4B1C-9B5E-1A2B3C4D5EFF"_guid;
    using request = tiny;
    using response = tiny;
};

// A handler that writes part of its answer and then refuses.
struct half_written {
    static constexpr kshake::guid id = "3D0F2E10-7F6A-4B1C-9B5E-1A2B3C4D5E05"_guid;
    using request = tiny;
    using response = large;
};

inline constexpr kshake::ntstatus refused_by_handler = kshake::status::insufficient_resources;

inline kshake::ntstatus serve_echo(sink_state& s, const tiny& in, tiny& out) noexcept {
    ++s.served;
    out.value = static_cast<std::uint8_t>(in.value + 1U);
    return kshake::status::success;
}

inline kshake::ntstatus serve_padded(sink_state& s, const with_reserved& in, with_reserved& out,
                                     std::uint32_t version) noexcept {
    ++s.served;
    out.flag = in.flag;
    out.count = in.count * 2U;
    out.code = static_cast<std::uint16_t>(version);
    return kshake::status::success;
}

inline kshake::ntstatus serve_bulk(sink_state& s, const tiny& in, large& out) noexcept {
    ++s.served;
    for (std::size_t i = 0; i < std::size(out.words); ++i) {
        out.words[i] = static_cast<std::uint32_t>(i) * in.value;
    }
    return kshake::status::success;
}

inline kshake::ntstatus serve_pool(sink_state& s, const kshake::raw_arguments& in,
                                   kshake::raw_arguments& out) noexcept {
    ++s.served;
    out.argument1 = s.pool_interface;
    out.argument2 = in.argument1; // hands the initiator's cookie back
    return kshake::status::success;
}

inline kshake::ntstatus serve_half(sink_state& s, const tiny&, large& out) noexcept {
    ++s.served;
    out.words[0] = 0xDEADBEEFU;
    out.words[1] = 0xDEADBEEFU;
    return refused_by_handler;
}

using sink_responder =
    kshake::responder<sink_state, kshake::route<echo_tiny, serve_echo>,
                      kshake::route<padded, serve_padded>, kshake::route<bulk, serve_bulk>,
                      kshake::route<pool_interface, serve_pool>,
                      kshake::route<half_written, serve_half>>;

// Bytes of an object, to prove that nothing changed.
template <class T>
std::vector<unsigned char> bytes_of(const T& object) {
    std::vector<unsigned char> b(sizeof(T));
    std::memcpy(b.data(), &object, sizeof(T));
    return b;
}

} // namespace test
