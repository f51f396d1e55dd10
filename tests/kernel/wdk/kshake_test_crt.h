/* TEST-ONLY, NOT PART OF THE WDK: size_t for the km\crt stand-ins in this folder (the WDK's
 * crt headers get it from their own definitions: unsigned __int64 on 64-bit targets, unsigned
 * int on 32-bit ones, "size_t" in "Standard types", learn.microsoft.com). See README.md here.
 */
#ifndef KSHAKE_TEST_WDK_CRT_H
#define KSHAKE_TEST_WDK_CRT_H

#ifndef _SIZE_T_DEFINED
#define _SIZE_T_DEFINED
#if defined(_WIN64)
typedef unsigned __int64 size_t;
#else
typedef unsigned int size_t;
#endif
#endif

#endif /* KSHAKE_TEST_WDK_CRT_H */
