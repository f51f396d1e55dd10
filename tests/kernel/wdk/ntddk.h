/* TEST-ONLY STAND-IN, NOT THE WDK. ntddk.h for kshake's MSVC-ABI test builds: wdm.h's stand-in
 * and the _NTDDK_ guard kshake's kernel headers check (see README.md in this folder). The real
 * ntddk.h ("ntddk.h header", learn.microsoft.com) declares far more; nothing more is needed here.
 */
#ifndef KSHAKE_TEST_WDK_NTDDK_H
#define KSHAKE_TEST_WDK_NTDDK_H

#define _NTDDK_

#include <wdm.h>

#endif /* KSHAKE_TEST_WDK_NTDDK_H */
