#pragma once

// Lists every kind drift uses from the API server into a DriftTracker, page by page:
// the injector's MutatingWebhookConfiguration, Namespaces, owners, PDBs, then pods (last, so
// each pod is evaluated once against the final namespaces and webhook config).

#include <string>
#include <vector>

#include "common/expected.h"
#include "controller/drift/drift_tracker.h"
#include "controller/rest_client.h"

namespace sidecar::drift {

inline const controller::ResourceDescriptor kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets",
                                                                  "PodDisruptionBudget", true};
inline const controller::ResourceDescriptor kSidecarDriftReports{"sidecar.injector.dev", "v1alpha1",
                                                                 "sidecardriftreports", "SidecarDriftReport", false};

// The kinds drift reads, owners and context before pods, for the one-shot read below and for
// DriftService's watches alike.
const std::vector<const controller::ResourceDescriptor*>& driftKinds();

struct ClusterReadResult {
  size_t objects = 0;
  std::vector<std::string> skipped;  // optional APIs the cluster does not serve (404)
};

// Only MutatingWebhookConfigurations whose name contains `webhookName` are used.
Expected<ClusterReadResult> readCluster(controller::RestClient& client, DriftTracker& tracker,
                                        const std::string& webhookName = "sidecar-injector");

}  // namespace sidecar::drift
