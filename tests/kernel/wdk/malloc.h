/* TEST-ONLY STAND-IN, NOT THE WDK's km\crt\malloc.h. clang's <mm_malloc.h> (reached from
 * <intrin.h> when __STDC_HOSTED__ is 1) uses _aligned_malloc/_aligned_free on Windows. Declared so
 * it parses; nothing calls them. See README.md here.
 * Source: "_aligned_malloc", "_aligned_free" (C runtime library reference, learn.microsoft.com).
 */
#ifndef KSHAKE_TEST_WDK_MALLOC_H
#define KSHAKE_TEST_WDK_MALLOC_H

#include "kshake_test_crt.h"

#ifdef __cplusplus
extern "C" {
#endif
void *__cdecl _aligned_malloc(size_t size, size_t alignment);
void __cdecl _aligned_free(void *memblock);
#ifdef __cplusplus
}
#endif

#endif /* KSHAKE_TEST_WDK_MALLOC_H */
