#pragma once

// Which REST collection an operation addresses: group/version/resource plus scope.

#include <string>
#include <string_view>

namespace sidecar::controller {

struct ResourceDescriptor {
  std::string group;  // "" for the core group
  std::string version;
  std::string resource;  // plural, lower case: "configmaps"
  std::string kind;
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // Collection path; `ns` is ignored for cluster-scoped resources and an empty `ns` on a
  // namespaced resource addresses all namespaces.
  std::string collectionPath(std::string_view ns) const {
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    if (namespaced && !ns.empty()) {
      path += "/namespaces/";
      path += ns;
    }
    return path + "/" + resource;
  }
  std::string objectPath(std::string_view ns, std::string_view name) const {
    return collectionPath(ns) + "/" + std::string(name);
  }
};

namespace resources {
inline const ResourceDescriptor kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const ResourceDescriptor kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const ResourceDescriptor kPods{"", "v1", "pods", "Pod", true};
inline const ResourceDescriptor kEvents{"", "v1", "events", "Event", true};
inline const ResourceDescriptor kSecrets{"", "v1", "secrets", "Secret", true};
inline const ResourceDescriptor kServices{"", "v1", "services", "Service", true};
inline const ResourceDescriptor kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
inline const ResourceDescriptor kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
inline const ResourceDescriptor kDeployments{"apps", "v1", "deployments", "Deployment", true};
inline const ResourceDescriptor kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const ResourceDescriptor kDaemonSets{"apps", "v1", "daemonsets", "DaemonSet", true};
inline const ResourceDescriptor kJobs{"batch", "v1", "jobs", "Job", true};
inline const ResourceDescriptor kCronJobs{"batch", "v1", "cronjobs", "CronJob", true};
inline const ResourceDescriptor kMutatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false};
inline const ResourceDescriptor kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
}  // namespace resources

}  // namespace sidecar::controller
