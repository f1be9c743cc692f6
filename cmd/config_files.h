#pragma once

// Builds the injection config from the files a user named, falling back to the built-in
// defaults for any that were not given (and saying so, because a silent default would
// inject something the cluster does not).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "inject/config.h"

namespace sidecar::cmd {

struct ConfigPaths {
  std::string injectConfig;  // the `config` key of istio-sidecar-injector
  std::string meshConfig;    // the `mesh` key of the istio ConfigMap
  std::string values;        // the `values` key of istio-sidecar-injector
};

// Where to read what the files do not give, like istioctl: the ConfigMaps in the cluster.
struct ClusterSource {
  std::string kubeconfig;  // --kubeconfig
  std::string context;     // --context
  std::string ns = "istio-system";
  // Where `ns` came from (see injector_namespace.h), said on stderr by every subcommand.
  std::string nsSource = "default";
  std::string injectConfigMap = "istio-sidecar-injector";
  std::string meshConfigMap = "istio";
  // Use the cluster only when one is named (flags, $KUBECONFIG, in-cluster); otherwise the
  // built-in defaults fill the gaps.
  bool enabled = false;
};

// `notes` receives one line per default used and per config warning.
Expected<inject::InjectionConfigPtr> loadConfig(const ConfigPaths& paths,
                                                std::vector<std::string>& notes,
                                                const ClusterSource& cluster = {});

// The cluster's copy of one object check-inject needs: kind "Namespace" (ns ignored) or
// "MutatingWebhookConfiguration".
Expected<nlohmann::json> readClusterObject(const ClusterSource& cluster, std::string_view kind,
                                           const std::string& name);

// The message of the injector's ConfigQuarantined Warning Event when it names the injector
// ConfigMap's current resourceVersion: `serve` refuses to compile what the ConfigMap holds
// and serves its last good config instead. Empty when there is no such quarantine.
Expected<std::optional<std::string>> readQuarantine(const ClusterSource& cluster);

// True when a cluster is named (flags, $KUBECONFIG, or running in a pod).
bool clusterNamed(const std::string& kubeconfig, const std::string& context);

// The cluster source from a command's --kubeconfig, --context, --injectConfigMapName and
// --meshConfigMapName flags; enabled when a cluster is named. The namespace follows the one
// rule of injector_namespace.h: the namespace flag (istioctl's -i for kube-inject, ours for
// the others), $POD_NAMESPACE, the Service of the injector's MutatingWebhookConfiguration
// (--webhookConfigName where the command has it, ours, then Istio's), istio-system.
class Flags;
// `useCluster` overrides "a cluster is named" (drift reads the cluster unless given dumps).
ClusterSource clusterSourceFromFlags(const Flags& flags, const std::string& namespaceFlag,
                                     std::optional<bool> useCluster = std::nullopt);

// True when loadConfig will read at least one of the texts from the cluster.
bool usesClusterConfig(const ClusterSource& cluster, const ConfigPaths& paths);

// The namespace of the Service a MutatingWebhookConfiguration in the cluster calls; nullopt
// when it does not exist or calls a URL.
Expected<std::optional<std::string>> webhookServiceNamespace(const ClusterSource& cluster,
                                                             const std::string& webhook);
#ifdef SIDECAR_HAVE_CONTROLLER
}  // namespace sidecar::cmd
namespace sidecar::controller {
class RestClient;
}
namespace sidecar::cmd {
Expected<std::optional<std::string>> webhookServiceNamespace(controller::RestClient& client,
                                                             const std::string& webhook);
#endif

}  // namespace sidecar::cmd
