// Not a defect: the deepest negotiation kshake allows, for the kernel stack budget
// (build_driver.py --stack-budget, stack_usage.py; docs/driver.md "Stack usage"). Every request
// and response is exactly kshake::max_payload_size bytes (the suite also builds it with
// -DKSHAKE_MAX_PAYLOAD_SIZE=512, its negative twin). The initiator offers three versions with
// negotiate_first (the peer serves version 1 only, so two offers are refused), then negotiates
// once more with negotiate; the responder, installed with kshake::avstream::install, serves the
// protocol. KsPinHandshake calls the peer's callback synchronously, so both sides share one
// kernel stack: the deepest chain is the initiator's frames down to KsPinHandshake, then, above
// ks.sys's own frames, the responder's. There is no recursion here, so the sum of all this TU's
// frames bounds that chain (it also counts frames never on it together: the terminate handler,
// MinimalHandshake, and at /Od helpers called one after the other). A responder of more routes
// serves one at a time, so its other routes' frames would only loosen the bound. Must pass the
// image checker.
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

#include <kshake/avstream.hpp>

KSHAKE_DEFINE_KERNEL_TERMINATE();

// A named namespace: the handler below has external linkage, and so must its types.
namespace deepest {

using namespace kshake::literals;

// A payload of exactly the limit: the largest envelope body a negotiation can put on the stack.
struct largest_payload {
    UCHAR bytes[kshake::max_payload_size];
};
static_assert(sizeof(largest_payload) == kshake::max_payload_size);

struct bulk {
    static constexpr kshake::guid id = "5A0E6C2B-7D41-4F93-8E1A-2B3C4D5E6F80"_guid;
    using request = largest_payload;
    using response = largest_payload;
};

// Both pins' contexts: what the responder answers with, and what the initiator agreed.
struct pin_state {
    largest_payload reply;
    largest_payload last_request;
    largest_payload agreed;
    largest_payload answer;
    ULONG bulk_version;
};

// The handler copies whole payloads and is not inlined (as a handler defined in another
// translation unit is not): the request and the response must then be whole on the
// responder's stack, whatever the handler does, which is the case the budget is for.
__declspec(noinline) NTSTATUS Serve(pin_state& pin, const largest_payload& request,
                                    largest_payload& response) noexcept {
    pin.last_request = request;
    response = pin.reply;
    return STATUS_SUCCESS;
}

} // namespace deepest

namespace {

using namespace deepest;

using responder = kshake::responder<pin_state, kshake::route<bulk, Serve>>;

using bulk_v3 = kshake::at_version<bulk, 3>; // v3 and v2 are refused: bulk is version 1
using bulk_v2 = kshake::at_version<bulk, 2>;
using bulk_v1 = kshake::at_version<bulk, 1>;

// The initiator's side, as a source pin's SetDeviceState would run it.
NTSTATUS NegotiateDeepest(PKSPIN Pin) {
    auto* const state = static_cast<pin_state*>(Pin->Context);
    const kshake::avstream::connected_pin peer{Pin};

    const auto first = kshake::negotiate_first<bulk_v3, bulk_v2, bulk_v1>(
        peer, state->agreed, state->agreed, state->agreed);
    if (!first) {
        return first.status();
    }
    state->bulk_version = first.version();
    if (first.accepted<bulk_v1>()) {
        state->agreed = first.get<bulk_v1>();
    }

    const auto second = kshake::negotiate<bulk>(peer, state->agreed);
    if (second) {
        state->answer = *second;
    }
    return second.status();
}

} // namespace

KSHAKE_MINIMAL_DRIVER_ENTRY({
    const auto pin = reinterpret_cast<PKSPIN>(DriverObject);
    kshake::avstream::install<responder>(pin);
    const NTSTATUS status = NegotiateDeepest(pin);
    if (!NT_SUCCESS(status)) {
        return status;
    }
});
