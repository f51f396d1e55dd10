// kshake/detail/envelope_wire.hpp — the envelope codec (docs/wire.md §2): the envelope's layout,
// the initiator's exchange and the responder's checks of docs/wire.md §2.3 from check 4 on.
// SPDX-License-Identifier: MIT
#pragma once

#include "../handshake.hpp"
#include "../protocol.hpp"
#include "../status.hpp"
#include "checks.hpp"
#include "freestanding.hpp"
#include "same_guid.hpp"

namespace kshake::detail {

// An envelope: { u32 size; u32 version; body } with the body at byte 8 on every target.
// `size` counts header and body: envelope_size<T> = 8 + sizeof(T).
struct envelope_header {
    uint32_t size;
    uint32_t version;
};

template <payload T>
struct envelope {
    uint32_t size;
    uint32_t version;
    T body;
};

inline constexpr size_t envelope_body_offset = sizeof(envelope_header);

template <payload T>
inline constexpr uint32_t envelope_size = static_cast<uint32_t>(envelope_body_offset + sizeof(T));

template <payload T>
consteval bool envelope_layout_holds() noexcept {
    return KSHAKE_OFFSETOF(envelope<T>, size) == 0 && KSHAKE_OFFSETOF(envelope<T>, version) == 4 &&
           KSHAKE_OFFSETOF(envelope<T>, body) == envelope_body_offset &&
           sizeof(envelope<T>) >= envelope_size<T>;
}

// A body as it crosses the wire. An empty struct's one byte is padding: it travels as zero.
template <payload T>
inline void write_body(void* to, const T& body) noexcept {
    if constexpr (detail::is_empty_v<T>) {
        *static_cast<unsigned char*>(to) = 0;
    } else {
        copy_bytes(to, &body, sizeof body);
    }
}

// [a, a + a_size) and [b, b + b_size) share a byte (sizes not 0) when a - b lies in
// (-a_size, b_size), i.e. when a - b + a_size - 1, in the address space's own modular
// arithmetic, is below a_size + b_size - 1: one subtraction and one compare (clang-19 sets and
// tests two flags for the two compares `a < b + b_size && b < a + a_size`), and no sum can
// overflow at the top of the address space.
[[nodiscard]] inline bool regions_overlap(const void* a, size_t a_size, const void* b,
                                          size_t b_size) noexcept {
    const auto a0 = reinterpret_cast<detail::uintptr_t>(a);
    const auto b0 = reinterpret_cast<detail::uintptr_t>(b);
    return a0 + (a_size - 1) - b0 < a_size + b_size - 1;
}

// The default codec (docs/wire.md §2).
//   In.ProtocolId = P::id, In.Argument1 -> the initiator's request envelope,
//   In.Argument2 -> the initiator's response envelope (size = its capacity, version = 0).
//   On success: the response envelope holds {envelope_size<response>, version used, body};
//   Out = {P::id, Argument1 -> that response envelope, Argument2 = nullptr}.
struct envelope_wire {
    // Initiator side: both envelopes live in the caller's frame for the one call.
    template <protocol P>
    class exchange {
      public:
        using request_type = request_t<P>;
        using response_type = response_t<P>;

        constexpr explicit exchange(const request_type& request) noexcept
            : request_{envelope_size<request_type>, version_v<P>, request},
              response_{envelope_size<response_type>, 0, {}} {
            static_assert(detail::envelope_layout_holds<request_type>() &&
                          detail::envelope_layout_holds<response_type>());
            // An empty body's one byte is padding, which `{}` and a copy may leave unset.
            if constexpr (detail::is_empty_v<request_type>) {
                detail::write_body(&request_.body, request);
            }
            if constexpr (detail::is_empty_v<response_type>) {
                detail::write_body(&response_.body, response_type{});
            }
        }
        exchange(const exchange&) = delete;
        exchange& operator=(const exchange&) = delete;
        ~exchange() = default;

        [[nodiscard]] handshake offer() noexcept { return {P::id, &request_, &response_}; }

        // Checks what the peer claims to have done; reads only the initiator's own buffer.
        [[nodiscard]] bool answer_is_valid(const handshake& out) const noexcept {
            // The response header as one 64-bit value: clang-19 compares the fields apart.
            return detail::same_guid(out.protocol_id, P::id) && out.argument1 == &response_ &&
                   out.argument2 == nullptr &&
                   (uint64_t{response_.version} << 32U | response_.size) ==
                       (uint64_t{version_v<P>} << 32U | envelope_size<response_type>);
        }

        // Which rule of docs/wire.md §2.5 an answer breaks first (for a trace), or none.
        [[nodiscard]] answer_rule broken_rule(const handshake& out) const noexcept {
            if (!detail::same_guid(out.protocol_id, P::id)) {
                return answer_rule::protocol_id;
            }
            if (out.argument1 != &response_) {
                return answer_rule::argument1;
            }
            if (out.argument2 != nullptr) {
                return answer_rule::argument2;
            }
            if (response_.size != envelope_size<response_type>) {
                return answer_rule::response_size;
            }
            if (response_.version != version_v<P>) {
                return answer_rule::response_version;
            }
            return answer_rule::none;
        }

        // The response a valid answer carries, read in place: negotiate() builds its result
        // from it and negotiate_first its outcome, so it is copied once. Call only after
        // answer_is_valid(out).
        [[nodiscard]] const response_type& answer(const handshake&) const noexcept {
            return response_.body;
        }

      private:
        envelope<request_type> request_;
        envelope<response_type> response_;
    };

    // Responder side: what decode_request() has checked and copied, for encode_response().
    template <protocol P>
    struct decoded {
        request_t<P> request;
        uint32_t version;
        void* response_envelope;
    };

    // Validates In without writing anything; `out` is only compared, never written. `trace`
    // (none, or a responder's detail::request_trace) hears the version and the check that
    // refused.
    template <protocol P, class... Trace>
    [[nodiscard]] static ntstatus decode_request(const handshake& in, const void* out,
                                                 decoded<P>& d, Trace&... trace) noexcept {
        // Written out rather than through read_request_header: the call was dearer on the hot
        // path (docs/benchmarks.md, "What the measurements changed in kshake"), and a debug
        // build gives it a stack frame.
        if (in.argument1 == nullptr || in.argument2 == nullptr) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::envelope_null, trace);
        }
        // Field by field (read whole, or through a helper returning it, it is loaded as 8 bytes
        // and the version shifted out, by g++ 12 and clang-19 alike): the version here, the size
        // by decode_request_with_header once the version has passed (read before, g++ 12 keeps
        // it in a register). docs/benchmarks.md, "What the measurements changed in kshake".
        envelope_header request_header; // NOLINT(cppcoreguidelines-pro-type-member-init)
        detail::copy_bytes(&request_header.version,
                           static_cast<const unsigned char*>(in.argument1) +
                               sizeof request_header.size,
                           sizeof request_header.version);
        return decode_request_with_header<P, false>(in, request_header, out, d, trace...);
    }

    // §2.3 check 4, then the request header copied once: false when an envelope is null (for
    // the routes of one id, which read the header before choosing one). Headers and body are
    // copied out before use: the peer's buffers may be unaligned and may change under us (a
    // double fetch is a classic kernel bug).
    [[nodiscard]] static bool read_request_header(const void* request_envelope,
                                                  const void* response_envelope,
                                                  envelope_header& header) noexcept {
        if (request_envelope == nullptr || response_envelope == nullptr) {
            return false;
        }
        detail::copy_bytes(&header, request_envelope, sizeof header);
        return true;
    }

    // The checks from the request version on, once the header has been copied: whole, by a
    // responder choosing among the routes of one id by its version; or only its version, by
    // decode_request (SizeCopied false), and then the size is copied here once the version has
    // passed.
    template <protocol P, bool SizeCopied = true, class... Trace>
    [[nodiscard]] static ntstatus
    decode_request_with_header(const handshake& in, const envelope_header& request_header,
                               const void* out, decoded<P>& d, Trace&... trace) noexcept {
        using request_type = request_t<P>;
        using response_type = response_t<P>;
        (trace.version(request_header.version), ...);
        if (request_header.version < min_version_v<P> || request_header.version > version_v<P>) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::version, trace);
        }
        uint32_t request_size; // NOLINT(cppcoreguidelines-init-variables): set on both branches
        if constexpr (SizeCopied) {
            request_size = request_header.size;
        } else {
            detail::copy_bytes(&request_size, in.argument1, sizeof request_size);
        }
        if (request_size < envelope_size<request_type>) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::request_size, trace);
        }
        // Only the response header's size (its first 4 bytes) is read: its version is the
        // initiator's business, and a peer may have mapped no more (docs/wire.md §2.3).
        uint32_t capacity = 0;
        detail::copy_bytes(&capacity, in.argument2, sizeof capacity);
        if (capacity < envelope_size<response_type>) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::response_capacity, trace);
        }
        // Writing the response must not overwrite Out itself. Out first, which g++ 12 compiles
        // more cheaply (docs/benchmarks.md, "kshake's dispatch").
        if (detail::regions_overlap(out, sizeof(handshake), in.argument2,
                                    envelope_size<response_type>)) {
            return KSHAKE_DETAIL_REFUSE_AT(request_check::response_overlaps_out, trace);
        }
        detail::copy_bytes(&d.request,
                           static_cast<const unsigned char*>(in.argument1) + envelope_body_offset,
                           sizeof(request_type));
        // A protocol of one version knows it now: a constant lets the compiler check the
        // header in place and write the response header as one immediate (clang-19 otherwise
        // loads the header whole and shifts the version out).
        d.version = min_version_v<P> == version_v<P> ? version_v<P> : request_header.version;
        d.response_envelope = in.argument2;
        return status::success;
    }

    template <protocol P>
    static void encode_response(const decoded<P>& d, const response_t<P>& response,
                                handshake& out) noexcept {
        const envelope_header header{envelope_size<response_t<P>>, d.version};
        auto* bytes = static_cast<unsigned char*>(d.response_envelope);
        detail::write_body(bytes + envelope_body_offset, response);
        detail::copy_bytes(bytes, &header, sizeof header);
        out = {P::id, d.response_envelope, nullptr};
    }
};

} // namespace kshake::detail
