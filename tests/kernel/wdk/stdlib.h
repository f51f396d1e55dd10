/* TEST-ONLY STAND-IN, NOT THE WDK's km\crt\stdlib.h. clang's own <intrin.h>, which GSL's
 * gsl/assert includes in MSVC kernel mode, reaches <mm_malloc.h> when __STDC_HOSTED__ is 1, and
 * that includes <stdlib.h> for malloc/free. The declarations let it parse; nothing calls them
 * (a driver has no malloc: calling one fails to link, as it should). See README.md here.
 * Source: "malloc", "free" (C runtime library reference, learn.microsoft.com).
 */
#ifndef KSHAKE_TEST_WDK_STDLIB_H
#define KSHAKE_TEST_WDK_STDLIB_H

#include "kshake_test_crt.h"

#ifdef __cplusplus
extern "C" {
#endif
void *__cdecl malloc(size_t size);
void __cdecl free(void *memblock);
#ifdef __cplusplus
}
#endif

#endif /* KSHAKE_TEST_WDK_STDLIB_H */
