// kshake/detail/codec.hpp — which codec a protocol uses (its `codec` member, else the
// envelope) and the code that implements it.
// SPDX-License-Identifier: MIT
#pragma once

#include "../protocol.hpp"
#include "../wire.hpp"
#include "envelope_wire.hpp"
#include "freestanding.hpp"
#include "raw_wire.hpp"

namespace kshake::detail {

// A protocol picks its codec with `using codec = kshake::raw_codec;`; the default is the envelope.
template <protocol P>
struct codec_of {
    using type = envelope_codec;
};
template <protocol P>
    requires requires { typename P::codec; }
struct codec_of<P> {
    using type = typename P::codec;
};
template <protocol P>
using codec_t = typename codec_of<P>::type;

template <class Codec>
struct wire_of;
template <>
struct wire_of<envelope_codec> {
    using type = envelope_wire;
};
template <>
struct wire_of<raw_codec> {
    using type = raw_wire;
};
// The codec's implementation: its initiator's `exchange<P>` and its responder's `decoded<P>`,
// `decode_request` and `encode_response`.
template <protocol P>
using wire_t = typename wire_of<codec_t<P>>::type;

template <class P>
consteval bool check_codec() noexcept {
    using codec = codec_t<P>;
    if constexpr (!detail::is_same_v<codec, envelope_codec> &&
                  !detail::is_same_v<codec, raw_codec>) {
        static_assert(detail::is_same_v<codec, envelope_codec> ||
                          detail::is_same_v<codec, raw_codec>,
                      "kshake: a protocol's codec must be kshake::envelope_codec or "
                      "kshake::raw_codec");
        return false;
    } else if constexpr (detail::is_same_v<codec, raw_codec> &&
                         (!detail::is_same_v<request_t<P>, raw_arguments> ||
                          !detail::is_same_v<response_t<P>, raw_arguments>)) {
        static_assert(detail::is_same_v<request_t<P>, raw_arguments> &&
                          detail::is_same_v<response_t<P>, raw_arguments>,
                      "kshake: a raw_codec protocol must use kshake::raw_arguments as both its "
                      "request and its response");
        return false;
    } else {
        return true;
    }
}

} // namespace kshake::detail
