#include <kshake/kshake.hpp>

#include <cstdio>

using namespace kshake::literals;

int main() {
    constexpr kshake::guid iid_iunknown = "{00000000-0000-0000-C000-000000000046}"_guid;
    const auto parsed = kshake::parse_guid("00000000-0000-0000-c000-000000000046");
    std::printf("IID_IUnknown %s parsed %s\n", kshake::to_string(iid_iunknown).c_str(),
                parsed && *parsed == iid_iunknown ? "equal" : "different");
    return parsed && *parsed == iid_iunknown ? 0 : 1;
}
