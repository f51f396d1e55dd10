/* TEST-ONLY STAND-IN, NOT THE WDK's km\crt\setjmp.h. clang's <intrin.h> includes <setjmp.h>
 * when __STDC_HOSTED__ is 1, for the jmp_buf in its declaration of _setjmp. Only the type's
 * name matters here (nothing calls setjmp in a driver). See README.md here. Source: "setjmp"
 * (C runtime library reference).
 */
#ifndef KSHAKE_TEST_WDK_SETJMP_H
#define KSHAKE_TEST_WDK_SETJMP_H

#if defined(_M_X64) || defined(_M_ARM64)
/* x64: the layout and names of mingw-w64's setjmp.h, which tests/kernel/wdk_drift.py compares
 * with this file (ARM64 is not compared: mingw-w64 10's DDK headers have no ARM64 section). */
typedef __declspec(align(16)) struct _SETJMP_FLOAT128 {
    unsigned __int64 Part[2];
} SETJMP_FLOAT128;
typedef SETJMP_FLOAT128 _JBTYPE;
typedef _JBTYPE jmp_buf[16];
#else
typedef int jmp_buf[16];
#endif

#endif /* KSHAKE_TEST_WDK_SETJMP_H */
