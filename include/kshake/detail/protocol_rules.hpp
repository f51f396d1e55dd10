// kshake/detail/protocol_rules.hpp — the rules behind kshake::payload and kshake::protocol
// (kshake/protocol.hpp), one concept each: a payload's assignment, a protocol's members present
// and public, its id a constant non-nil guid, its versions in order, the protocol at_version
// wraps, and the display name protocol_name reads.
// SPDX-License-Identifier: MIT
#pragma once

#include "../guid.hpp"
#include "freestanding.hpp"

namespace kshake {

// Defined in kshake/protocol.hpp, which needs the rules below first; they name it to look
// through it to the protocol it wraps.
template <class P, uint32_t V>
struct at_version;

namespace detail {

// Copied into and out of envelopes by assignment: a const or reference member deletes it.
template <class T>
concept copy_assignable = requires(T& to, const T& from) { to = from; };

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

template <class P>
concept named_by_text = requires { static_cast<const char*>(P::name); };
template <class P>
concept named_by_view = requires { static_cast<const char*>(P::name.data()); };

} // namespace detail

} // namespace kshake
