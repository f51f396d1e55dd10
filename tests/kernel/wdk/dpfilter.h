/* TEST-ONLY STAND-IN, NOT THE WDK. The dpfilter.h items kshake's MSVC-ABI test builds need
 * (tests/kernel/build_driver.py, toolchains clang-cl-*): the component IDs and levels that
 * DbgPrintEx takes, which the real wdm.h brings in from dpfilter.h. See README.md in this folder.
 *
 * Sources: "DbgPrintEx function (wdm.h)" (the component IDs a driver should use, by name) and
 * "Reading and Filtering Debugging Messages" (the DPFLTR_*_LEVEL values), learn.microsoft.com.
 * The numeric values of the component IDs are those of the DPFLTR_TYPE enumeration in
 * mingw-w64's public-domain dpfilter.h, the header this suite's mingw builds compile against.
 * Only the six IHV components are declared: the real enumeration has every Windows component.
 */
#ifndef KSHAKE_TEST_WDK_DPFILTER_H
#define KSHAKE_TEST_WDK_DPFILTER_H

#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3

typedef enum _DPFLTR_TYPE {
    DPFLTR_IHVDRIVER_ID = 77,
    DPFLTR_IHVVIDEO_ID = 78,
    DPFLTR_IHVAUDIO_ID = 79,
    DPFLTR_IHVNETWORK_ID = 80,
    DPFLTR_IHVSTREAMING_ID = 81,
    DPFLTR_IHVBUS_ID = 82
} DPFLTR_TYPE;

#endif /* KSHAKE_TEST_WDK_DPFILTER_H */
