// Proof that a sanitizer build really is instrumented: each mode commits the one error its
// sanitizer must report. tests/sanitizer_canary.sh runs it and passes only when the report
// appears, so a build that silently lost its -fsanitize flags fails the suite.
#include <cstdio>
#include <cstring>
#include <thread>

// Deliberately wrong code: no lint check applies here.
// NOLINTBEGIN
namespace {
volatile int sink_value = 0;
int shared_counter = 0;
} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fputs("usage: sanitizer_canary address|undefined|thread\n", stderr);
        return 2;
    }
    if (std::strcmp(argv[1], "address") == 0) {
        int* volatile block = new int[4];
        delete[] block;
        sink_value = block[0]; // heap-use-after-free (UBSan has no check for it, ASan must)
    } else if (std::strcmp(argv[1], "undefined") == 0) {
        volatile int big = 0x7FFFFFFF;
        sink_value = big + 1; // signed integer overflow
    } else if (std::strcmp(argv[1], "thread") == 0) {
        std::thread other{[] { ++shared_counter; }}; // data race with the line below
        ++shared_counter;
        other.join();
    } else {
        return 2;
    }
    std::puts("sanitizer_canary: no report");
    return 0;
}
// NOLINTEND
