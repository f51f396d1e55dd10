// Many threads negotiating at once with one responder over shared mock pins. Built into the
// normal suite and, in the TSan build (tools/test.sh), run under ThreadSanitizer: the responder
// keeps no state of its own, so the only shared state is the handler's context and the mock's
// log and fault slot, and every result must still be exactly right.
#include <kshake/initiator.hpp>
#include <kshake/mock.hpp>
#include <kshake/responder.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

using namespace kshake::literals;
using kshake::ntstatus;
namespace status = kshake::status;

namespace {

struct ticket {
    std::uint32_t thread;
    std::uint32_t sequence;
};
struct stamp {
    std::uint32_t thread;
    std::uint32_t sequence;
    std::uint32_t check;
    std::uint32_t version;
};

struct counter {
    static constexpr kshake::guid id = "C0C0A000-7E57-4A11-8F00-000000000001"_guid;
    using request = ticket;
    using response = stamp;
    static constexpr std::uint32_t version = 2;
    static constexpr std::uint32_t min_version = 1;
};
using counter_v3 = kshake::at_version<counter, 3>; // refused: the sink serves 1 to 2
using counter_v2 = kshake::at_version<counter, 2>;

constexpr std::uint32_t check_of(const ticket& t, std::uint32_t version) noexcept {
    return (t.thread * 2654435761U) ^ (t.sequence * 40503U) ^ version;
}

struct sink_state {
    std::atomic<std::uint64_t> served{0};
};

ntstatus serve_counter(sink_state& state, const ticket& request, stamp& response,
                       std::uint32_t version) noexcept {
    state.served.fetch_add(1, std::memory_order_relaxed);
    response = {request.thread, request.sequence, check_of(request, version), version};
    return status::success;
}

using sink = kshake::responder<sink_state, kshake::route<counter, &serve_counter>>;

constexpr std::uint32_t thread_count = 6;
constexpr std::uint32_t rounds = 20000; // per thread: 120 000 negotiations in all
constexpr ntstatus injected = status::insufficient_resources;

} // namespace

TEST_CASE("threads negotiating at once over shared mock pins all get exactly their own answer") {
    sink_state state;
    kshake::mock::pin source;
    kshake::mock::pin sink_pin{&state};
    sink_pin.register_handshake_callback(&sink::callback<kshake::mock::pin*>);
    connect(source, sink_pin);

    std::atomic<std::uint64_t> wrong{0};
    std::atomic<std::uint64_t> successes{0};
    std::atomic<std::uint64_t> refused_by_fault{0};
    std::atomic<std::uint64_t> connected_offers{0};
    std::atomic<std::uint64_t> ioctl_offers{0};
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> injections{0};

    std::vector<std::thread> threads;
    threads.reserve(thread_count);
    for (std::uint32_t t = 0; t < thread_count; ++t) {
        threads.emplace_back([&, t] {
            for (std::uint32_t i = 0; i < rounds; ++i) {
                const ticket request{t, i};
                // Even threads go through KsPinHandshake on the source pin, odd ones through
                // IOCTL_KS_HANDSHAKE on the sink pin's file object; every fourth round offers
                // v3 (refused) then v2 with negotiate_first.
                const bool ioctl = (t % 2) == 1;
                const bool first = (i % 4) == 0;
                const auto over = [&](const kshake::handshake& in,
                                      kshake::handshake& out) noexcept {
                    (ioctl ? ioctl_offers : connected_offers).fetch_add(1);
                    return ioctl ? kshake::mock::file_object(sink_pin)(in, out)
                                 : kshake::mock::connected_pin(source)(in, out);
                };
                ntstatus s = status::success;
                stamp value{};
                std::uint32_t version = 0;
                if (first) {
                    const auto r =
                        kshake::negotiate_first<counter_v3, counter_v2>(over, request, request);
                    s = r.status();
                    if (r.ok()) {
                        value = r.get<counter_v2>();
                        version = r.version();
                        if (!r.accepted<counter_v2>()) {
                            wrong.fetch_add(1);
                        }
                    }
                } else {
                    const auto r = kshake::negotiate<counter>(over, request);
                    s = r.status();
                    if (r.ok()) {
                        value = *r;
                        version = r.version();
                    }
                }
                if (s == injected) {
                    refused_by_fault.fetch_add(1);
                    continue;
                }
                const std::uint32_t want_version = 2;
                const bool right = s == status::success && value.thread == t &&
                                   value.sequence == i && value.version == want_version &&
                                   version == want_version &&
                                   value.check == check_of(request, want_version);
                (right ? successes : wrong).fetch_add(1);
            }
        });
    }
    // Meanwhile a misbehaving moment now and then: the sink refuses one handshake.
    std::thread saboteur{[&] {
        while (!stop.load()) {
            kshake::mock::fault f{};
            f.what = kshake::mock::fault::kind::force_status;
            f.status = injected;
            sink_pin.inject(f);
            injections.fetch_add(1);
            std::this_thread::sleep_for(std::chrono::microseconds{50});
        }
    }};
    for (std::thread& th : threads) {
        th.join();
    }
    stop.store(true);
    saboteur.join();

    constexpr std::uint64_t negotiations = std::uint64_t{thread_count} * rounds;
    static_assert(negotiations >= 100000);
    CHECK(wrong.load() == 0);
    CHECK(successes.load() + refused_by_fault.load() == negotiations);
    CHECK(refused_by_fault.load() <= injections.load());
    // The handler ran once per success and never otherwise, and every offer is in a pin log.
    const std::uint64_t offers = connected_offers.load() + ioctl_offers.load();
    CHECK(offers >= negotiations + (negotiations / 4));
    CHECK(source.log().size() == connected_offers.load());
    CHECK(sink_pin.log().size() == ioctl_offers.load());
    CHECK(state.served.load() == successes.load());
    MESSAGE("negotiations: ", negotiations, ", offers: ", offers,
            ", refused by injected faults: ", refused_by_fault.load());
}

TEST_CASE("handshakes racing connect and disconnect see either the peer or no peer") {
    // AVStream serialises a pin's connection changes with its own state; a test that drives
    // mock pins from several threads must still get a defined answer from each handshake.
    sink_state state;
    kshake::mock::pin source;
    kshake::mock::pin sink_pin{&state};
    sink_pin.register_handshake_callback(&sink::callback<kshake::mock::pin*>);
    connect(source, sink_pin);

    constexpr std::uint32_t racing_threads = 4;
    constexpr std::uint32_t racing_rounds = 5000;
    std::atomic<std::uint64_t> wrong{0};
    std::atomic<std::uint64_t> successes{0};
    std::atomic<std::uint64_t> not_connected{0};
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> toggles{0};

    std::vector<std::thread> threads;
    threads.reserve(racing_threads);
    for (std::uint32_t t = 0; t < racing_threads; ++t) {
        threads.emplace_back([&, t] {
            for (std::uint32_t i = 0; i < racing_rounds; ++i) {
                const ticket request{t, i};
                const auto r =
                    kshake::negotiate<counter>(kshake::mock::connected_pin(source), request);
                if (r.status() == status::device_not_connected) {
                    not_connected.fetch_add(1);
                    continue;
                }
                const bool right = r.ok() && r->thread == t && r->sequence == i &&
                                   r->check == check_of(request, 2) && r.version() == 2;
                (right ? successes : wrong).fetch_add(1);
            }
        });
    }
    std::thread plug{[&] {
        while (!stop.load()) {
            if ((toggles.fetch_add(1) % 2) == 0) {
                sink_pin.disconnect();
            } else {
                connect(sink_pin, source); // from the other side, as a reconnecting peer would
            }
            std::this_thread::yield();
        }
    }};
    for (std::thread& th : threads) {
        th.join();
    }
    stop.store(true);
    plug.join();

    CHECK(wrong.load() == 0);
    CHECK(successes.load() + not_connected.load() == std::uint64_t{racing_threads} * racing_rounds);
    CHECK(state.served.load() == successes.load());
    CHECK(source.log().size() == std::uint64_t{racing_threads} * racing_rounds);
    MESSAGE("handshakes: ", racing_threads * racing_rounds, ", answered: ", successes.load(),
            ", not connected: ", not_connected.load(), ", connection changes: ", toggles.load());
}
