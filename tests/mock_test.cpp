// The mock pins follow AVStream's rules one by one.
#include "test_protocols.hpp"

#include <kshake/mock.hpp>

#include <doctest/doctest.h>

using namespace test;
namespace st = kshake::status;
using kshake::mock::pin;
using kshake::mock::processor_mode;

namespace {
kshake::ntstatus accept_all(pin*, kshake::handshake* in, kshake::handshake* out) noexcept {
    *out = {in->protocol_id, in->argument2, nullptr};
    return kshake::status::success;
}
kshake::ntstatus refuse_all(pin*, kshake::handshake*, kshake::handshake*) noexcept {
    return kshake::status::invalid_device_request;
}
// A PFNKSPINHANDSHAKE-shaped callback has no state of its own: it reports through this.
pin* last_called = nullptr; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
kshake::ntstatus remember_pin(pin* p, kshake::handshake*, kshake::handshake*) noexcept {
    last_called = p;
    return kshake::status::success;
}
const kshake::handshake offer{echo_tiny::id, nullptr, nullptr};
} // namespace

TEST_CASE("connect pairs two pins and disconnect unpairs both") {
    pin a;
    pin b;
    pin c;
    CHECK(a.connected_pin() == nullptr);
    connect(a, b);
    CHECK(a.connected_pin() == &b);
    CHECK(b.connected_pin() == &a);
    connect(a, c); // reconnecting drops the old peer
    CHECK(b.connected_pin() == nullptr);
    CHECK(c.connected_pin() == &a);
    c.disconnect();
    CHECK(a.connected_pin() == nullptr);
}

TEST_CASE("KsPinHandshake: an unconnected pin gets STATUS_DEVICE_NOT_CONNECTED") {
    pin a;
    kshake::handshake out{};
    CHECK(a.handshake(offer, out) == st::device_not_connected);
}

TEST_CASE("KsPinHandshake: a peer without a callback refuses") {
    pin a;
    pin b;
    connect(a, b);
    kshake::handshake out{};
    CHECK(a.handshake(offer, out) == st::invalid_device_request);
}

TEST_CASE("KsPinHandshake: the connected pin's callback runs with itself as Pin") {
    pin a;
    pin b;
    connect(a, b);
    b.register_handshake_callback(&remember_pin);
    kshake::handshake out{};
    CHECK(a.handshake(offer, out) == st::success);
    CHECK(last_called == &b);
    a.register_handshake_callback(&refuse_all); // a's own callback is not what answers a
    CHECK(a.handshake(offer, out) == st::success);
    CHECK(b.handshake(offer, out) == st::invalid_device_request);
}

TEST_CASE("IOCTL_KS_HANDSHAKE: the rules of the IOCTL page") {
    pin target;
    target.register_handshake_callback(&accept_all);
    kshake::handshake in{echo_tiny::id, nullptr, &target};
    kshake::handshake out{};
    constexpr auto size = static_cast<std::uint32_t>(sizeof(kshake::handshake));
    std::uint32_t returned = 99;

    SUBCASE("kernel-mode requestor with exact lengths succeeds and returns the byte count") {
        CHECK(target.io_control(processor_mode::kernel, kshake::mock::ioctl_ks_handshake, &in, size,
                                &out, size, &returned) == st::success);
        CHECK(returned == size);
        CHECK(out.argument1 == &target);
    }
    SUBCASE("user-mode requestor is refused") {
        CHECK(target.io_control(processor_mode::user, kshake::mock::ioctl_ks_handshake, &in, size,
                                &out, size, &returned) == st::invalid_device_request);
        CHECK(returned == 0U);
    }
    SUBCASE("either length other than sizeof(KSHANDSHAKE) is STATUS_INVALID_BUFFER_SIZE") {
        const kshake::handshake before = out;
        CHECK(target.io_control(processor_mode::kernel, kshake::mock::ioctl_ks_handshake, &in,
                                size - 1, &out, size, &returned) == st::invalid_buffer_size);
        CHECK(target.io_control(processor_mode::kernel, kshake::mock::ioctl_ks_handshake, &in, size,
                                &out, size + 8, &returned) == st::invalid_buffer_size);
        CHECK(returned == 0U);
        CHECK(bytes_of(out) == bytes_of(before));
    }
    SUBCASE("another control code is not a handshake") {
        CHECK(target.io_control(processor_mode::kernel, 0x002F0003U, &in, size, &out, size,
                                &returned) == st::invalid_device_request);
    }
    SUBCASE("null buffers are refused") {
        CHECK(target.io_control(processor_mode::kernel, kshake::mock::ioctl_ks_handshake, nullptr,
                                size, &out, size, &returned) == st::invalid_parameter);
    }
    SUBCASE("a pin without a callback refuses") {
        target.register_handshake_callback(nullptr);
        CHECK(target.io_control(processor_mode::kernel, kshake::mock::ioctl_ks_handshake, &in, size,
                                &out, size, &returned) == st::invalid_device_request);
    }
    SUBCASE("a refusing callback leaves the output buffer alone") {
        target.register_handshake_callback(&refuse_all);
        const kshake::handshake before{padded::id, &in, &out};
        out = before;
        CHECK(target.io_control(processor_mode::kernel, kshake::mock::ioctl_ks_handshake, &in, size,
                                &out, size, &returned) == st::invalid_device_request);
        CHECK(bytes_of(out) == bytes_of(before));
    }
}

TEST_CASE("the file-object transport refuses a user-mode requestor") {
    sink_state state{};
    pin sink{&state};
    sink.register_handshake_callback(&sink_responder::callback<pin*>);
    const auto r = kshake::negotiate<echo_tiny>(
        kshake::mock::file_object(sink, processor_mode::user), tiny{1});
    CHECK(r.status() == st::invalid_device_request);
    CHECK(state.served == 0U);
}

TEST_CASE("the log records what was offered and what came back") {
    pin a;
    pin b;
    connect(a, b);
    b.register_handshake_callback(&accept_all);
    kshake::handshake out{};
    CHECK(a.handshake(offer, out) == st::success);
    const kshake::handshake second{padded::id, nullptr, &b};
    CHECK(a.handshake(second, out) == st::success);
    const auto log = a.log();
    REQUIRE(log.size() == 2U);
    CHECK(log[0].via == kshake::mock::log_entry::path::connected);
    CHECK(log[0].offered == echo_tiny::id);
    CHECK(log[1].offered == padded::id);
    CHECK(log[1].out.argument1 == &b);
    a.clear_log();
    CHECK(a.log().empty());
}

TEST_CASE("a fault lasts for the number of answers it was given") {
    pin a;
    pin b;
    connect(a, b);
    b.register_handshake_callback(&accept_all);
    b.inject({kshake::mock::fault::kind::force_status, st::not_supported, {}, 0, 2});
    kshake::handshake out{};
    CHECK(a.handshake(offer, out) == st::not_supported);
    CHECK(a.handshake(offer, out) == st::not_supported);
    CHECK(a.handshake(offer, out) == st::success);
}

TEST_CASE("connect is callable qualified and unqualified") {
    kshake::mock::pin a;
    kshake::mock::pin b;
    kshake::mock::connect(a, b);
    CHECK(a.connected_pin() == &b);
    kshake::mock::pin c;
    connect(a, c);
    CHECK(a.connected_pin() == &c);
    CHECK(b.connected_pin() == nullptr);
}
