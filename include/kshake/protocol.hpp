// kshake::protocol — what a private pin protocol is, checked at compile time.
// SPDX-License-Identifier: MIT
#pragma once

#include "detail/freestanding.hpp"
#include "guid.hpp"

namespace kshake {

// Payloads travel by value inside stack envelopes (negotiate() holds a request and a response on
// the caller's stack, the responder a copy of each on the same stack, and the x86 kernel stack
// is 12 KiB), so they are bounded: KSHAKE_MAX_PAYLOAD_SIZE, 256 bytes in kernel mode and 2048
// in user mode unless the build defines it (config.hpp, docs/driver.md "Stack usage").
inline constexpr size_t max_payload_size = KSHAKE_MAX_PAYLOAD_SIZE;
// The envelope puts the body at byte 8 on every target, which holds only for bodies aligned to
// at most 8 (see docs/wire.md).
inline constexpr size_t max_payload_alignment = 8;

// A payload is a plain C struct: copied byte for byte across the wire. It has no implicit
// padding, so every byte that crosses is a member its sender set (or kshake zeroed), and its
// layout is the same under every compiler of a target (docs/wire.md §2.6). An empty struct is a
// payload too: its one byte travels as zero.
namespace detail {
// Copied into and out of envelopes by assignment: a const or reference member deletes it.
template <class T>
concept copy_assignable = requires(T& to, const T& from) { to = from; };
} // namespace detail

template <class T>
concept payload = detail::is_class_v<T> && detail::complete_type<T> && !detail::is_const_v<T> &&
                  !detail::is_volatile_v<T> && detail::is_trivial_v<T> &&
                  detail::copy_assignable<T> && detail::is_standard_layout_v<T> &&
                  (detail::has_unique_object_representations_v<T> || detail::is_empty_v<T>) &&
                  sizeof(T) <= max_payload_size && alignof(T) <= max_payload_alignment;

namespace detail {

// A static member: &P::m is a plain pointer (a non-static member gives a pointer to member, and
// reading it as a constant is a hard error in g++ 12 rather than an unsatisfied requirement).
template <class P>
concept id_is_static = requires { requires detail::is_pointer_v<decltype(&P::id)>; };
template <class P>
concept version_is_static = requires { requires detail::is_pointer_v<decltype(&P::version)>; };
template <class P>
concept min_version_is_static =
    requires { requires detail::is_pointer_v<decltype(&P::min_version)>; };

template <class P>
concept has_id = id_is_static<P> && requires {
    requires detail::same_as<detail::remove_cvref_t<decltype(P::id)>, guid>;
    // P::id must be a constant: it is read at compile time to build route tables.
    typename detail::constant<uint32_t, P::id.data1>;
};

// An initiator starts Out zeroed, so a nil id would match an answer the peer never wrote.
template <class P>
concept has_non_nil_id = !(P::id == guid{});

template <class P>
concept has_payload_types = requires {
    typename P::request;
    typename P::response;
};

template <class P>
concept declares_version = version_is_static<P> && requires {
    requires detail::convertible_to<decltype(P::version), uint32_t>;
    typename detail::constant<uint32_t, P::version>;
};

template <class P>
concept declares_min_version = min_version_is_static<P> && requires {
    requires detail::convertible_to<decltype(P::min_version), uint32_t>;
    typename detail::constant<uint32_t, P::min_version>;
};

// The names kshake reads from a protocol. Naming one through a class that inherits both P and
// this struct is ambiguous exactly when P declares that name, whatever its access, so a private
// member (a protocol declared `class`) is told apart from a missing one.
struct protocol_member_names {
    int id, request, response, version, min_version, codec;
};
template <class P>
struct protocol_member_lookup : P, protocol_member_names {};
template <class P>
concept can_probe_members = detail::is_class_v<P> && complete_type<P> && !detail::is_final_v<P>;

// P declares one of those names, but not as a public member kshake can read.
template <class P>
concept hides_a_member =
    can_probe_members<P> &&
    ((!requires { &protocol_member_lookup<P>::id; } && !requires { P::id; }) ||
     (!requires { &protocol_member_lookup<P>::request; } && !requires { typename P::request; } &&
      !requires { P::request; }) ||
     (!requires { &protocol_member_lookup<P>::response; } && !requires { typename P::response; } &&
      !requires { P::response; }) ||
     (!requires { &protocol_member_lookup<P>::version; } && !requires { P::version; }) ||
     (!requires { &protocol_member_lookup<P>::min_version; } && !requires { P::min_version; }) ||
     (!requires { &protocol_member_lookup<P>::codec; } && !requires { typename P::codec; } &&
      !requires { P::codec; }));

struct not_a_class {};
template <class P>
using class_or_empty_t = detail::conditional_t<detail::is_class_v<P>, P, not_a_class>;

template <class P>
consteval uint32_t version_of() noexcept {
    if constexpr (declares_version<P>) {
        return P::version;
    } else {
        return 1;
    }
}

template <class P>
consteval uint32_t min_version_of() noexcept {
    if constexpr (declares_min_version<P>) {
        return P::min_version;
    } else {
        return version_of<P>();
    }
}

template <class P>
concept valid_versions = (!requires { P::version; } || declares_version<P>) &&
                         (!requires { P::min_version; } || declares_min_version<P>) &&
                         min_version_of<P>() >= 1 && min_version_of<P>() <= version_of<P>();

} // namespace detail

template <class P, uint32_t V>
struct at_version;

namespace detail {
// at_version<P, V> replaces P's version and min_version with V, which would hide a broken
// version in P itself: P's versions must hold too, however deeply it is wrapped.
template <class P>
inline constexpr bool wrapped_versions_valid = true;
template <class P, uint32_t V>
inline constexpr bool wrapped_versions_valid<at_version<P, V>> =
    valid_versions<P> && wrapped_versions_valid<P>;

template <class P>
struct wrapped_protocol;
template <class P, uint32_t V>
struct wrapped_protocol<at_version<P, V>> {
    using type = P;
};
template <class P>
concept is_at_version = requires { typename wrapped_protocol<P>::type; };
} // namespace detail

// A protocol: `static constexpr kshake::guid id`, `using request`, `using response` (payloads),
// and optionally `static constexpr uint32_t version` (default 1) and `min_version`
// (default: version). Version 0 never appears on the wire.
template <class P>
concept protocol =
    detail::has_id<P> && detail::has_non_nil_id<P> && detail::has_payload_types<P> &&
    payload<typename P::request> && payload<typename P::response> && detail::valid_versions<P> &&
    !detail::hides_a_member<P> && detail::wrapped_versions_valid<P>;

// The version an initiator speaks, and the lowest one a responder serves.
template <protocol P>
inline constexpr uint32_t version_v = detail::version_of<P>();
template <protocol P>
inline constexpr uint32_t min_version_v = detail::min_version_of<P>();

template <protocol P>
using request_t = typename P::request;
template <protocol P>
using response_t = typename P::response;

// The same protocol spoken at exactly version V: what negotiate_first offers when it falls back
// from one version to the next, e.g. negotiate_first<at_version<pool, 3>, at_version<pool, 2>>.
//
// P is not constrained here, so that a mistake in P reaches check_protocol's message for
// at_version<P, V> (which inherits it) instead of an anonymous constraint failure.
template <class P, uint32_t V>
struct at_version : detail::class_or_empty_t<P> {
    static constexpr uint32_t version = V;
    static constexpr uint32_t min_version = V;
};

// A protocol's display name: `static constexpr const char* name = "...";` (or a char array, or
// in user mode a std::string_view naming a string literal) when it has one, else "".
namespace detail {
template <class P>
concept named_by_text = requires { static_cast<const char*>(P::name); };
template <class P>
concept named_by_view = requires { static_cast<const char*>(P::name.data()); };
} // namespace detail

template <protocol P>
[[nodiscard]] constexpr const char* protocol_name() noexcept {
    if constexpr (detail::named_by_text<P>) {
        return static_cast<const char*>(P::name);
    } else if constexpr (detail::named_by_view<P>) {
        return static_cast<const char*>(P::name.data());
    } else {
        return "";
    }
}

namespace detail {

// The same rules as the concepts above, one at a time, each with a message a driver writer can
// act on. Each failing branch stops the chain so that one mistake gives one error.
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

} // namespace detail

} // namespace kshake
