// expect: kshake: a _guid literal is a plain string
// A wide-string literal with _guid.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
constexpr kshake::guid id = "8C1D2E3F-0A1B-4C5D-8E9F-101112131437"_guid;
#else
constexpr kshake::guid id = L"8C1D2E3F-0A1B-4C5D-8E9F-101112131437"_guid;
#endif
static_assert(id.data1 == 0x8C1D2E3FU);
