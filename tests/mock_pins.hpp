// A source pin connected to a sink pin that serves test::sink_responder, over kshake::mock.
#pragma once

#include "test_protocols.hpp"

#include <kshake/mock.hpp>

namespace test {

struct pair_of_pins {
    sink_state state{};
    kshake::mock::pin source;
    kshake::mock::pin sink{&state};

    pair_of_pins() {
        connect(source, sink);
        sink.register_handshake_callback(&sink_responder::callback<kshake::mock::pin*>);
    }
};

} // namespace test
