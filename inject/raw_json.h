#pragma once

// Raw JSON kept unparsed inside a JSON tree: the webhook leaves the (possibly thousands of)
// app container env entries as bytes, because neither the patch nor Istio's templates read
// them. Template field access and re-encoding expand them on demand, so behaviour is the same
// as with a fully parsed pod.

#include <string_view>

#include <nlohmann/json.hpp>

namespace sidecar::inject {

// Wraps raw JSON text (already validated by the caller's parser).
nlohmann::json makeRawJson(std::string_view text);
bool isRawJson(const nlohmann::json& j);
// The parsed value of a raw node (null if it does not parse).
nlohmann::json parseRawJson(const nlohmann::json& raw);
// A copy of `j` with every raw node parsed.
nlohmann::json expandRawJson(const nlohmann::json& j);

}  // namespace sidecar::inject
