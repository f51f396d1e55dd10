// Defect: a TLS directory. What mingw's CRT (tlssup.c) does for thread_local data, written out
// by hand because the CRT is not linked: a .tls section and the _tls_used directory the linker
// turns into data directory entry 9.
// Expected: "has a TLS directory".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

namespace {
struct tls_directory {
    ULONG_PTR start_of_raw_data;
    ULONG_PTR end_of_raw_data;
    ULONG_PTR address_of_index;
    ULONG_PTR address_of_callbacks;
    ULONG size_of_zero_fill;
    ULONG characteristics;
};
} // namespace

__attribute__((section(".tls"), used)) char tls_data[16] = {1};
ULONG tls_index = 0;
extern "C" __attribute__((used)) const tls_directory _tls_used = {
    reinterpret_cast<ULONG_PTR>(&tls_data[0]), reinterpret_cast<ULONG_PTR>(&tls_data[16]),
    reinterpret_cast<ULONG_PTR>(&tls_index), 0, 0, 0};

KSHAKE_MINIMAL_DRIVER_ENTRY(static_cast<void>(0));
