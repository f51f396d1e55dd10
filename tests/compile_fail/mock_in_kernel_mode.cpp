// expect: kshake: mock.hpp is for user-mode tests
// The user-mode mock pins included in a kernel-mode build (they use std::mutex and std::vector).
#ifndef KSHAKE_VALID_TWIN
#define KSHAKE_KERNEL_MODE 1
#endif
#include "fixtures.hpp"

#include <kshake/mock.hpp>

[[nodiscard]] auto use(kshake::mock::pin& source) {
    return kshake::negotiate<fx::ping>(kshake::mock::connected_pin(source), fx::ping_request{});
}
