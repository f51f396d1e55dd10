// kshake/detail/guid_literal.hpp — the "..."_guid literal's machinery (kshake/guid.hpp): the
// literal's text as a template argument, parsed in a constant and checked with kshake's messages.
// SPDX-License-Identifier: MIT
//
// Part of kshake/guid.hpp, which includes it after guid and parsed_guid and before the literal
// operator; not a header to include on its own.
#pragma once

#include "freestanding.hpp"
#include "guid_text.hpp"

namespace kshake::detail {

// A string literal as a template argument, so a malformed literal can fail a static_assert
// with a readable message. constexpr rather than consteval: MSVC has rejected consteval
// constructors and literal operators in contexts other compilers accept (C7595). Any character
// type is taken, so that L"..."_guid reaches kshake's message rather than "no matching literal
// operator".
template <class Char, size_t N>
struct guid_literal_text {
    Char chars[N]{};

    constexpr guid_literal_text(const Char (&text)[N]) noexcept {
        for (size_t i = 0; i < N; ++i) {
            chars[i] = text[i];
        }
    }
};

template <guid_literal_text Text>
consteval guid checked_narrow_guid_literal() noexcept {
    constexpr parsed_guid parsed = [] {
        guid g{};
        return parse_guid_text(Text.chars, sizeof Text.chars - 1, g) ? parsed_guid{g}
                                                                     : parsed_guid{};
    }();
    static_assert(parsed.has_value(),
                  "kshake: malformed GUID literal: write \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" "
                  "(36 hex digits and hyphens, optionally in braces)");
    // value_or, not *parsed: after the static_assert above, a second error about reading an
    // empty parsed_guid would only bury the first.
    return parsed.value_or(guid{});
}

template <guid_literal_text Text>
consteval guid checked_guid_literal() noexcept {
    if constexpr (!detail::is_same_v<detail::remove_cvref_t<decltype(Text.chars[0])>, char>) {
        static_assert(detail::is_same_v<detail::remove_cvref_t<decltype(Text.chars[0])>, char>,
                      "kshake: a _guid literal is a plain string: write \"xxxxxxxx-xxxx-xxxx-"
                      "xxxx-xxxxxxxxxxxx\"_guid, without an L, u8, u or U prefix");
        return guid{};
    } else {
        return checked_narrow_guid_literal<Text>();
    }
}

// One constant per literal text. Initialising a constexpr variable is always a constant
// evaluation, so the parse (and a malformed literal's error) happens at compile time on every
// compiler without relying on a consteval literal operator.
template <guid_literal_text Text>
inline constexpr guid guid_literal_v = checked_guid_literal<Text>();

} // namespace kshake::detail
