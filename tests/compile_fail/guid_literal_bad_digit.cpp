// expect: kshake: malformed GUID literal
// A GUID literal with a letter that is not a hex digit.
#include "fixtures.hpp"

#ifdef KSHAKE_VALID_TWIN
constexpr kshake::guid iid = "{6994AD04-93EF-11D0-A3CC-00A0C9223196}"_guid;
#else
constexpr kshake::guid iid = "{6994AD04-93EF-11D0-A3CC-00A0C922319G}"_guid;
#endif
static_assert(iid.data1 == 0x6994AD04U);
