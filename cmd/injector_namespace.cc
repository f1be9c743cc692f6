#include "cmd/injector_namespace.h"

#include <algorithm>

namespace sidecar::cmd {

InjectorNamespace resolveInjectorNamespace(const InjectorNamespaceInputs& in,
                                           std::string* warning) {
  if (!in.flagValue.empty()) {
    return {in.flagValue, "--" + in.flagName};
  }
  if (!in.podNamespace.empty()) {
    return {in.podNamespace, "$POD_NAMESPACE"};
  }
  if (in.lookup) {
    for (const auto& webhook : in.webhooks) {
      auto found = in.lookup(webhook);
      if (!found) {
        // The cluster cannot be asked (RBAC, network): fall through to the default, and say so.
        if (warning != nullptr) {
          *warning =
              "cannot read MutatingWebhookConfiguration " + webhook + ": " + found.error().message;
        }
        break;
      }
      if (found->has_value() && !(*found)->empty()) {
        return {**found, "MutatingWebhookConfiguration " + webhook};
      }
    }
  }
  return {"istio-system", "default"};
}

std::vector<std::string> injectorWebhookNames(const std::string& named) {
  std::vector<std::string> names;
  for (const std::string& n :
       {named, std::string("sidecar-injector"), std::string("istio-sidecar-injector")}) {
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) {
      names.push_back(n);
    }
  }
  return names;
}

std::string describe(const InjectorNamespace& ns) {
  return "injector ConfigMaps in namespace " + ns.name + " (from " +
         (ns.source == "default" ? std::string("the default, Istio's") : ns.source) + ")";
}

}  // namespace sidecar::cmd
