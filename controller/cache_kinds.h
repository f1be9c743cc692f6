#pragma once

// The cached shape of each kind the operator watches, and the transforms that build them
// from API JSON (keeping only what injection, reload and drift reporting read).

#include <string>
#include <vector>

#include "controller/cache.h"
#include "controller/object_meta.h"

namespace sidecar::controller {

struct ConfigMapInfo {
  ObjectMeta meta;
  StringPairs data;
  const std::string* value(std::string_view key) const;
};

struct NamespaceInfo {
  ObjectMeta meta;
};

struct WebhookInfo {
  std::string name;
  std::string serviceNamespace;
  std::string serviceName;
  std::string path;
  std::string url;
  std::string caBundle;
};

struct MutatingWebhookConfigurationInfo {
  ObjectMeta meta;
  std::vector<WebhookInfo> webhooks;
};

struct PodInfo {
  ObjectMeta meta;
  // name -> image, in pod order
  FlatStringMap containers;
  FlatStringMap initContainers;
  std::string phase;
};

// Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs: what matters is
// the pod template (for CronJob, spec.jobTemplate.spec.template).
struct WorkloadInfo {
  ObjectMeta meta;
  FlatStringMap templateLabels;
  FlatStringMap templateAnnotations;
  FlatStringMap containers;  // name -> image
  FlatStringMap initContainers;
  int64_t observedGeneration = 0;
};

ConfigMapInfo toConfigMapInfo(const nlohmann::json& object);
NamespaceInfo toNamespaceInfo(const nlohmann::json& object);
MutatingWebhookConfigurationInfo toMutatingWebhookConfigurationInfo(const nlohmann::json& object);
PodInfo toPodInfo(const nlohmann::json& object);
WorkloadInfo toWorkloadInfo(const nlohmann::json& object);

using ConfigMapCache = Cache<ConfigMapInfo>;
using NamespaceCache = Cache<NamespaceInfo>;
using MutatingWebhookConfigurationCache = Cache<MutatingWebhookConfigurationInfo>;
using PodCache = Cache<PodInfo>;
using WorkloadCache = Cache<WorkloadInfo>;

}  // namespace sidecar::controller
