#pragma once

// `istioctl kube-inject` over a multi-document YAML stream: every document of a known workload
// kind gets its pod template injected and is re-marshalled from its typed form; anything else
// is copied through verbatim. Each output document is followed by "---\n".

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "inject/config.h"

namespace sidecar::inject {

// Stops at the first error, whose message names the document; the documents already
// processed stay in `out`. Skips (host networking) are reported in `warnings`, one per line.
Expected<void> kubeInject(const InjectionConfig& config, std::string_view inputYaml, std::string& out,
                          std::string& warnings);

// Injects one typed object (as kube::decodeTyped returns it) in place; used per document and
// per List item.
Expected<void> kubeInjectObject(const InjectionConfig& config, nlohmann::json& object, std::string& warnings);

// The kinds kube-inject handles (the kind alone selects the Go type, any apiVersion).
bool isInjectableKind(std::string_view kind);

}  // namespace sidecar::inject
