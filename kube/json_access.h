#pragma once

// Reading Kubernetes objects held as JSON the way Go reads its typed structs: a missing,
// null or mistyped member reads as the zero value (null, empty list, 0, "").

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sidecar::kube {

namespace detail {
inline const nlohmann::json& nullJson() {
  static const nlohmann::json kNull;
  return kNull;
}
inline const nlohmann::json& emptyArray() {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  return kEmpty;
}
}  // namespace detail

// object[key], or `fallback` when object is not an object or the member is absent or null.
inline const nlohmann::json& member(const nlohmann::json& object, std::string_view key,
                                    const nlohmann::json& fallback) {
  if (!object.is_object()) {
    return fallback;
  }
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? fallback : *it;
}

// object[key], or null; chains safely: member(member(pod, "metadata"), "labels").
inline const nlohmann::json& member(const nlohmann::json& object, std::string_view key) {
  return member(object, key, detail::nullJson());
}

// A list member, or an empty list when absent or not a list.
inline const nlohmann::json& arrayMember(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json& v = member(object, key);
  return v.is_array() ? v : detail::emptyArray();
}

inline int64_t intMember(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json& v = member(object, key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

inline std::string stringMember(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json& v = member(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
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
