#pragma once

// Builds the injection config from the files a user named, falling back to the built-in
// defaults for any that were not given (and saying so, because a silent default would
// inject something the cluster does not).

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

// True when a cluster is named (flags, $KUBECONFIG, or running in a pod).
bool clusterNamed(const std::string& kubeconfig, const std::string& context);

// The cluster source from a command's --kubeconfig, --context, --injectConfigMapName and
// --meshConfigMapName flags and its namespace flag (istioctl's -i for kube-inject, ours for
// the others); enabled when a cluster is named.
class Flags;
ClusterSource clusterSourceFromFlags(const Flags& flags, const std::string& namespaceFlag);

}  // namespace sidecar::cmd
