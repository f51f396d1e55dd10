// kshake/detail/raw_wire.hpp — the raw codec (docs/wire.md §4): In's two pointers reach the handler
// as they are, and its answer becomes Out's.
// SPDX-License-Identifier: MIT
#pragma once

#include "../handshake.hpp"
#include "../protocol.hpp"
#include "../status.hpp"
#include "../wire.hpp"
#include "checks.hpp"
#include "freestanding.hpp"
#include "same_guid.hpp"

namespace kshake::detail {

// No version travels and nothing is dereferenced: the exchange only compares Out's id.
struct raw_wire {
    template <protocol P>
    class exchange {
      public:
        constexpr explicit exchange(const raw_arguments& request) noexcept : request_{request} {}
        exchange(const exchange&) = delete;
        exchange& operator=(const exchange&) = delete;
        ~exchange() = default;

        [[nodiscard]] handshake offer() const noexcept {
            return {P::id, request_.argument1, request_.argument2};
        }
        [[nodiscard]] static bool answer_is_valid(const handshake& out) noexcept {
            return detail::same_guid(out.protocol_id, P::id);
        }
        [[nodiscard]] static answer_rule broken_rule(const handshake& out) noexcept {
            return answer_is_valid(out) ? answer_rule::none : answer_rule::protocol_id;
        }
        // Call only after answer_is_valid(out).
        [[nodiscard]] static raw_arguments answer(const handshake& out) noexcept {
            return {out.argument1, out.argument2};
        }

      private:
        raw_arguments request_;
    };

    template <protocol P>
    struct decoded {
        raw_arguments request;
        uint32_t version;
    };

    template <protocol P, class... Trace>
    [[nodiscard]] static ntstatus decode_request(const handshake& in, const void*, decoded<P>& d,
                                                 Trace&... trace) noexcept {
        (trace.version(version_v<P>), ...);
        d.request = {in.argument1, in.argument2};
        d.version = version_v<P>;
        return status::success;
    }

    template <protocol P>
    static void encode_response(const decoded<P>&, const raw_arguments& response,
                                handshake& out) noexcept {
        out = {P::id, response.argument1, response.argument2};
    }
};

} // namespace kshake::detail
