/* TEST-ONLY STAND-IN, NOT THE WDK's km\crt\setjmp.h. clang's <intrin.h> includes <setjmp.h>
 * when __STDC_HOSTED__ is 1, for the jmp_buf in its declaration of _setjmp. Only the type's
 * name matters here (nothing calls setjmp in a driver); the sizes are generous, not MSVC's
 * exact layout. See README.md here. Source: "setjmp" (C runtime library reference).
 */
#ifndef KSHAKE_TEST_WDK_SETJMP_H
#define KSHAKE_TEST_WDK_SETJMP_H

#if defined(_M_X64) || defined(_M_ARM64)
typedef __declspec(align(16)) struct _KSHAKE_TEST_JBTYPE {
    unsigned __int64 part[2];
} _JBTYPE;
typedef _JBTYPE jmp_buf[16];
#else
typedef int jmp_buf[16];
#endif

#endif /* KSHAKE_TEST_WDK_SETJMP_H */
