// expect: kshake: C++20 or later is required
// expect-also: kshake: stopping here, C++20 is required
// A C++17 build of a kshake user: the #error comes first, and g++ and clang stop right after it
// (the deliberately missing include), instead of a thousand lines about C++20 syntax. Compiled
// with -std=c++17 (tests/compile_fail/meson.build); the twin is the same TU without kshake, so it
// shows the C++17 flags themselves compile a plain TU.
#ifdef KSHAKE_VALID_TWIN
inline int no_kshake_here() noexcept { return 0; }
#else
#include <kshake/kshake.hpp>
#endif
