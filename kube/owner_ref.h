#pragma once

// metav1.OwnerReference as the injector and the drift reconciler read it from an object's
// metadata: which workload a pod belongs to (its controller owner) decides .DeploymentMeta
// and the restart plan.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/json_access.h"

namespace sidecar::kube {

struct OwnerRef {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;  // `controller: true`; at most one owner has it
};

// metadata.ownerReferences in order; entries that are not objects are skipped, mistyped
// members read as empty (see json_access.h).
inline std::vector<OwnerRef> ownerReferences(const nlohmann::json& metadata) {
  std::vector<OwnerRef> out;
  for (const auto& ref : arrayMember(metadata, "ownerReferences")) {
    if (!ref.is_object()) {
      continue;
    }
    const nlohmann::json& controller = member(ref, "controller");
    out.push_back({stringMember(ref, "apiVersion"), stringMember(ref, "kind"),
                   stringMember(ref, "name"), stringMember(ref, "uid"),
                   controller.is_boolean() && controller.get<bool>()});
  }
  return out;
}

// The owner with `controller: true`, as metav1.GetControllerOf finds it.
inline std::optional<OwnerRef> controllerOf(const nlohmann::json& metadata) {
  for (auto& ref : ownerReferences(metadata)) {
    if (ref.controller) {
      return std::move(ref);
    }
  }
  return std::nullopt;
}

}  // namespace sidecar::kube
