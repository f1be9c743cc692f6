#pragma once

// The slice of metadata the operator keeps per cached object. Labels and annotations are
// FlatStringMaps: one allocation each, far smaller than maps for the few entries objects carry.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controller/flat_string_map.h"
#include "kube/owner_ref.h"

namespace sidecar::controller {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

using kube::OwnerRef;

struct ObjectMeta {
  std::string ns;
  std::string name;
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  FlatStringMap labels;
  FlatStringMap annotations;
  // uid -> "<1|0 controller><kind>/<name>"; see ownerRefs().
  FlatStringMap owners;

  std::optional<std::string_view> label(std::string_view key) const { return labels.find(key); }
  std::optional<std::string_view> annotation(std::string_view key) const { return annotations.find(key); }
  std::vector<OwnerRef> ownerRefs() const;
  std::optional<OwnerRef> controllerOwner() const;
};

// Reads metadata, dropping what the operator never needs: managedFields (never copied)
// and kubectl's last-applied-configuration annotation (often the largest field).
ObjectMeta parseObjectMeta(const nlohmann::json& object);
StringPairs parseStringMap(const nlohmann::json& object);
FlatStringMap parseFlatMap(const nlohmann::json& object, std::string_view skipKey = {});

}  // namespace sidecar::controller
