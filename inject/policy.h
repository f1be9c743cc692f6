#pragma once

// Whether a pod gets a sidecar, and why. The order is Istio's webhook order: hostNetwork,
// ignored namespaces, the sidecar.istio.io/inject annotation, neverInjectSelector,
// alwaysInjectSelector, then the policy. The Reason feeds metric labels, logs and check-inject.

#include <string>
#include <vector>
#include <string_view>

#include <nlohmann/json.hpp>

#include "inject/config.h"

namespace sidecar::inject {

enum class Reason {
  HostNetwork,
  IgnoredNamespace,
  AnnotationEnabled,
  AnnotationDisabled,
  NeverInjectSelector,
  AlwaysInjectSelector,
  PolicyEnabled,
  PolicyDisabled,
  PolicyInvalid,
  // Outcomes of the injection itself rather than the policy:
  AlreadyInjected,    // kube-inject's re-injection skip
  InvalidAnnotation,  // annotation validation failed
  TemplateError,      // rendering or decoding the template failed
  InvalidPod,         // the pod JSON could not be read, or a field has the wrong type
  InternalError,      // a bug of this program (an exception escaped the injection code)
  Injected,           // kube-inject: no policy consulted
};

// A bounded, metric-label-safe name such as "host_network" or "policy_disabled".
std::string_view reasonName(Reason r);

struct Decision {
  bool inject = false;
  Reason reason = Reason::PolicyDisabled;
  std::string explanation;  // names the rule, selector or annotation that decided
};

// metadata: the pod's ObjectMeta JSON (labels, annotations); spec: its PodSpec JSON;
// namespaceName: the effective namespace (request namespace when the pod has none).
// `trail`, when given, receives one line per rule checked before the deciding one — the
// full "why" for check-inject; the webhook passes none and pays nothing for it.
Decision decidePolicy(const InjectionConfig& config, const nlohmann::json& metadata, const nlohmann::json& spec,
                      std::string_view namespaceName, std::vector<std::string>* trail = nullptr);

// Would the API server call the webhook for this pod at all? Evaluates a
// MutatingWebhookConfiguration (any webhook in it) against the namespace object and the pod:
// rules (operations CREATE, resources pods), namespaceSelector and objectSelector.
struct WebhookSelection {
  bool called = false;
  std::string explanation;
};
WebhookSelection explainWebhookSelection(const nlohmann::json& namespaceObject,
                                         const nlohmann::json& mutatingWebhookConfiguration,
                                         const nlohmann::json& pod);

}  // namespace sidecar::inject
