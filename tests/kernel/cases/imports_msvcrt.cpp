// Defect: a hosted C runtime call (_getpid lives in msvcrt.dll; ntoskrnl.exe has no such export).
// Expected: "imports from msvcrt.dll".
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

extern "C" int __cdecl _getpid(void);

KSHAKE_MINIMAL_DRIVER_ENTRY(if (_getpid() == 0) return STATUS_UNSUCCESSFUL);
