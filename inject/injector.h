#pragma once

// The injection core: one pure function from (config, pod) to what the sidecar adds, plus two
// ways to apply it — merging into the pod (kube-inject) or an RFC 6902 patch (webhook) built
// structurally from the added and removed pieces.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "inject/config.h"
#include "inject/policy.h"
#include "inject/template_data.h"

namespace sidecar::inject {

enum class Frontend { KubeInject, Webhook };

struct PodInput {
  JsonPtr metadata;        // the pod (template) ObjectMeta, typed JSON; null when absent
  JsonPtr spec;            // the PodSpec, typed JSON
  JsonPtr deploymentMeta;  // .DeploymentMeta (workload metadata)
  std::string apiVersion;  // .TypeMeta
  std::string kind;
  Frontend frontend = Frontend::KubeInject;
};

// What the rendered template asks for (Istio's SidecarInjectionSpec), each item already in
// Kubernetes 1.16 typed form.
struct SidecarSpec {
  bool rewriteAppHTTPProbe = false;
  nlohmann::json initContainers = nlohmann::json::array();
  nlohmann::json containers = nlohmann::json::array();
  nlohmann::json volumes = nlohmann::json::array();
  nlohmann::json imagePullSecrets = nlohmann::json::array();
  std::optional<nlohmann::json> dnsConfig;
  std::map<std::string, std::string> podRedirectAnnot;
};

struct InjectionResult {
  Decision decision;
  SidecarSpec spec;
  std::string statusAnnotation;  // sidecar.istio.io/status value
  std::vector<std::string> warnings;
};

// Validates the pod's annotations, renders the template and decodes it. Does not consult the
// policy (callers do: the webhook does, kube-inject does not).
Expected<InjectionResult> injectPod(const InjectionConfig& config, const PodInput& pod);

// Merges the result into the pod's metadata and spec in place.
//  KubeInject: Istio's IntoObject (append; imagePullSecrets not added; dnsConfig replaced;
//    podRedirectAnnot copied).
//  Webhook: the pod the webhook's patch produces (previously injected pieces removed first,
//    imagePullSecrets added, injectedAnnotations, no podRedirectAnnot).
void mergeIntoPod(const InjectionConfig& config, const InjectionResult& result, Frontend frontend,
                  nlohmann::json& metadata, nlohmann::json& spec);

// The webhook's RFC 6902 patch against the ORIGINAL pod (metadata/spec as received).
nlohmann::json buildPatch(const InjectionConfig& config, const InjectionResult& result,
                          const nlohmann::json& metadata, const nlohmann::json& spec);

// Pieces exposed for tests and check-inject.
namespace detail {
// Index of the first istio-proxy container, or -1.
int findSidecar(const nlohmann::json& containers);
// The --statusPort / -statusPort=N argument of a container, or -1.
int extractStatusPort(const nlohmann::json& container);
// The ISTIO_KUBE_APP_PROBERS JSON of the app containers ("" when none).
std::string dumpAppProbers(const nlohmann::json& containers);
// Appends --concurrency N to istio-proxy from its CPU limit/request when not set.
void applyConcurrency(nlohmann::json& containers);
// ceil() of a CPU quantity in cores; nullopt when it does not parse.
std::optional<int64_t> cpuCeil(const nlohmann::json& quantity);
// Should app probes be rewritten (annotation first, then the rendered flag)?
bool shouldRewriteAppProbers(const nlohmann::json* annotations, const SidecarSpec& spec);
}  // namespace detail

}  // namespace sidecar::inject
