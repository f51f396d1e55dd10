/* A stand-in for the delay-load helper (__delayLoadHelper2, from the WDK's delayimp.lib), so that
 * image_flaws.py can link an image with delay-load imports and prove check_image.py refuses it.
 * Never linked into a driver: the kernel has no delay loading.
 * SPDX-License-Identifier: MIT */
#if defined(_M_IX86) || defined(__i386__)
#define DELAY_HELPER_CALL __stdcall
#else
#define DELAY_HELPER_CALL
#endif

void *DELAY_HELPER_CALL __delayLoadHelper2(const void *descriptor, void **slot);

void *DELAY_HELPER_CALL __delayLoadHelper2(const void *descriptor, void **slot) {
    (void)descriptor;
    return *slot;
}
