// kshake/detail/protocol_check.hpp — kshake::payload's and kshake::protocol's rules checked one
// at a time at compile time, each with a message a driver writer can act on
// (kshake/protocol.hpp; called by the initiator's and the responder's checks).
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "../protocol.hpp"
#include "freestanding.hpp"
#include "protocol_rules.hpp"

namespace kshake::detail {

// The rules of kshake::payload and kshake::protocol, one at a time, each with a message a driver
// writer can act on. Each failing branch stops the chain so that one mistake gives one error.
template <class T>
consteval bool check_payload() noexcept {
    if constexpr (detail::is_reference_v<T>) {
        static_assert(!detail::is_reference_v<T>,
                      "kshake: a payload must be a struct type, not a reference: write "
                      "`using request = my_struct;` (kshake passes it by reference itself)");
        return false;
    } else if constexpr (detail::is_pointer_v<T>) {
        static_assert(!detail::is_pointer_v<T>,
                      "kshake: a payload must be a struct, not a pointer: put the pointer in a "
                      "struct, or use kshake::raw_codec for interface pointers");
        return false;
    } else if constexpr (!detail::is_class_v<T>) {
        static_assert(detail::is_class_v<T>,
                      "kshake: a payload must be a struct (wrap the value in a struct)");
        return false;
    } else if constexpr (!detail::complete_type<T>) {
        static_assert(detail::complete_type<T>,
                      "kshake: a payload must be a complete type: define the struct, not only "
                      "declare it, before the protocol is used");
        return false;
    } else if constexpr (detail::is_const_v<T> || detail::is_volatile_v<T>) {
        static_assert(!detail::is_const_v<T> && !detail::is_volatile_v<T>,
                      "kshake: a payload type must not be const or volatile: name the plain "
                      "struct (the handler's signature adds the const)");
        return false;
    } else if constexpr (!detail::is_trivially_copyable_v<T>) {
        static_assert(detail::is_trivially_copyable_v<T>,
                      "kshake: a payload must be trivially copyable (no user-defined copy, move "
                      "or destructor): it is copied byte for byte between drivers");
        return false;
    } else if constexpr (!detail::copy_assignable<T>) {
        static_assert(detail::copy_assignable<T>,
                      "kshake: a payload must be assignable (no const or reference members): it "
                      "is copied into and out of envelopes; drop the const, or hold a pointer "
                      "instead of a reference");
        return false;
    } else if constexpr (!detail::is_trivial_v<T>) {
        static_assert(detail::is_trivial_v<T>,
                      "kshake: a payload must be a plain C struct with a trivial default "
                      "constructor (no constructors, no default member initialisers)");
        return false;
    } else if constexpr (!detail::is_standard_layout_v<T>) {
        static_assert(detail::is_standard_layout_v<T>,
                      "kshake: a payload must be standard layout (a plain C struct: no virtual "
                      "functions, one access level, no base classes with data)");
        return false;
    } else if constexpr (!detail::has_unique_object_representations_v<T> &&
                         !detail::is_empty_v<T>) {
        static_assert(detail::has_unique_object_representations_v<T> || detail::is_empty_v<T>,
                      "kshake: a payload must have no implicit padding: every byte of it crosses "
                      "the wire, so padding would carry whatever the sender's stack held. Add "
                      "explicit reserved fields where the compiler pads (e.g. `kshake::uint8_t "
                      "reserved[3];` after a byte before a 32-bit member) and set them to zero. "
                      "A float or double member is refused too (equal values may differ in "
                      "bits): carry it as an integer (fixed point) or its bits in a "
                      "kshake::uint32_t / uint64_t");
        return false;
    } else if constexpr (sizeof(T) > max_payload_size) {
        static_assert(sizeof(T) <= max_payload_size,
                      "kshake: a payload must be at most kshake::max_payload_size bytes "
                      "(KSHAKE_MAX_PAYLOAD_SIZE: 256 in kernel mode, 2048 in user mode): "
                      "envelopes live on the kernel stack; pass a pointer to a larger buffer in "
                      "the payload instead");
        return false;
    } else if constexpr (alignof(T) > max_payload_alignment) {
        static_assert(alignof(T) <= max_payload_alignment,
                      "kshake: a payload must be aligned to at most 8 bytes (the envelope body "
                      "sits at byte 8): remove the alignas or the over-aligned member");
        return false;
    } else {
        return true;
    }
}

// The type of a member from its address (a pointer, or a pointer to member when non-static).
// Asked through &P::id rather than decltype(P::id): clang 19 crashes on the latter, after its
// first error, when the id was initialised from a plain string.
template <class T>
struct addressed_type {
    using type = void;
};
template <class T>
struct addressed_type<T*> {
    using type = T;
};
template <class T, class C>
struct addressed_type<T C::*> {
    using type = T;
};
template <class P>
concept id_is_a_guid = requires {
    requires detail::is_same_v<detail::remove_cv_t<typename addressed_type<decltype(&P::id)>::type>,
                               guid>;
};

// Request and response are checked by two names so that the instantiation notes say which one
// is wrong.
template <class P>
consteval bool check_request_payload() noexcept {
    return check_payload<typename P::request>();
}
template <class P>
consteval bool check_response_payload() noexcept {
    return check_payload<typename P::response>();
}

template <class P>
consteval bool check_protocol_rules() noexcept {
    if constexpr (!detail::is_class_v<P>) {
        static_assert(detail::is_class_v<P>,
                      "kshake: not a protocol: a protocol is a struct with `static constexpr "
                      "kshake::guid id`, `using request = ...;` and `using response = ...;`");
        return false;
    } else if constexpr (!detail::complete_type<P>) {
        static_assert(detail::complete_type<P>,
                      "kshake: a protocol must be a complete type: define the struct, not only "
                      "declare it, before it is used");
        return false;
    } else if constexpr (hides_a_member<P>) {
        static_assert(!hides_a_member<P>,
                      "kshake: a protocol's members must be public: kshake cannot read a private "
                      "id, request, response, version, min_version or codec (declare the protocol "
                      "as a `struct`, or add `public:`)");
        return false;
    } else if constexpr (!requires { P::id; }) {
        static_assert(
            requires { P::id; }, "kshake: a protocol needs `static constexpr kshake::guid id = "
                                 "\"...\"_guid;`");
        return false;
    } else if constexpr (!id_is_a_guid<P>) {
        static_assert(id_is_a_guid<P>,
                      "kshake: a protocol's id must be a kshake::guid: write `static constexpr "
                      "kshake::guid id = \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"_guid;`");
        return false;
    } else if constexpr (!has_id<P>) {
        static_assert(has_id<P>,
                      "kshake: a protocol's id must be a compile-time constant: declare it "
                      "`static constexpr kshake::guid id = ...;` (route tables are built from it)");
        return false;
    } else if constexpr (!has_non_nil_id<P>) {
        static_assert(has_non_nil_id<P>,
                      "kshake: a protocol's id must not be the nil GUID (GUID_NULL): an initiator "
                      "starts Out zeroed, so a peer that answers without writing Out would seem "
                      "to name it; create a GUID of your own (uuidgen)");
        return false;
    } else if constexpr (!requires { typename P::request; }) {
        static_assert(
            requires { typename P::request; },
            "kshake: a protocol needs `using request = <payload struct>;`");
        return false;
    } else if constexpr (!requires { typename P::response; }) {
        static_assert(
            requires { typename P::response; },
            "kshake: a protocol needs `using response = <payload struct>;`");
        return false;
    } else if constexpr (!check_request_payload<P>()) {
        return false;
    } else if constexpr (!check_response_payload<P>()) {
        return false;
    } else if constexpr (requires { P::version; } && !declares_version<P>) {
        static_assert(declares_version<P>,
                      "kshake: a protocol's version must be a `static constexpr kshake::uint32_t` "
                      "(std::uint32_t; ULONG in driver code), a non-negative constant");
        return false;
    } else if constexpr (requires { P::min_version; } && !declares_min_version<P>) {
        static_assert(declares_min_version<P>,
                      "kshake: a protocol's min_version must be a `static constexpr "
                      "kshake::uint32_t` (std::uint32_t; ULONG in driver code), a non-negative "
                      "constant");
        return false;
    } else if constexpr (min_version_of<P>() == 0) {
        static_assert(min_version_of<P>() != 0,
                      "kshake: protocol versions start at 1 (0 never appears on the wire): set "
                      "version and min_version to 1 or more");
        return false;
    } else if constexpr (min_version_of<P>() > version_of<P>()) {
        static_assert(min_version_of<P>() <= version_of<P>(),
                      "kshake: a protocol's min_version must not exceed its version: version is "
                      "the newest version spoken, min_version the oldest still served");
        return false;
    } else {
        return true;
    }
}

// The rules above, for P and, through at_version<P, V>, for the protocol it wraps first: a
// mistake in P is reported with P's own message.
template <class P>
consteval bool check_protocol() noexcept {
    if constexpr (is_at_version<P>) {
        if constexpr (!check_protocol<typename wrapped_protocol<P>::type>()) {
            return false;
        } else {
            return check_protocol_rules<P>();
        }
    } else {
        return check_protocol_rules<P>();
    }
}

} // namespace kshake::detail
