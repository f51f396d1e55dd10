// kshake/detail/ks_callback.hpp — the PFNKSPINHANDSHAKE that kshake::avstream::handshake_callback
// and install give a responder (kshake/avstream.hpp). Kernel mode only.
// SPDX-License-Identifier: MIT
//
// kshake/avstream.hpp includes it once it has checked that <ntddk.h> and <ks.h> came first; a
// translation unit without them (a build of every header, tools/lint.sh) sees nothing here.
#pragma once

#include "freestanding.hpp"

#if defined(_KS_) && defined(_NTDDK_)

namespace kshake::detail {

// The PFNKSPINHANDSHAKE of a responder: its callback, or with a hook its traced_callback.
template <class Responder, auto&... Hook>
consteval PFNKSPINHANDSHAKE ks_handshake_callback() noexcept {
    if constexpr (sizeof...(Hook) == 0) {
        return &Responder::template callback<PKSPIN, KSHANDSHAKE, NTSTATUS>;
    } else if constexpr (sizeof...(Hook) == 1) {
        return &Responder::template traced_callback<Hook..., PKSPIN, KSHANDSHAKE, NTSTATUS>;
    } else {
        static_assert(sizeof...(Hook) <= 1,
                      "kshake: handshake_callback<R, hook> and install<R, hook> take at most one "
                      "trace hook");
        return nullptr;
    }
}

} // namespace kshake::detail

#endif
