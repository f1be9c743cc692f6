#pragma once

// Internal: the two YAML readers behind parseYaml. The fast one handles the block-style
// subset that Kubernetes manifests and rendered injection templates use (block mappings and
// sequences, plain/quoted one-line scalars, literal blocks, comments, empty [] / {}) in one
// pass over the lines; on anything else - flow collections, anchors, tags, folded or
// multi-line scalars, tabs, odd indentation, errors - it declines and the full yaml-cpp
// based reader decides. Both must agree wherever the fast one answers (tested
// differentially, also by the fuzzer).

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::kube::detail {

std::optional<nlohmann::json> parseYamlFast(std::string_view text);

Expected<nlohmann::json> parseYamlFull(std::string_view text);

}  // namespace sidecar::kube::detail
