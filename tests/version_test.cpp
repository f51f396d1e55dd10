#include <kshake/config.hpp>

#include <doctest/doctest.h>

#include <string>

#define KSHAKE_STR2(x) #x
#define KSHAKE_STR(x) KSHAKE_STR2(x)

TEST_CASE("the version macros match meson.build's project version") {
    const std::string from_macros = KSHAKE_STR(KSHAKE_VERSION_MAJOR) "." KSHAKE_STR(
        KSHAKE_VERSION_MINOR) "." KSHAKE_STR(KSHAKE_VERSION_PATCH);
    CHECK(from_macros == KSHAKE_TEST_PROJECT_VERSION);
}
