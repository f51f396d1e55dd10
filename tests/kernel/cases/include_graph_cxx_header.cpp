// Defect: a "kshake" header (tests/kernel/cases/include_graph/kshake/cxx_header.hpp) includes a
// C++ standard library header, <cstdint>. Expected: "include-graph: kshake/cxx_header.hpp
// includes <cstdint>". Built by the mingw toolchains only: under clang-cl /X no C++ standard
// header can be found at all, so the compile itself fails there.
// SPDX-License-Identifier: MIT
#include "minimal_driver.hpp"

#include <kshake/cxx_header.hpp>

KSHAKE_MINIMAL_DRIVER_ENTRY(if (kshake_case::twice(2) != 4) return STATUS_UNSUCCESSFUL);
