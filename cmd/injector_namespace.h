#pragma once

// Where the injector's ConfigMaps live: one rule for every subcommand, so that `serve`,
// `kube-inject`, `check-inject` and `drift` never disagree about it:
//   1. the subcommand's flag, when given;
//   2. $POD_NAMESPACE, when running in a pod (the Deployment sets it from the downward API);
//   3. when a cluster is named, the namespace of the Service that the injector's
//      MutatingWebhookConfiguration calls (ours by --webhookConfigName, else Istio's);
//   4. istio-system, Istio's default.
// The answer carries where it came from; every subcommand says it on stderr.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.h"

namespace sidecar::cmd {

struct InjectorNamespace {
  std::string name;
  std::string source;  // "--injectorNamespace", "$POD_NAMESPACE", "MutatingWebhookConfiguration x",
                       // "default"
};

// The namespace of the Service a MutatingWebhookConfiguration calls; nullopt when there is no
// such object (or it calls a URL). An error means the cluster could not be asked.
using WebhookServiceNamespace =
    std::function<Expected<std::optional<std::string>>(const std::string& webhook)>;

struct InjectorNamespaceInputs {
  std::string flagName;               // e.g. "injectorNamespace", for the message
  std::string flagValue;              // empty: not given
  std::string podNamespace;           // $POD_NAMESPACE, empty when unset
  std::vector<std::string> webhooks;  // names to look up, in order
  WebhookServiceNamespace lookup;     // empty when no cluster is named
};

// The MutatingWebhookConfigurations that may be the injector's, in the order they are asked:
// the one the user named (if any), ours, then Istio's default.
std::vector<std::string> injectorWebhookNames(const std::string& named);

// `warning` receives why the cluster could not be asked, when it could not.
InjectorNamespace resolveInjectorNamespace(const InjectorNamespaceInputs& inputs,
                                           std::string* warning = nullptr);

// "injector ConfigMaps in namespace istio-system (from MutatingWebhookConfiguration
// istio-sidecar-injector)"
std::string describe(const InjectorNamespace& ns);

}  // namespace sidecar::cmd
