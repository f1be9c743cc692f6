#pragma once

// Feeds `kubectl get ... -o json` output into a DriftTracker: a v1 List (any mix of kinds),
// a single object, or a YAML/JSON document. Pods go to the pod table, a
// MutatingWebhookConfiguration becomes the webhook config, everything else to the
// inventory. Used by the offline CLI and by tests.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "controller/drift/drift_tracker.h"

namespace sidecar::drift {

struct LoadCounts {
  size_t pods = 0;
  size_t others = 0;   // namespaces, owners, PDBs, webhook configs
  size_t ignored = 0;  // kinds drift does not use
};

// `source` names the input in errors ("pods.json: items[3]: pod: metadata.name missing...").
// `defaultKind` applies to items without `kind` (some tools strip it from List items).
Expected<LoadCounts> loadObjects(DriftTracker& tracker, const nlohmann::json& document, std::string_view source,
                                 std::string_view defaultKind = "");

// Parses JSON or YAML text first.
Expected<LoadCounts> loadObjectsText(DriftTracker& tracker, std::string_view text, std::string_view source,
                                     std::string_view defaultKind = "");

}  // namespace sidecar::drift
