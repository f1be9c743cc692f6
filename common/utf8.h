#pragma once

// UTF-8 as Go's unicode/utf8 reads it: the template engine decodes runes with it, the YAML
// emitter decides between text and !!binary with it, the JSON writer replaces what is not
// UTF-8. One decoder, so all three agree on what "valid" means (no overlong forms, no
// surrogates, nothing past U+10FFFF).

#include <cstddef>
#include <string>
#include <string_view>

namespace sidecar {

inline constexpr char32_t kReplacementRune = 0xFFFD;

// utf8.DecodeRune at s[i] (i < s.size()): the rune and its length in *size; an invalid or
// truncated sequence decodes as U+FFFD of length 1.
char32_t decodeRune(std::string_view s, size_t i, size_t& size);

// The length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t validRuneLength(std::string_view s, size_t i);

// utf8.ValidString.
bool isValidUtf8(std::string_view s);

// utf8.RuneCountInString: each invalid byte counts as one rune.
size_t runeCount(std::string_view s);

// utf8.AppendRune: surrogates and values past U+10FFFF are written as U+FFFD.
void appendRune(std::string& out, char32_t r);

}  // namespace sidecar
