// kshake — typed, compile-time-checked kernel-streaming pin handshakes.
// The umbrella header: every portable part. avstream.hpp (kernel) and mock.hpp (user-mode
// tests) are included on their own.
// SPDX-License-Identifier: MIT
#pragma once

#include "config.hpp"    // version and the kernel-mode switch
#include "guid.hpp"      // kshake::guid and "..."_guid
#include "status.hpp"    // kshake::ntstatus and its named values
#include "handshake.hpp" // kshake::handshake, the KSHANDSHAKE layout
#include "protocol.hpp"  // the payload and protocol concepts
#include "wire.hpp"      // envelope and raw codecs: how a typed exchange rides on KSHANDSHAKE
#include "transport.hpp" // the transport concept
#include "result.hpp"    // result<T> and first_result<Ps...>
#include "initiator.hpp" // negotiate and negotiate_first
#include "responder.hpp" // route and responder
#include "contract.hpp"  // offer, agrees, must_agree: will two pins ever agree? (compile time)
#include "trace.hpp"     // why a negotiation went as it did: trace hooks on both sides
#include "direct.hpp"    // direct_pin: a transport straight to a peer's callback
