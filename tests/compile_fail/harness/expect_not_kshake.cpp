// harness: fail: must start with `kshake:`
// expect: static assertion failed
// Broken on purpose: an expectation that is not a kshake: message proves nothing about kshake's
// diagnostics, so the runner refuses the case itself.
#include "../fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
static_assert(true);
#else
static_assert(false);
#endif
