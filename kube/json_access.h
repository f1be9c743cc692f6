#pragma once

// Reading Kubernetes objects held as JSON the way Go reads its typed structs: a missing,
// null or mistyped string member reads as the empty string.

#include <set>
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

// Drops the items of the list object[key] whose "name" is in `names` (containers, volumes,
// imagePullSecrets); anything that is not a list is left alone.
inline void removeNamedItems(nlohmann::json& object, std::string_view key, const std::set<std::string>& names) {
  if (names.empty() || !object.is_object()) {
    return;
  }
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) {
    return;
  }
  nlohmann::json kept = nlohmann::json::array();
  for (auto& item : *it) {
    if (!names.count(stringMember(item, "name"))) {
      kept.push_back(std::move(item));
    }
  }
  *it = std::move(kept);
}

}  // namespace sidecar::kube
