#pragma once

// Does a Kubernetes object held as JSON fit its Go type? The check encoding/json makes when
// Istio's webhook decodes a pod into corev1.Pod, without building the typed copy that
// decodeTyped (schema.h) returns: a single read-only walk, cheap enough for every admission.

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::kube {

// goType: a struct of the schema table ("PodSpec", "ObjectMeta", "Container", ...).
// Unknown fields pass (Go drops them); null passes everywhere (Go leaves the zero value).
// A mismatch is ErrorCode::InvalidArgument naming the path from `where`, e.g.
// "spec.containers[0].ports[0].containerPort: cannot unmarshal string into int32".
// Strict like encoding/json on JSON input: a number in a string field is a mismatch (the
// ghodss coercion of decodeTyped applies to YAML only). Binary nodes (raw JSON kept
// unparsed by the webhook) are not looked into.
Expected<void> checkGoTypes(const nlohmann::json& in, std::string_view goType,
                            std::string_view where);

}  // namespace sidecar::kube
