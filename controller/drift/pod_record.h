#pragma once

// One running pod as the drift core sees it: identity, controller owner, what it carries
// today (the "actual" sidecar) and the pre-injection metadata/spec a fresh creation would
// send to the webhook. Parsed once per pod event so recomputes never touch raw JSON.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "kube/owner_ref.h"

namespace sidecar::drift {

using JsonPtr = std::shared_ptr<const nlohmann::json>;

using kube::OwnerRef;

// What the pod runs now, from its sidecar.istio.io/status annotation and containers.
struct ActualSidecar {
  bool present = false;          // an injected container (istio-proxy or one the status names) runs
  bool hasStatus = false;        // the status annotation exists and parses
  std::string statusVersion;     // the template version the status annotation records
  std::vector<std::string> injectedContainers;  // status annotation's container names
  std::optional<std::string> proxyImage;        // istio-proxy's image, when that container exists
};

struct PodRecord {
  std::string namespaceName;
  std::string name;
  std::string phase;                   // status.phase
  std::optional<OwnerRef> controller;  // the ownerReference with controller: true
  bool hostNetwork = false;
  ActualSidecar actual;
  // The pod as the webhook would receive it on re-creation: previously injected containers,
  // init containers and volumes and the status annotation removed.
  JsonPtr metadata;
  JsonPtr spec;
  // Identity of the pod template for render caching: namespace, controller owner (the pod
  // itself when bare), hostNetwork, labels and annotations minus per-pod ones.
  std::string templateKey;

  // Succeeded/Failed pods finished running: reported, never worth a restart.
  bool completed() const { return phase == "Succeeded" || phase == "Failed"; }
  std::string key() const { return namespaceName + "/" + name; }
};

// Errors name the missing or mistyped field (metadata.name, spec.containers, ...).
Expected<PodRecord> makePodRecord(const nlohmann::json& pod);

}  // namespace sidecar::drift
