// Timing negotiations inside a driver, for a self-test: run one negotiation N times between two
// reads of KeQueryPerformanceCounter, turn the ticks into nanoseconds with integer arithmetic
// only (no floating point in kernel code, none of the compiler's 64-bit division helpers), and
// print one line through DbgPrintEx. Copy this header into a driver or include it; see
// docs/driver.md, "Timing negotiations in a driver".
//
// Kernel mode only. Include <ntddk.h>, then <ks.h>, before it (it includes kshake/avstream.hpp);
// the image then imports KeQueryPerformanceCounter from hal.dll (the WDK's hal.lib) and
// DbgPrintEx from ntoskrnl.exe. No standard header, no heap, no lock, no floating point.
//
//   // In the sink pin's Create dispatch, after install<R>(Pin): kshake and the responder alone.
//   const kshake::direct_pin to_sink(&registered, Pin);   // registered: where the driver keeps
//                                                          // handshake_callback<R>
//   const negotiation_timer::timing t = negotiation_timer::time_negotiations(
//       10000, kshake::status::success,
//       [&] { return kshake::negotiate<my_protocol>(to_sink, request).status(); });
//   negotiation_timer::print("my_protocol over direct_pin", t);
//
//   // In the source pin's SetDeviceState (STOP -> ACQUIRE), where the sample negotiates: the
//   // round trip through ks.sys to the connected pin's callback.
//   const kshake::avstream::connected_pin peer(Pin);
//   ... the same with `peer` instead of `to_sink`.
//
// IRQL: time_negotiations runs the negotiations at the caller's IRQL, which must be
// PASSIVE_LEVEL, as every handshake is (KeQueryPerformanceCounter itself runs at any level).
// The time includes whatever else the processor did meanwhile (interrupts, preemption): run it
// on an otherwise idle system and read the figure as an upper bound.
// SPDX-License-Identifier: MIT
#pragma once

#include <kshake/avstream.hpp>

namespace negotiation_timer {

namespace detail {

// A 128-bit product as two halves.
struct wide {
    ULONGLONG high;
    ULONGLONG low;
};

// a * b as 128 bits, from 32-bit halves: each partial product is one 32 × 32 → 64 multiply, so
// an x86 build calls no compiler helper (a 64-bit division would: __udivdi3, a libgcc routine
// the kernel does not export, or _aulldiv).
constexpr wide multiply(ULONGLONG a, ULONGLONG b) noexcept {
    const ULONGLONG a0 = static_cast<ULONG>(a);
    const ULONGLONG a1 = static_cast<ULONG>(a >> 32);
    const ULONGLONG b0 = static_cast<ULONG>(b);
    const ULONGLONG b1 = static_cast<ULONG>(b >> 32);
    const ULONGLONG p00 = a0 * b0;
    const ULONGLONG p01 = a0 * b1;
    const ULONGLONG p10 = a1 * b0;
    const ULONGLONG p11 = a1 * b1;
    const ULONGLONG middle = (p00 >> 32) + static_cast<ULONG>(p01) + static_cast<ULONG>(p10);
    return {p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32),
            (middle << 32) | static_cast<ULONG>(p00)};
}

// floor(n / d) by shift and subtract; the largest ULONGLONG when the quotient does not fit in 64
// bits (n.high >= d), and 0 when d is 0. Slow (64 steps) and called a few times a result, never
// inside the timed loop.
constexpr ULONGLONG divide(wide n, ULONGLONG d) noexcept {
    if (d == 0) {
        return 0;
    }
    if (n.high >= d) {
        return ~0ULL;
    }
    ULONGLONG remainder = n.high;
    ULONGLONG quotient = 0;
    for (int bit = 0; bit < 64; ++bit) {
        const bool carry = (remainder >> 63) != 0;
        remainder = (remainder << 1) | (n.low >> 63);
        n.low <<= 1;
        quotient <<= 1;
        if (carry || remainder >= d) {
            remainder -= d;
            quotient |= 1;
        }
    }
    return quotient;
}

// floor(a * b / c) without overflow in the product.
constexpr ULONGLONG multiply_divide(ULONGLONG a, ULONGLONG b, ULONGLONG c) noexcept {
    return divide(multiply(a, b), c);
}

static_assert(multiply_divide(7, 3, 2) == 10);
static_assert(multiply_divide(~0ULL, 1'000'000'000ULL, 1'000'000'000ULL) == ~0ULL);
static_assert(multiply_divide(~0ULL, 1'000'000'000'000ULL, 10'000'000ULL) == ~0ULL); // too big
static_assert(multiply_divide(1ULL << 40, 1'000'000'000'000ULL, 3'000'000'000ULL) ==
              366503875925333ULL); // 2^40 ticks of a 3 GHz counter: the product needs 80 bits
static_assert(multiply_divide(5, 1, 0) == 0);

// The decimal digits of v into text (at least 21 chars), NUL-terminated.
inline void decimal(ULONGLONG v, char* text) noexcept {
    char reversed[20];
    int count = 0;
    do {
        const ULONGLONG next = divide({0, v}, 10);
        reversed[count++] = static_cast<char>('0' + static_cast<int>(v - next * 10));
        v = next;
    } while (v != 0);
    for (int i = 0; i < count; ++i) {
        text[i] = reversed[count - 1 - i];
    }
    text[count] = '\0';
}

} // namespace detail

// What time_negotiations measured.
struct timing {
    ULONG negotiations = 0;     // how many ran
    ULONG as_expected = 0;      // how many ended with the expected status
    NTSTATUS expected = 0;      // that status
    NTSTATUS unexpected = 0;    // the first other status; `expected` when there was none
    ULONGLONG ticks = 0;        // KeQueryPerformanceCounter ticks for all of them
    ULONGLONG frequency = 0;    // ticks a second (PerformanceFrequency)
    ULONGLONG ns_total = 0;     // floor(ticks * 10^9 / frequency)
    ULONGLONG ps_each = 0;      // floor(floor(ticks * 10^12 / frequency) / negotiations)

    [[nodiscard]] constexpr bool all_as_expected() const noexcept {
        return negotiations != 0 && as_expected == negotiations;
    }
};

// Runs negotiate_once() `negotiations` times between two reads of the performance counter.
// negotiate_once returns the status the negotiation ended with (e.g. `r.status()` of a
// kshake::result; a caller that also checks the agreed values returns a status of its own for a
// wrong value); each one equal to `expected` counts as expected. The loop adds one compare and
// one increment a negotiation to what is timed. PASSIVE_LEVEL.
template <class Negotiation>
[[nodiscard]] timing time_negotiations(ULONG negotiations, NTSTATUS expected,
                                       const Negotiation& negotiate_once) noexcept {
    timing t{};
    t.expected = expected;
    t.unexpected = expected;
    LARGE_INTEGER frequency;
    frequency.QuadPart = 0;
    const LARGE_INTEGER start = KeQueryPerformanceCounter(&frequency);
    for (ULONG i = 0; i < negotiations; ++i) {
        const NTSTATUS s = static_cast<NTSTATUS>(negotiate_once());
        if (s == expected) {
            ++t.as_expected;
        } else if (t.unexpected == expected) {
            t.unexpected = s;
        }
    }
    const LARGE_INTEGER end = KeQueryPerformanceCounter(nullptr);
    t.negotiations = negotiations;
    // The counter never goes back ("monotonically nondecreasing"); a negative difference would
    // be a broken counter, and reads as 0 ticks.
    t.ticks = end.QuadPart > start.QuadPart
                  ? static_cast<ULONGLONG>(end.QuadPart) - static_cast<ULONGLONG>(start.QuadPart)
                  : 0;
    t.frequency = frequency.QuadPart > 0 ? static_cast<ULONGLONG>(frequency.QuadPart) : 0;
    t.ns_total = detail::multiply_divide(t.ticks, 1'000'000'000ULL, t.frequency);
    t.ps_each = detail::divide(
        {0, detail::multiply_divide(t.ticks, 1'000'000'000'000ULL, t.frequency)}, negotiations);
    return t;
}

// Prints one line to the kernel debugger:
//   kshake timing: WHAT: 10000 negotiations, 10000 as expected (0x00000000), 12345 ticks at
//   10000000 Hz = 123.4 ns each
// (one line; "as expected" counts the negotiations that ended with the expected status, shown
// in parentheses; a wrong one adds ", first other status 0x..."). The defaults are those of
// kshake::avstream::dbgprint_trace: the kernel-streaming component at the informational level,
// shown when the IHVSTREAMING filter mask has bit 3 set (`ed nt!Kd_IHVSTREAMING_Mask 0x8`).
// PASSIVE_LEVEL; about 100 bytes of stack for the numbers.
inline void print(const char* what, const timing& t,
                  ULONG component = static_cast<ULONG>(DPFLTR_IHVSTREAMING_ID),
                  ULONG level = DPFLTR_INFO_LEVEL) noexcept {
    // 64-bit numbers as text: DbgPrintEx's 64-bit conversions differ between printf dialects.
    char ticks[21];
    char frequency[21];
    char ns[21];
    detail::decimal(t.ticks, ticks);
    detail::decimal(t.frequency, frequency);
    detail::decimal(detail::divide({0, t.ps_each}, 1000), ns);
    const ULONG tenths = static_cast<ULONG>(detail::divide({0, t.ps_each}, 100) -
                                            detail::divide({0, t.ps_each}, 1000) * 10);
    if (t.unexpected == t.expected) {
        static_cast<void>(DbgPrintEx(component, level,
                                     "kshake timing: %s: %lu negotiations, %lu as expected "
                                     "(0x%08lX), %s ticks at %s Hz = %s.%lu ns each\n",
                                     what, t.negotiations, t.as_expected,
                                     static_cast<ULONG>(t.expected), ticks, frequency, ns, tenths));
    } else {
        static_cast<void>(
            DbgPrintEx(component, level,
                       "kshake timing: %s: %lu negotiations, %lu as expected "
                       "(0x%08lX), first other status 0x%08lX, %s ticks at %s Hz = "
                       "%s.%lu ns each\n",
                       what, t.negotiations, t.as_expected, static_cast<ULONG>(t.expected),
                       static_cast<ULONG>(t.unexpected), ticks, frequency, ns, tenths));
    }
}

} // namespace negotiation_timer
