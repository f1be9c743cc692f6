#include "controller/cluster_caches.h"

namespace sidecar::controller {

ClusterCaches::ClusterCaches(RestClient& client, ClusterCachesOptions options, Clock& clock, Random& random) {
  auto add = [&](const ResourceDescriptor& rd, const std::string& ns, ReflectorSink& sink) {
    ReflectorOptions o;
    o.resource = rd;
    o.ns = ns;
    o.pageSize = options.pageSize;
    o.watchTimeoutSeconds = options.watchTimeoutSeconds;
    reflectors_.push_back(std::make_unique<Reflector>(client, o, sink, clock, random));
  };
  add(resources::kConfigMaps, options.injectorNamespace, configMaps);
  add(resources::kNamespaces, "", namespaces);
  add(resources::kMutatingWebhookConfigurations, "", webhookConfigurations);
  if (options.watchPods) {
    add(resources::kPods, options.workloadNamespace, pods);
  }
  if (options.watchWorkloads) {
    add(resources::kReplicaSets, options.workloadNamespace, replicaSets);
    add(resources::kDeployments, options.workloadNamespace, deployments);
    add(resources::kStatefulSets, options.workloadNamespace, statefulSets);
    add(resources::kDaemonSets, options.workloadNamespace, daemonSets);
    add(resources::kJobs, options.workloadNamespace, jobs);
    add(resources::kCronJobs, options.workloadNamespace, cronJobs);
  }
}

ClusterCaches::~ClusterCaches() { stop(); }

void ClusterCaches::start() {
  for (auto& r : reflectors_) {
    r->start();
  }
}

void ClusterCaches::stop() {
  for (auto& r : reflectors_) {
    r->stop();
  }
}

bool ClusterCaches::waitForSync(Millis timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& r : reflectors_) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (!r->waitForSync(std::max(left, Millis(0)))) {
      return false;
    }
  }
  return true;
}

std::vector<std::pair<std::string, ReflectorStats>> ClusterCaches::stats() const {
  std::vector<std::pair<std::string, ReflectorStats>> out;
  for (const auto& r : reflectors_) {
    out.emplace_back(r->resource().resource, r->stats());
  }
  return out;
}

}  // namespace sidecar::controller
