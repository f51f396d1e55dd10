// The trace tests' shared part (trace_initiator_test.cpp, trace_responder_test.cpp): the
// protocols, the two responders whose events compare one for one, the recording hook, and the
// mock pins whose sink answers through traced_callback.
#pragma once

#include <kshake/kshake.hpp>
#include <kshake/mock.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace trace_test {

using namespace kshake::literals;
using kshake::ntstatus;
namespace st = kshake::status;
using check = kshake::request_check;

// ---- protocols ----

// The handler returns the status the request carries, so a request chooses its own refusal.
struct probe_request {
    std::uint32_t status;
    std::uint32_t value;
};
struct probe_response {
    std::uint32_t doubled;
    std::uint32_t version;
};
struct ping {
    static constexpr kshake::guid id = "7A1C0001-5E2B-4F3D-8C10-00000000B001"_guid;
    static constexpr const char* name = "trace.ping";
    using request = probe_request;
    using response = probe_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

// Typed versions: one id, version 1 with small structs, versions 2..3 with grown ones.
struct meter_v1_request {
    std::uint32_t value;
};
struct meter_v1_response {
    std::uint32_t value;
};
struct meter_v2_request {
    std::uint32_t value;
    std::uint32_t extra;
};
struct meter_v2_response {
    std::uint32_t value;
    std::uint32_t extra;
    std::uint32_t version;
    std::uint32_t reserved;
};
struct meter_v1 {
    static constexpr kshake::guid id = "7A1C0002-5E2B-4F3D-8C10-00000000B002"_guid;
    static constexpr const char* name = "trace.meter.v1";
    using request = meter_v1_request;
    using response = meter_v1_response;
};
struct meter_v2 {
    static constexpr kshake::guid id = meter_v1::id;
    static constexpr const char* name = "trace.meter.v2";
    using request = meter_v2_request;
    using response = meter_v2_response;
    static constexpr std::uint32_t version = 3;
    static constexpr std::uint32_t min_version = 2;
};

// A raw-codec protocol: no envelope, the version is version_v.
struct handle {
    static constexpr kshake::guid id = "7A1C0003-5E2B-4F3D-8C10-00000000B003"_guid;
    static constexpr const char* name = "trace.handle";
    using codec = kshake::raw_codec;
    using request = kshake::raw_arguments;
    using response = kshake::raw_arguments;
    static constexpr std::uint32_t version = 2;
};

// Served by nobody.
struct stranger {
    static constexpr kshake::guid id = "7A1C0004-5E2B-4F3D-8C10-00000000B004"_guid;
    static constexpr const char* name = "trace.stranger";
    using request = probe_request;
    using response = probe_response;
};

// Unnamed protocols that make a responder hashed: they share their bytes 0-7, and five of them
// are too many to compare in turn, so the table keys on all 16 bytes (detail/dispatch.hpp).
template <std::uint8_t N>
struct filler {
    static constexpr kshake::guid id{
        0x7A1C0100U, 0x5E2B, 0x4F3D, {0x8C, 0x10, 0x00, 0x00, 0x00, 0x00, 0xB1, N}};
    using request = probe_request;
    using response = probe_response;
};

struct sink_state {
    std::uint32_t calls;
    std::uint32_t last_version;
};

inline ntstatus serve_probe(sink_state& s, const probe_request& rq, probe_response& rs,
                            std::uint32_t version) noexcept {
    ++s.calls;
    s.last_version = version;
    rs.doubled = rq.value * 2U;
    rs.version = version;
    return static_cast<ntstatus>(rq.status);
}
inline ntstatus serve_meter_v1(sink_state& s, const meter_v1_request& rq,
                               meter_v1_response& rs) noexcept {
    ++s.calls;
    s.last_version = 1;
    rs.value = rq.value + 1U;
    return st::success;
}
inline ntstatus serve_meter_v2(sink_state& s, const meter_v2_request& rq, meter_v2_response& rs,
                               std::uint32_t version) noexcept {
    ++s.calls;
    s.last_version = version;
    rs.value = rq.value + 2U;
    rs.extra = rq.extra;
    rs.version = version;
    return st::success;
}
inline ntstatus serve_handle(sink_state& s, const kshake::raw_arguments& rq,
                             kshake::raw_arguments& rs) noexcept {
    ++s.calls;
    rs = {&s, rq.argument1};
    return st::success;
}

// Routes 0..3 are the same in both responders, so their events can be compared one for one.
using linear_sink =
    kshake::responder<sink_state, kshake::route<ping, serve_probe>,
                      kshake::route<meter_v1, serve_meter_v1>,
                      kshake::route<meter_v2, serve_meter_v2>, kshake::route<handle, serve_handle>>;
using hashed_sink =
    kshake::responder<sink_state, kshake::route<ping, serve_probe>,
                      kshake::route<meter_v1, serve_meter_v1>,
                      kshake::route<meter_v2, serve_meter_v2>, kshake::route<handle, serve_handle>,
                      kshake::route<filler<1>, serve_probe>, kshake::route<filler<2>, serve_probe>,
                      kshake::route<filler<3>, serve_probe>, kshake::route<filler<4>, serve_probe>,
                      kshake::route<filler<5>, serve_probe>>;

// ---- the recording hook ----

struct recorder {
    std::vector<kshake::offer_event> offers;
    std::vector<kshake::request_event> requests;

    void operator()(const kshake::offer_event& e) noexcept { offers.push_back(e); }
    void operator()(const kshake::request_event& e) noexcept { requests.push_back(e); }
    void clear() noexcept {
        offers.clear();
        requests.clear();
    }
};
static_assert(kshake::trace_hook<recorder>);

// A hook whose call operators may throw is not a trace hook.
struct throwing_hook {
    void operator()(const kshake::offer_event&) {}
    void operator()(const kshake::request_event&) {}
};
static_assert(!kshake::trace_hook<throwing_hook>);

// The responder side's hook for traced_callback: an object of static storage duration.
inline recorder sink_trace; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

// ---- text ----

inline std::string text(const kshake::trace_string& s) { return {s.data(), s.size()}; }
inline std::string text_of_guid(const kshake::guid& g) { return to_string(g).c_str(); }
inline bool contains(std::string_view haystack, std::string_view needle) noexcept {
    return haystack.find(needle) != std::string_view::npos;
}
inline bool same_text(const char* a, const char* b) noexcept { return std::string_view{a} == b; }

// ---- bytes as a C peer handles them ----

inline void store32(void* at, std::uint32_t v) noexcept { std::memcpy(at, &v, sizeof v); }
inline std::uint32_t load32(const void* at) noexcept {
    std::uint32_t v = 0;
    std::memcpy(&v, at, sizeof v);
    return v;
}

// A source pin connected to a sink pin whose callback is R::traced_callback<sink_trace, pin*>.
template <class R>
struct traced_pins {
    sink_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};

    traced_pins() {
        connect(source, sink);
        sink.register_handshake_callback(
            &R::template traced_callback<sink_trace, kshake::mock::pin*>);
        sink_trace.clear();
    }
};

} // namespace trace_test
