// kshake — typed kernel-streaming pin handshakes.
// SPDX-License-Identifier: MIT
#pragma once

// The project version lives here and in meson.build's project() call only;
// tests/version_test.cpp fails when the two disagree.
#define KSHAKE_VERSION_MAJOR 0
#define KSHAKE_VERSION_MINOR 1
#define KSHAKE_VERSION_PATCH 0

// Kernel mode is decided once, here, and every other header asks KSHAKE_KERNEL_MODE.
// The WDK defines _KERNEL_MODE; mingw kernel builds pass -DKSHAKE_KERNEL_MODE=1 (or define
// _KERNEL_MODE themselves).
#if !defined(KSHAKE_KERNEL_MODE)
#if defined(_KERNEL_MODE)
#define KSHAKE_KERNEL_MODE 1
#else
#define KSHAKE_KERNEL_MODE 0
#endif
#endif

// The largest request or response payload a protocol may declare (kshake::max_payload_size).
// Envelopes live on the stack of the thread that negotiates, and KsPinHandshake runs the peer's
// handler on that same stack, so kernel mode defaults to a limit that keeps the deepest
// negotiation within the budget docs/driver.md states for the 12 KiB x86 kernel stack. A driver
// that knows its stack may define a larger value before including kshake (every translation
// unit of the image the same: MSVC links a mismatch as an error, see below).
#if !defined(KSHAKE_MAX_PAYLOAD_SIZE)
#if KSHAKE_KERNEL_MODE
#define KSHAKE_MAX_PAYLOAD_SIZE 256
#else
#define KSHAKE_MAX_PAYLOAD_SIZE 2048
#endif
#endif

#define KSHAKE_DETAIL_STRINGIFY_(x) #x
#define KSHAKE_DETAIL_STRINGIFY(x) KSHAKE_DETAIL_STRINGIFY_(x)

#if defined(_MSC_VER)
#pragma detect_mismatch("KSHAKE_MAX_PAYLOAD_SIZE", KSHAKE_DETAIL_STRINGIFY(KSHAKE_MAX_PAYLOAD_SIZE))
// Mixing kernel and user-mode builds of kshake in one image is an ODR violation; make it a
// link error instead (the wil technique).
#if KSHAKE_KERNEL_MODE
#pragma detect_mismatch("KSHAKE_KERNEL_MODE", "1")
#else
#pragma detect_mismatch("KSHAKE_KERNEL_MODE", "0")
#endif
#endif

#if __cplusplus < 202002L && (!defined(_MSVC_LANG) || _MSVC_LANG < 202002L)
#error "kshake: C++20 or later is required (-std=c++20, /std:c++20)"
// g++ and clang go on after #error (g++ with a thousand lines about C++20 syntax); a missing
// include is fatal, so the message above stays the whole story. (cl.exe stops at #error.)
#include "kshake: stopping here, C++20 is required"
#endif
