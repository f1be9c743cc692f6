#include "controller/drift/cluster_reader.h"

#include "controller/drift/object_loader.h"

namespace sidecar::drift {

namespace ctl = controller;
using nlohmann::json;

const std::vector<const ctl::ResourceDescriptor*>& driftKinds() {
  static const std::vector<const ctl::ResourceDescriptor*> kinds = {
      &ctl::resources::kMutatingWebhookConfigurations,
      &ctl::resources::kNamespaces,
      &ctl::resources::kReplicaSets,
      &ctl::resources::kDeployments,
      &ctl::resources::kStatefulSets,
      &ctl::resources::kDaemonSets,
      &ctl::resources::kJobs,
      &ctl::resources::kCronJobs,
      &kPodDisruptionBudgets,
      &ctl::resources::kPods};
  return kinds;
}

Expected<ClusterReadResult> readCluster(ctl::RestClient& client, DriftTracker& tracker,
                                        const std::string& webhookName) {
  ClusterReadResult result;
  for (const auto* rd : driftKinds()) {
    ctl::ListOptions options;
    options.limit = 500;
    do {
      auto page = client.list(*rd, "", options);
      if (!page && page.error().notFound() && rd != &ctl::resources::kPods) {
        // Without that API (e.g. no policy/v1) drift still works, with less detail.
        result.skipped.push_back(rd->resource);
        break;
      }
      if (!page) {
        return fail("listing " + rd->resource + ": " + page.error().message);
      }
      if (rd == &ctl::resources::kMutatingWebhookConfigurations) {
        for (const auto& item : page->value("items", json::array())) {
          std::string name = item.value("metadata", json::object()).value("name", "");
          if (name.find(webhookName) != std::string::npos) {
            json copy = item;
            copy["kind"] = rd->kind;
            tracker.setWebhookConfig(std::move(copy));
            ++result.objects;
          }
        }
      } else {
        auto loaded = loadObjects(tracker, *page, rd->resource, rd->kind);
        if (!loaded) {
          return Unexpected(loaded.error());
        }
        result.objects += loaded->pods + loaded->others;
      }
      options.continueToken = page->value("metadata", json::object()).value("continue", "");
    } while (!options.continueToken.empty());
  }
  return result;
}

}  // namespace sidecar::drift
