#pragma once

// Reading Kubernetes objects held as JSON the way Go reads its typed structs: a missing,
// null or mistyped string member reads as the empty string.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sidecar::kube {

inline std::string stringMember(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) {
    return {};
  }
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace sidecar::kube
