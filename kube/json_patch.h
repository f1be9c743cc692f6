#pragma once

// RFC 6902 JSON Patch and RFC 6901 pointer escaping, used to apply and check the
// admission webhook's patches.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::kube {

// Applies every operation (add, remove, replace, move, copy, test; "-" appends) to a copy of
// doc. The whole patch fails on the first bad operation; the error names the operation
// index, op and path, e.g. "patch op 3 (remove /spec/containers/7): index out of range".
Expected<nlohmann::json> applyPatch(const nlohmann::json& doc, const nlohmann::json& patch);

// One reference token of a JSON pointer: "~" -> "~0", "/" -> "~1".
std::string escapePointerToken(std::string_view token);

}  // namespace sidecar::kube
