#pragma once

// RFC 6902 JSON Patch, as the API server applies a mutating webhook's response: add,
// remove, replace, move, copy and test over RFC 6901 pointers ("-" appends, ~0 and ~1
// escape '~' and '/'). All or nothing: a failing operation leaves the document unchanged.

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::testapi {

// Errors name the operation's index, op and path, e.g.
// "operation 2 (remove /spec/volumes/4): path does not exist".
Expected<nlohmann::json> applyJsonPatch(const nlohmann::json& document, const nlohmann::json& patch);

}  // namespace sidecar::testapi
