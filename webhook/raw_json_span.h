#pragma once

// Locates the bytes of a member value inside a JSON document that has already been
// validated, so request.object can be handed to the mutator as a view of the request body
// instead of being re-serialized from the DOM (which costs ~3x the parse on a large pod).

#include <optional>
#include <string_view>

namespace sidecar::webhook {

// The raw text of doc.path[0].path[1]... (objects only), following simdjson's first-match
// rule for duplicate keys. nullopt when the path is absent, when the text is not the
// expected shape, or when a key written with escapes precedes the match (it might decode
// to the key we want; the caller then falls back to the DOM).
std::optional<std::string_view> rawMemberSpan(std::string_view validatedJson,
                                              std::initializer_list<std::string_view> path);

}  // namespace sidecar::webhook
