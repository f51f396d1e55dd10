/* TEST-ONLY STAND-IN, NOT THE WDK's BufferOverflowFastFailK.lib. The /GS support a default WDK
 * kernel project links, written for kshake's MSVC-ABI test builds (tests/kernel/build_driver.py
 * --gs) from the public description of /GS; see README.md in this folder. A real driver links
 * the WDK's library and gets the real thing.
 *
 * Sources: "/GS (Buffer Security Check)" and "__security_init_cookie" (learn.microsoft.com:
 * the cookie is put on the stack on entry to a protected function and compared with the global
 * one on exit, any difference terminating at once; an image entered through /ENTRY must call
 * __security_init_cookie itself, before any protected function runs, or the cookie keeps its
 * default value); "__fastfail" (FAST_FAIL_STACK_COOKIE_CHECK_FAILURE = 2; in kernel mode bug
 * check 0x139 KERNEL_SECURITY_CHECK_FAILURE). What a WDK project links: the link lines of WDK
 * projects in public MSBuild logs name BufferOverflowFastFailK.lib and /ENTRY:"GsDriverEntry",
 * the wrapper that sets the cookie and then calls DriverEntry.
 *
 * What the compiler expects of it (checked with clang-cl-19 /GS): x64 and ARM64 functions
 * reference __security_cookie and call __security_check_cookie(cookie); x86 ones reference
 * ___security_cookie and call @__security_check_cookie@4, i.e. __fastcall, the cookie in ECX.
 * Each protected function stores the cookie XOR its frame or stack pointer on entry and, before
 * it returns, XORs the stored value back and checks it: on x86 by calling the check; on x64
 * clang-cl-19 compares inline and calls the check only on a mismatch, which then fails fast.
 *
 * Built with /GS- (GsDriverEntry runs before the cookie has its value), no header: the
 * declarations are spelled out so the file builds the same against the stand-ins and against
 * mingw-w64's DDK headers.
 */

#if defined(_WIN64)
typedef unsigned __int64 kshake_test_uintptr;
#else
typedef unsigned int kshake_test_uintptr;
#endif

#if defined(_M_IX86)
#define KSHAKE_TEST_STDCALL __stdcall
#else
#define KSHAKE_TEST_STDCALL
#endif

/* The value the cookie has in the image file (this stand-in's own, not the WDK's). It only
 * tells GsDriverEntry that nobody has set the cookie yet: a constant anyone can read from the
 * image protects nothing, so GsDriverEntry replaces it. */
#if defined(_WIN64)
#define KSHAKE_TEST_DEFAULT_COOKIE 0x00004B5348414B45ull
#else
#define KSHAKE_TEST_DEFAULT_COOKIE 0x4B53484Bu
#endif

#define KSHAKE_TEST_FAST_FAIL_STACK_COOKIE_CHECK_FAILURE 2u

/* Writable data, as the compiler reads it at every protected function's entry. */
kshake_test_uintptr __security_cookie = KSHAKE_TEST_DEFAULT_COOKIE;

void __fastfail(unsigned int code); /* clang-cl's intrinsic (int 0x29 on x86/x64) */

/* The epilogue's check. On a mismatch the stack frame was overwritten: stop at once, without
 * returning through the damaged frame (no unwinding, no logging that could use it). */
void __fastcall __security_check_cookie(kshake_test_uintptr cookie) {
    if (cookie != __security_cookie) {
        __fastfail(KSHAKE_TEST_FAST_FAIL_STACK_COOKIE_CHECK_FAILURE);
    }
}

/* A value an attacker cannot read from the image: the time-stamp counter at load, mixed with
 * where the loader put the image and this call's stack. (A test-only source of entropy; the
 * WDK's library and Windows 8's loader use better ones.) Never the default, never 0. */
void __cdecl __security_init_cookie(void) {
    kshake_test_uintptr seed = (kshake_test_uintptr)__builtin_readcyclecounter();
    seed ^= (kshake_test_uintptr)&__security_cookie;
    seed ^= (kshake_test_uintptr)__builtin_frame_address(0) << 5;
    if (seed == 0 || seed == KSHAKE_TEST_DEFAULT_COOKIE) {
        seed = KSHAKE_TEST_DEFAULT_COOKIE ^ 0x4711u;
    }
    __security_cookie = seed;
}

/* The driver's own entry, with the WDK's DRIVER_INITIALIZE signature (pointers passed on). */
long KSHAKE_TEST_STDCALL DriverEntry(void *DriverObject, void *RegistryPath);

/* The image's entry point under /GS (/ENTRY:GsDriverEntry): the cookie first, then the driver.
 * Not itself protected (this file is built /GS-), and it returns DriverEntry's status. No tail
 * call, so that on x86 the image checker sees GsDriverEntry's own `ret 8` (--callee-pops). */
__attribute__((disable_tail_calls))
long KSHAKE_TEST_STDCALL GsDriverEntry(void *DriverObject, void *RegistryPath) {
    if (__security_cookie == KSHAKE_TEST_DEFAULT_COOKIE || __security_cookie == 0) {
        __security_init_cookie();
    }
    return DriverEntry(DriverObject, RegistryPath);
}
