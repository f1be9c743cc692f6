#pragma once

// Tiny injection configs and pod builders for the drift tests (no /work/shared).

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "inject/config.h"

namespace sidecar::drift::testing {

using nlohmann::json;

inline const char* kInjectConfig = R"(policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: "{{ .Values.hub }}/proxyv2:{{ .Values.tag }}"
    args: ["--serviceCluster", "{{ .DeploymentMeta.Name }}"]
  volumes:
  - name: istio-envoy
    emptyDir: {}
)";

// Same template text, so the same version: only the proxy image changes.
inline const char* kValues = "hub: docker.io/istio\ntag: 1.4.0\n";
inline const char* kUpgradedValues = "hub: docker.io/istio\ntag: 1.4.3\n";
inline const char* kProxyImage = "docker.io/istio/proxyv2:1.4.0";

inline inject::InjectionConfigPtr compileOrDie(const std::string& injectConfig = kInjectConfig,
                                               const std::string& values = kValues) {
  auto config = inject::compileConfig(injectConfig, "", values);
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message);
  return config ? *config : nullptr;
}

// A pod as `kubectl get pod -o json` shows it.
class PodBuilder {
 public:
  PodBuilder(std::string ns, std::string name) {
    pod_ = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", std::move(name)}, {"namespace", std::move(ns)}}},
            {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "app:1"}}})}}},
            {"status", {{"phase", "Running"}}}};
  }
  PodBuilder& owner(const std::string& kind, const std::string& name) {
    pod_["metadata"]["ownerReferences"] = json::array(
        {{{"apiVersion", kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet" ? "apps/v1" : "batch/v1"},
          {"kind", kind},
          {"name", name},
          {"controller", true}}});
    pod_["metadata"]["generateName"] = name + "-";
    return *this;
  }
  PodBuilder& label(const std::string& k, const std::string& v) {
    pod_["metadata"]["labels"][k] = v;
    return *this;
  }
  PodBuilder& annotation(const std::string& k, const std::string& v) {
    pod_["metadata"]["annotations"][k] = v;
    return *this;
  }
  PodBuilder& phase(const std::string& p) {
    pod_["status"]["phase"] = p;
    return *this;
  }
  // A sidecar as the webhook injected it from template `version` with `image`.
  PodBuilder& injected(const std::string& version, const std::string& image = kProxyImage) {
    pod_["spec"]["containers"].push_back({{"name", "istio-proxy"}, {"image", image}});
    pod_["spec"]["volumes"] = json::array({{{"name", "istio-envoy"}, {"emptyDir", json::object()}}});
    json status = {{"version", version},
                   {"initContainers", json::array()},
                   {"containers", {"istio-proxy"}},
                   {"volumes", {"istio-envoy"}},
                   {"imagePullSecrets", json::array()}};
    return annotation("sidecar.istio.io/status", status.dump());
  }
  json build() const { return pod_; }
  operator json() const { return pod_; }

 private:
  json pod_;
};

inline json namespaceObject(const std::string& name, std::vector<std::pair<std::string, std::string>> labels = {},
                            std::vector<std::pair<std::string, std::string>> annotations = {}) {
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  for (auto& [k, v] : labels) {
    ns["metadata"]["labels"][k] = v;
  }
  for (auto& [k, v] : annotations) {
    ns["metadata"]["annotations"][k] = v;
  }
  return ns;
}

inline json workload(const std::string& kind, const std::string& ns, const std::string& name,
                     const std::string& updateStrategy = "") {
  json w = {{"apiVersion", kind == "Job" || kind == "CronJob" ? "batch/v1" : "apps/v1"},
            {"kind", kind},
            {"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec", json::object()}};
  if (!updateStrategy.empty()) {
    w["spec"]["updateStrategy"] = {{"type", updateStrategy}};
  }
  return w;
}

inline json ownedBy(json object, const std::string& kind, const std::string& name) {
  object["metadata"]["ownerReferences"] =
      json::array({{{"kind", kind}, {"name", name}, {"controller", true}, {"apiVersion", "apps/v1"}}});
  return object;
}

inline json pdb(const std::string& ns, const std::string& name, json selector, int64_t allowed) {
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"selector", std::move(selector)}}},
          {"status", {{"disruptionsAllowed", allowed}}}};
}

// The injector's MutatingWebhookConfiguration with Istio's default namespaceSelector.
inline json webhookConfig() {
  return json::parse(R"({
    "apiVersion": "admissionregistration.k8s.io/v1",
    "kind": "MutatingWebhookConfiguration",
    "metadata": {"name": "istio-sidecar-injector"},
    "webhooks": [{
      "name": "sidecar-injector.istio.io",
      "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
      "namespaceSelector": {"matchLabels": {"istio-injection": "enabled"}}
    }]
  })");
}

}  // namespace sidecar::drift::testing
