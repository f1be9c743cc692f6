#pragma once

// The slice of metadata the operator keeps per cached object. Labels and annotations are
// flat sorted vectors: far smaller than maps for the handful of entries objects carry.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sidecar::controller {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

struct OwnerRef {
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
};

struct ObjectMeta {
  std::string ns;
  std::string name;
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  StringPairs labels;
  StringPairs annotations;
  std::vector<OwnerRef> owners;

  const std::string* label(std::string_view key) const;
  const std::string* annotation(std::string_view key) const;
  const OwnerRef* controllerOwner() const;
};

// Reads metadata, dropping what the operator never needs: managedFields (never copied)
// and kubectl's last-applied-configuration annotation (often the largest field).
ObjectMeta parseObjectMeta(const nlohmann::json& object);
StringPairs parseStringMap(const nlohmann::json& object);

}  // namespace sidecar::controller
